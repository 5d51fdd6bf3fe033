import pytest

from cityops.registry import models as m


@pytest.mark.django_db
def test_small_city_measures_are_derived(small_city):
    grid = small_city.grids["west_south"]
    # 0.01° lon × 0.01° lat at 43.6° N ≈ 806 m × 1111 m
    assert 880_000 < grid.area_m2 < 910_000
    assert 640 < small_city.road_west.length_m < 650  # 0.008° of longitude
    assert small_city.road_west.area_m2 == pytest.approx(small_city.road_west.length_m * 20)
    assert m.RegistryVersion.objects.get().version >= 1
