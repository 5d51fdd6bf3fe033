import datetime as dt

import numpy as np
import pytest
import shapely
import time_machine
from django.db.models import F

from cityops.registry import models as m
from cityops.registry import spatial
from cityops.registry.testing import MID_LAT, MID_LON, E, N, S, W, box

pytestmark = pytest.mark.django_db


def test_point_in_each_grid_names_its_whole_chain(small_city):
    c = small_city
    cases = {
        (122.255, 43.615): ("west_south", c.community_west, c.street_west),
        (122.255, 43.625): ("west_north", c.community_west, c.street_west),
        (122.265, 43.615): ("east_south", c.community_east, c.street_east),
        (122.265, 43.625): ("east_north", c.community_east, c.street_east),
    }
    for (lon, lat), (grid, community, street) in cases.items():
        ctx = spatial.locate(lon, lat)
        assert ctx.grid_id == c.grids[grid].id
        assert ctx.grid_code == c.grids[grid].code
        assert ctx.community_id == community.id
        assert ctx.street_id == street.id
        assert ctx.district_id == c.district.id
        assert (ctx.lon, ctx.lat) == (lon, lat)


def test_points_on_shared_edges_go_to_the_lowest_code(small_city):
    g = small_city.grids
    # West/east edge: 150502001… < 150502002…; south/north edge: …001 < …002.
    assert spatial.locate(MID_LON, 43.615).grid_id == g["west_south"].id
    assert spatial.locate(MID_LON, 43.625).grid_id == g["west_north"].id
    assert spatial.locate(122.265, MID_LAT).grid_id == g["east_south"].id
    assert spatial.locate(MID_LON, MID_LAT).grid_id == g["west_south"].id
    # The outer boundary still belongs to the district.
    assert spatial.locate(E, N).grid_id == g["east_north"].id


@pytest.mark.parametrize(("lon", "lat"), [(122.30, 43.62), (122.26, 43.60), (0.0, 0.0)])
def test_outside_the_district_nothing_is_found(small_city, lon, lat):
    ctx = spatial.locate(lon, lat)
    assert ctx == spatial.PointContext(lon, lat, *([None] * 9))


def test_without_a_grid_the_community_and_street_polygons_answer(small_city):
    grid = small_city.grids["west_north"]
    grid.geometry = box(W, MID_LAT, 122.255, N)
    grid.save()
    ctx = spatial.locate(122.258, 43.625)
    assert ctx.grid_id is None
    assert ctx.community_id == small_city.community_west.id
    assert ctx.street_id == small_city.street_west.id
    assert ctx.district_id == small_city.district.id
    assert spatial.locate(122.252, 43.625).grid_id == grid.id
    many = spatial.locate_many(np.array([122.258, 122.252]), np.array([43.625, 43.625]))
    assert many.grid_ids.tolist() == [-1, grid.id]
    assert many.community_ids.tolist() == [small_city.community_west.id] * 2
    assert many.street_ids.tolist() == [small_city.street_west.id] * 2


def test_compound_and_green_space(small_city):
    assert spatial.locate(122.266, 43.613).compound_id == small_city.compound.id
    assert spatial.locate(122.256, 43.627).compound_id == small_city.compound_unmanaged.id
    assert spatial.locate(122.253, 43.623).green_space_id == small_city.green.id
    ctx = spatial.locate(122.262, 43.611)
    assert ctx.compound_id is None
    assert ctx.green_space_id is None


def test_nearest_road_within_tolerance(small_city):
    road = small_city.road_west  # along lat 43.615 from 122.251 to 122.259
    near = spatial.locate(122.255, 43.6152)  # 0.0002° of latitude ≈ 22 m
    assert near.road_segment_id == road.id
    assert near.road_distance_m == pytest.approx(22.2, abs=0.2)
    assert spatial.locate(122.255, 43.6152, road_tolerance_m=10).road_segment_id is None
    far = spatial.locate(122.255, 43.6155)  # ≈ 56 m
    assert far.road_segment_id is None
    assert far.road_distance_m is None
    assert spatial.locate(122.255, 43.6155, road_tolerance_m=60).road_segment_id == road.id
    # Beyond the cell index's reach the STRtree answers, with the same distance.
    wide = spatial.locate(122.255, 43.6155, road_tolerance_m=500)
    assert wide.road_segment_id == road.id
    assert wide.road_distance_m == pytest.approx(55.6, abs=0.2)
    # Past the road's end the distance is to its end point.
    beyond = spatial.locate(122.2593, 43.615)
    assert beyond.road_segment_id == road.id
    assert beyond.road_distance_m == pytest.approx(0.0003 * 80_700, rel=0.01)


