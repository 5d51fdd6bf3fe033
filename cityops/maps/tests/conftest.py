from __future__ import annotations

import math

import pytest

from cityops.registry import models as m
from cityops.registry.testing import SmallCity

# 建国路 (small city) runs west-east at lat 43.625; 新华街 (added here) crosses it at 122.265.
CROSS = (122.265, 43.625)
M_PER_DEG_LAT = 111_132.0


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` / ``north_m`` metres away (small distances, local approximation)."""
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat))
    return lon + east_m / m_per_deg_lon, lat + north_m / M_PER_DEG_LAT


@pytest.fixture
def crossing_city(small_city: SmallCity) -> SmallCity:
    """The small city plus 新华街, north-south through 建国路 (an intersection to find)."""
    m.RoadSegment.objects.create(
        code="R-E-2",
        name="新华街",
        width_m=10,
        street=small_city.street_east,
        road_class=m.RoadClass.BRANCH,
        geometry={"type": "LineString", "coordinates": [[122.265, 43.621], [122.265, 43.629]]},
    )
    return small_city
