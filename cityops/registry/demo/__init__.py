"""The demo district (演示城区): a deterministic synthetic central district of Tongliao.

``plan_district`` (layout.py) and ``plan_assets`` (assets.py) are pure functions of the seed
and scale; writer.py, organisations.py and contracts.py insert the plan with bulk statements;
loader.py is the entry point (``demo_city_load``, ``demo_city_exists``, ``demo_city_delete``).
"""

from cityops.core.management.demo_steps import DEFAULT_SEED
from cityops.registry.demo.loader import (
    DemoConflict,
    DemoSummary,
    demo_city_delete,
    demo_city_exists,
    demo_city_load,
)

__all__ = [
    "DEFAULT_SEED",
    "DemoConflict",
    "DemoSummary",
    "demo_city_delete",
    "demo_city_exists",
    "demo_city_load",
]