def test_bad_input_is_refused(small_city):
    with pytest.raises(ValueError, match="finite"):
        spatial.locate(float("nan"), 43.6)
    with pytest.raises(ValueError, match="negative"):
        spatial.locate(122.25, 43.6, road_tolerance_m=-1)
    with pytest.raises(ValueError, match="same shape"):
        spatial.locate_many(np.zeros(3), np.zeros(2))


def test_an_orm_edit_is_seen_by_the_next_lookup(small_city):
    grid = small_city.grids["west_north"]
    before = spatial.registry_index()
    assert spatial.registry_index() is before  # nothing changed: no rebuild
    assert spatial.locate(122.255, 43.625).grid_id == grid.id
    grid.geometry = box(W, MID_LAT, 122.254, N)
    grid.save()
    assert spatial.locate(122.255, 43.625).grid_id is None
    assert spatial.registry_index() is not before
    # A kept index object answers from its own snapshot (hot loops skip the version check).
    assert before.locate(122.255, 43.625).grid_id == grid.id


def test_a_commit_by_another_process_is_seen(small_city):
    grid = small_city.grids["east_north"]
    assert spatial.locate(122.265, 43.625).grid_id == grid.id
    # Another process: rows change without this process's signals, and the version moves.
    m.Grid.objects.filter(pk=grid.pk).update(geometry=box(MID_LON, MID_LAT, 122.262, N))
    m.RegistryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    assert spatial.locate(122.265, 43.625).grid_id is None
    assert spatial.locate(122.261, 43.625).grid_id == grid.id


def test_unchanged_version_and_no_local_edit_keeps_the_index(small_city):
    idx = spatial.registry_index()
    m.Grid.objects.filter(pk=small_city.grids["east_north"].pk).update(geometry=box(0, 0, 1, 1))
    # No signal, no version bump: the index is (knowingly) reused until the writer bumps.
    assert spatial.registry_index() is idx


def test_a_recently_confirmed_index_is_pinned_without_reading_the_version(small_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    confirmed = spatial.registry_index()
    with CaptureQueriesContext(connection) as queries, spatial.pinned_index(max_age=60) as idx:
        assert idx is confirmed
        assert spatial.registry_index() is idx  # nested calls reuse the pin
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries, spatial.pinned_index():
        pass
    assert len(queries) == 1  # without max_age: the version is read
    # Another process commits: a max_age pin may answer from the old index until it expires…
    m.RegistryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    with spatial.pinned_index(max_age=60) as idx:
        assert idx is confirmed
    with spatial.pinned_index(max_age=1e-9) as idx:  # …an expired one reads and rebuilds
        assert idx is not confirmed
    # An edit in this process applies at once, whatever max_age says.
    grid = small_city.grids["west_north"]
    grid.geometry = box(W, MID_LAT, 122.254, N)
    grid.save()
    with spatial.pinned_index(max_age=60) as idx:
        assert idx.locate(122.255, 43.625).grid_id is None


def test_contract_edits_reach_the_lot_data(small_city):
    idx = spatial.registry_index()
    assert [lot.code for lot in idx.lots_with_asset("road", small_city.road_west.id)] == ["HW-A-1"]
    small_city.lot_a.road_segments.remove(small_city.road_west)
    small_city.lot_b.road_segments.add(small_city.road_west)
    idx = spatial.registry_index()
    assert [lot.code for lot in idx.lots_with_asset("road", small_city.road_west.id)] == ["HW-B-1"]


def test_lots_covering_a_point(small_city):
    idx = spatial.registry_index()
    assert [lot.code for lot in idx.lots_covering(122.255, 43.615)] == ["HW-A-1", "YL-1-1"]
    assert [lot.code for lot in idx.lots_covering(MID_LON, 43.615)] == [
        "HW-A-1",
        "HW-B-1",
        "YL-1-1",
    ]
    assert idx.lots_covering(122.4, 43.615) == []


def test_grid_validity_dates(small_city):
    grid = small_city.grids["east_south"]
    grid.valid_to = dt.date(2026, 3, 31)
    grid.save()
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC)):
        # 23:00 UTC is already 1 April in Shanghai.
        assert spatial.locate(122.265, 43.615).grid_id is None
        assert spatial.locate(122.265, 43.615).community_id == small_city.community_east.id
    with time_machine.travel(dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)):
        assert spatial.locate(122.265, 43.615).grid_id == grid.id


