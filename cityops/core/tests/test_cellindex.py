from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.core.cellindex import LineCells, PolygonCells


def reference(geoms: list[Any], xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """STRtree answer with the documented tie rule: the lowest polygon index wins."""
    pairs = shapely.STRtree(geoms).query(shapely.points(xs, ys), predicate="intersects")
    out = np.full(len(xs), np.iinfo(np.int64).max)
    np.minimum.at(out, pairs[0], pairs[1])
    out[out == np.iinfo(np.int64).max] = -1
    return out


def jittered_tiling(
    nx: int = 12, ny: int = 9, size: float = 100.0, seed: int = 3
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(nx + 1) * size, np.arange(ny + 1) * size)
    gx = gx + rng.uniform(-0.2, 0.2, gx.shape) * size
    gy = gy + rng.uniform(-0.2, 0.2, gy.shape) * size
    polys = [
        shapely.Polygon(
            [
                (gx[j, i], gy[j, i]),
                (gx[j, i + 1], gy[j, i + 1]),
                (gx[j + 1, i + 1], gy[j + 1, i + 1]),
                (gx[j + 1, i], gy[j + 1, i]),
            ]
        )
        for j in range(ny)
        for i in range(nx)
    ]
    return polys, gx.ravel(), gy.ravel()


def test_tiling_matches_strtree_on_random_points_and_every_vertex():
    polys, vx, vy = jittered_tiling()
    cells = PolygonCells(polys, max_cells=40_000)
    rng = np.random.default_rng(11)
    xs = np.concatenate([rng.uniform(-150, 1350, 20_000), vx])
    ys = np.concatenate([rng.uniform(-150, 1050, 20_000), vy])
    expected = reference(polys, xs, ys)
    got = cells.query(xs, ys)
    assert np.array_equal(got, expected)
    assert (got >= 0).mean() > 0.5
    for i in range(0, len(xs), 97):
        assert cells.query_one(float(xs[i]), float(ys[i])) == expected[i]
    # Shared vertices belong to several polygons: the lowest index answers.
    assert all(
        cells.query_one(float(x), float(y)) == e
        for x, y, e in zip(vx, vy, got[-len(vx) :], strict=True)
    )


def test_holes_overlaps_and_multipolygons():
    ring = shapely.Polygon(
        [(0, 0), (300, 0), (300, 300), (0, 300)], [[(100, 100), (200, 100), (200, 200), (100, 200)]]
    )
    inner = shapely.Point(170, 170).buffer(60)  # lower index, overlaps the ring and its hole
    parts = shapely.MultiPolygon([shapely.box(400, 0, 450, 50), shapely.box(500, 0, 550, 50)])
    geoms = [inner, ring, parts]
    cells = PolygonCells(geoms, max_cells=5_000)
    rng = np.random.default_rng(5)
    xs, ys = rng.uniform(-20, 600, 30_000), rng.uniform(-20, 320, 30_000)
    assert np.array_equal(cells.query(xs, ys), reference(geoms, xs, ys))
    assert cells.query_one(170, 170) == 0  # the disc, inside the ring's hole
    assert cells.query_one(110, 110) == -1  # in the hole, outside the disc
    assert cells.query_one(50, 50) == 1
    assert cells.query_one(525, 25) == 2
    assert cells.query_one(475, 25) == -1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 900), st.floats(0, 900), st.floats(1, 300), st.floats(1, 300)),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 2**32 - 1),
)
def test_random_boxes_agree_with_strtree(boxes, seed):
    geoms = [shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes]
    cells = PolygonCells(geoms, max_cells=2_000)
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(-50, 1250, 2_000), rng.uniform(-50, 1250, 2_000)
    # Box corners and edge midpoints exercise the boundary rule.
    for x, y, w, h in boxes:
        xs = np.append(xs, [x, x + w, x + w / 2, x])
        ys = np.append(ys, [y, y + h, y, y + h / 2])
    assert np.array_equal(cells.query(xs, ys), reference(geoms, xs, ys))


def test_empty_layer_answers_none():
    cells = PolygonCells([])
    assert cells.query_one(1.0, 2.0) == -1
    assert cells.query(np.array([1.0]), np.array([2.0])).tolist() == [-1]


def test_nearest_line_within_tolerance_agrees_with_shapely():
    lines = [
        shapely.LineString([(0, 0), (1000, 1000)]),
        shapely.LineString([(0, 500), (2000, 500), (2000, 900)]),
        shapely.LineString([(0, 520), (2000, 520)]),  # parallel to line 1, 20 m away
    ]
    index = LineCells(lines, max_distance=100)
    rng = np.random.default_rng(2)
    for x, y in zip(rng.uniform(-200, 2200, 3_000), rng.uniform(-200, 1200, 3_000), strict=True):
        d = shapely.distance(np.array(lines), shapely.Point(x, y))
        got = index.nearest(float(x), float(y), 30.0)
        if d.min() > 30.0:
            assert got is None
        else:
            assert got is not None
            assert got[1] == pytest.approx(d.min(), abs=1e-9)
            assert got[0] == int(np.flatnonzero(np.isclose(d, d.min(), atol=1e-9))[0])
    # Exactly between lines 1 and 2: the lower index wins the tie.
    tie = index.nearest(1000.0, 510.0, 30.0)
    assert tie is not None
    assert tie[0] == 1
    assert tie[1] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="max_distance"):
        index.nearest(0.0, 0.0, 150.0)
