"""Benchmark: the registry base map and the geocoder on the demo district (cityops.maps).

    python bench/maps_basemap.py                 # demo district, scale 1
    python bench/maps_basemap.py --scale 4       # a larger district
    python bench/maps_basemap.py --queries 5000

Sets up its own SQLite database under var/bench/, loads the demo district with
``manage.py load_demo_city`` and measures, in one run:

* the base map per zoom bucket: build time from the registry (cache cleared, best of 3), the
  document's size raw and gzipped (what the first draw downloads), features and labels;
  serving it through Django's test client with the cache warm (p50/p95 of 50 requests, gzip)
  and a revalidation (If-None-Match → 304); baseline in the same run: the registry API's
  unsimplified GeoJSON of the same layers (``/api/v1/registry/…``, what a map would otherwise
  fetch);
* the geocoder: gazetteer build time, then ``address_search`` on a mix of queries (road names,
  prefixes, intersections "A与B交叉口", compounds, parks, communities, component codes, misses)
  and ``address_at`` on random points in the district (target < 50 ms p95 each), against a
  same-run naive baseline: ``icontains`` queries over the registry tables for search, a nearest
  road by a loop over every road geometry for reverse.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, machine, setup_django


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def timed(fn: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1e3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    setup_django("maps_basemap")
    import shapely
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import Q
    from django.test import Client

    from cityops.accounts.models import Role
    from cityops.accounts.services import user_ensure
    from cityops.maps import basemap, geocoder
    from cityops.registry import models as m

    print(f"machine: {machine()}")
    start = time.perf_counter()
    call_command("load_demo_city", "--no-progress", seed=args.seed, scale=args.scale, verbosity=0)
    print(
        f"data: demo district (seed {args.seed}, scale {args.scale:g}) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    counts = {
        name: model.objects.count()
        for name, model in (
            ("roads", m.RoadSegment),
            ("compounds", m.Compound),
            ("green spaces", m.GreenSpace),
            ("communities", m.Community),
            ("grids", m.Grid),
            ("components", m.Component),
        )
    }
    print("rows: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    lat0, lon0 = settings.CITYOPS_MAP_CENTER
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    # --- base map -----------------------------------------------------------------------------
    print("\nbase map (registry → compact GeoJSON per zoom bucket)")
    print("bucket | build ms | raw KB | gzip KB | features | labels | serve p50/p95 ms | 304 ms")
    client = Client()
    first_draw = 0
    for bucket in basemap.BUCKETS:

        def build(b: int = bucket) -> Any:
            cache.clear()
            return basemap.basemap_document(zoom=b, lon0=lon0, lat0=lat0)

        t_build = best_of(3, build)
        doc = basemap.basemap_document(zoom=bucket, lon0=lon0, lat0=lat0)
        parsed = json.loads(doc.body)
        features = sum(len(layer["features"]) for layer in parsed["layers"].values())
        url = f"/maps/base/{bucket}.json"
        client.get(url, **{"HTTP_ACCEPT_ENCODING": "gzip"})
        serve = timed(lambda _i, u=url: client.get(u, HTTP_ACCEPT_ENCODING="gzip"), list(range(50)))
        t304 = timed(
            lambda _i, u=url, tag=doc.etag: client.get(u, HTTP_IF_NONE_MATCH=tag), list(range(50))
        )
        first_draw = len(doc.gzipped) if bucket == 13 else first_draw
        print(
            f"{bucket:6} | {t_build * 1e3:8.0f} | {len(doc.body) / 1024:6.0f} | "
            f"{len(doc.gzipped) / 1024:7.0f} | {features:8} | {len(parsed['labels']):6} | "
            f"{pct(serve, 50):5.1f} / {pct(serve, 95):5.1f}    | {pct(t304, 50):4.1f}"
        )
    print(f"first draw at the default zoom 13: {first_draw / 1024:.0f} KB gzipped, one request")

    # Baseline: what a map would fetch from the registry API for the same layers, unsimplified.
    staff = user_ensure(
        username="bench-maps",
        password="bench-maps-pass",  # noqa: S106 (a throw-away bench database)
        role=Role.DISPATCHER,
    )
    api = Client()
    api.force_login(staff)
    raw_total = 0
    t0 = time.perf_counter()
    for path in (
        "/api/v1/registry/assets/?kind=road",
        "/api/v1/registry/assets/?kind=green",
        "/api/v1/registry/assets/?kind=compound",
        "/api/v1/registry/areas/?level=community",
        "/api/v1/registry/areas/?level=grid",
    ):
        raw_total += len(api.get(path).content)
    t_api = time.perf_counter() - t0
    print(
        f"baseline: registry API GeoJSON of the same layers (unsimplified, 5 requests, capped "
        f"at 2,000 rows each): {raw_total / 1024:.0f} KB raw in {t_api * 1e3:.0f} ms"
    )

    # --- geocoder ------------------------------------------------------------------------------
    print("\ngeocoder")
    from cityops.registry.spatial import registry_index

    idx = registry_index()
    t_gaz = best_of(3, lambda: geocoder.build_gazetteer(idx))
    gaz = geocoder.gazetteer()
    print(
        f"gazetteer build: {t_gaz * 1e3:.0f} ms ({len(gaz.roads)} roads by name, "
        f"{len(gaz.crossings)} intersections, {len(gaz.places)} places, "
        f"{len(gaz.components)} components)"
    )
    rng = np.random.default_rng(args.seed)
    roads = sorted(gaz.roads)
    names = [p.name for p in gaz.places if p.kind in ("compound", "green", "community")]
    crossings = [f"{a}与{b}交叉口" for a, b, _x, _y in gaz.crossings]
    codes = sorted(gaz.components)
    pool = (
        roads
        + [r[:2] for r in roads]
        + crossings
        + [c.replace("(演示)", "") for c in crossings]
        + names
        + codes[:200]
        + ["不存在的地方", "xyz"]
    )
    queries = [pool[int(i)] for i in rng.integers(0, len(pool), args.queries)]
    geocoder.address_search(query=queries[0])  # warm-up
    search = timed(lambda q: geocoder.address_search(query=q), queries)
    found = sum(1 for q in queries[:300] if geocoder.address_search(query=q))
    print(
        f"address_search: {len(queries)} queries, p50 {pct(search, 50):.2f} ms, "
        f"p95 {pct(search, 95):.2f} ms, max {max(search):.1f} ms (target p95 < 50 ms); "
        f"{found / 3:.0f} % of a sample answered"
    )

    def naive_search(q: str) -> list[Any]:
        hits: list[Any] = []
        for model in (m.RoadSegment, m.Compound, m.GreenSpace, m.Community):
            hits += list(model.objects.filter(Q(name__icontains=q) | Q(code=q))[:10])
        return hits

    base_search = timed(naive_search, queries[:300])
    print(
        f"baseline icontains over 4 tables (no intersections, no community): "
        f"p50 {pct(base_search, 50):.2f} ms, p95 {pct(base_search, 95):.2f} ms"
    )

    w, s, e, n = (
        float(v)
        for v in np.array(
            list(m.District.objects.values_list("min_lon", "min_lat", "max_lon", "max_lat"))
        )
        .T.reshape(4, -1)
        .mean(axis=1)
    )
    lons, lats = rng.uniform(w, e, args.queries), rng.uniform(s, n, args.queries)
    points = list(zip(lons.tolist(), lats.tolist(), strict=True))
    geocoder.address_at(lon=points[0][0], lat=points[0][1])
    rev = timed(lambda p: geocoder.address_at(lon=p[0], lat=p[1]), points)
    named = sum(1 for p in points[:300] if geocoder.address_at(lon=p[0], lat=p[1]).address)
    print(
        f"address_at: {len(points)} points, p50 {pct(rev, 50):.2f} ms, p95 {pct(rev, 95):.2f} ms,"
        f" max {max(rev):.1f} ms (target p95 < 50 ms); {named / 3:.0f} % of a sample named"
    )
    road_shapes = [
        (name, shapely.geometry.shape(g))
        for name, g in m.RoadSegment.objects.values_list("name", "geometry")
    ]

    def naive_reverse(p: tuple[float, float]) -> str:
        point = shapely.Point(p)
        return min(road_shapes, key=lambda r: r[1].distance(point))[0]

    base_rev = timed(naive_reverse, points[:300])
    print(
        f"baseline nearest road by a loop over {len(road_shapes)} roads (degrees, no "
        f"intersection, no community): p50 {pct(base_rev, 50):.2f} ms, "
        f"p95 {pct(base_rev, 95):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
