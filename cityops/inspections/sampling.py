"""Stratified random sampling of a lot's assets (pure: plain data in, plain data out).

The population is split into strata (asset kind × road class × cleaning / maintenance grade);
from each stratum ``max(minimum, ceil(rate · size))`` assets are drawn without replacement, at
most the whole stratum. The draw depends only on the seed and the population (each stratum is
sorted first and gets its own generator seeded from the plan seed and the stratum key), so anyone
can re-check a recorded plan by drawing again with its seed.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal


def stratum_seed(seed: int, stratum: str) -> int:
    digest = hashlib.sha256(f"{seed}:{stratum}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def sample_size(size: int, *, rate: Decimal, minimum: int) -> int:
    if size <= 0:
        return 0
    wanted = max(minimum, math.ceil(Decimal(size) * rate))
    return min(size, wanted)


def draw(
    strata: Mapping[str, Sequence[str]], *, seed: int, rate: Decimal, minimum: int
) -> list[str]:
    """The drawn asset keys, stratum by stratum (strata in key order, each draw sorted)."""
    drawn: list[str] = []
    for key in sorted(strata):
        population = sorted(set(strata[key]))
        n = sample_size(len(population), rate=rate, minimum=minimum)
        rng = random.Random(stratum_seed(seed, key))  # noqa: S311 (must be re-playable)
        drawn.extend(sorted(rng.sample(population, n)))
    return drawn