def test_vectorised_equals_scalar_and_a_naive_reference(small_city):
    rng = np.random.default_rng(42)
    lons = rng.uniform(W - 0.005, E + 0.005, 3_000)
    lats = rng.uniform(S - 0.005, N + 0.005, 3_000)
    # Exact edges and corners too.
    lons = np.concatenate([lons, [MID_LON, MID_LON, W, E, 122.255, MID_LON]])
    lats = np.concatenate([lats, [43.615, MID_LAT, S, N, MID_LAT, S]])
    result = spatial.locate_many(lons, lats)
    for i in range(len(lons)):
        ctx = spatial.locate(float(lons[i]), float(lats[i]))
        assert result.grid_ids[i] == (ctx.grid_id or -1)
        assert result.community_ids[i] == (ctx.community_id or -1)
        assert result.street_ids[i] == (ctx.street_id or -1)
        assert result.district_ids[i] == (ctx.district_id or -1)
    # Away from edges, a plain shapely "contains" over every grid agrees.
    grids = list(m.Grid.objects.all())
    shapes = [g.shape() for g in grids]
    for i in range(0, 3_000, 7):
        p = shapely.Point(lons[i], lats[i])
        owners = [g.id for g, s in zip(grids, shapes, strict=True) if s.contains(p)]
        assert result.grid_ids[i] == (owners[0] if owners else -1)
    inside = (lons > W) & (lons < E) & (lats > S) & (lats < N)
    assert (result.grid_ids[:3_000] >= 0).sum() == inside[:3_000].sum()


def test_locate_many_keeps_the_input_shape(small_city):
    lons = np.full((2, 3), 122.255)
    lats = np.full((2, 3), 43.615)
    result = spatial.locate_many(lons, lats)
    assert result.grid_ids.shape == (2, 3)
    assert set(result.grid_ids.ravel().tolist()) == {small_city.grids["west_south"].id}


def test_empty_registry_answers_nothing(db):
    assert spatial.locate(122.26, 43.62).district_id is None
    assert spatial.locate_many(np.array([122.26]), np.array([43.62])).grid_ids.tolist() == [-1]


@pytest.mark.django_db(transaction=True)
def test_a_committed_index_reads_the_version_at_most_every_interval(small_city, settings):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cityops.registry.signals import bulk_registry_change

    settings.CITYOPS_REGISTRY_VERSION_CHECK_MS = 60_000
    idx = spatial.registry_index()  # built outside a transaction: from committed rows
    with CaptureQueriesContext(connection) as queries:
        assert spatial.registry_index() is idx
        assert spatial.locate(122.255, 43.625).grid_id == small_city.grids["west_north"].id
    assert len(queries) == 0
    # Another process commits (no signal here): seen once the interval has passed.
    m.RegistryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    assert spatial.registry_index() is idx
    settings.CITYOPS_REGISTRY_VERSION_CHECK_MS = 0
    fresh = spatial.registry_index()
    assert fresh is not idx
    assert fresh.version == m.RegistryVersion.objects.get().version
    settings.CITYOPS_REGISTRY_VERSION_CHECK_MS = 60_000
    # An edit in this process applies at once, through the ORM or a bulk change alike.
    grid = small_city.grids["west_north"]
    grid.geometry = box(W, MID_LAT, 122.254, N)
    grid.save()
    assert spatial.locate(122.255, 43.625).grid_id is None
    with bulk_registry_change():
        m.Grid.objects.filter(pk=grid.pk).update(geometry=box(W, MID_LAT, MID_LON, N))
    assert spatial.locate(122.255, 43.625).grid_id == grid.id
    # An index built inside a transaction that rolls back is not trusted afterwards.
    with transaction.atomic():
        grid.geometry = box(W, MID_LAT, 122.254, N)
        grid.save()
        assert spatial.locate(122.255, 43.625).grid_id is None
        transaction.set_rollback(True)
    assert spatial.locate(122.255, 43.625).grid_id == grid.id
