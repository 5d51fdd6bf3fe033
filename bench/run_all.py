"""Run every benchmark script in bench/ (all *.py except this one and _*.py helpers).

    python bench/run_all.py            # or: make bench
    python bench/run_all.py point      # only scripts whose name contains "point"

Each script runs in its own process with its own database under var/bench/; their printed
figures are passed through. Exit status: non-zero if any script failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(selector: str = "") -> list[Path]:
    return [
        p
        for p in sorted(HERE.glob("*.py"))
        if p.name != Path(__file__).name and not p.name.startswith("_") and selector in p.stem
    ]


def main(argv: list[str]) -> int:
    selector = argv[1] if len(argv) > 1 else ""
    failed: list[str] = []
    env = {**os.environ, "CITYOPS_DEBUG": "1"}
    for script in scripts(selector):
        print(f"=== {script.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent, env=env)  # noqa: S603
        print(
            f"--- {script.name}: exit {code} after {time.perf_counter() - start:.0f} s\n",
            flush=True,
        )
        if code:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
