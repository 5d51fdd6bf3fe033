"""The gateway's Prometheus metrics (connections, authenticated terminals, frames) on a real
TCP port, and the Grafana dashboard in deploy/grafana/: every metric it plots is one we export,
and every metric we export has a panel (issue 19)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cityops.core.metrics import scrape
from cityops.registry.testing import SmallCity
from cityops.vehicles.client import SimTerminal
from cityops.vehicles.gateway import DbSink, Gateway
from cityops.vehicles.metrics import GATEWAY_METRICS, gateway_registry
from cityops.vehicles.positions import positions_store, vehicles_seen
from cityops.vehicles.terminals import DbDirectory
from cityops.vehicles.testing import location, run_async, vehicle_make

DASHBOARD = Path(settings.BASE_DIR) / "deploy" / "grafana" / "cityops.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def sample_names(text: str) -> set[str]:
    """Every series name a scrape of ``text``'s families can carry (from the families' types, so
    a labelled gauge with no sample in this scrape still counts)."""
    names = set()
    for family in text_string_to_metric_families(text):
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def gateway_text(gw: Gateway) -> str:
    return generate_latest(gateway_registry(gw)).decode()


def value(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} not in the scrape")


@pytest.mark.django_db(transaction=True)
def test_gateway_counts_connections_terminals_and_frames(small_city: SmallCity) -> None:
    vehicle_make(small_city, "13900000077")

    async def main() -> tuple[str, str, str]:
        sink = DbSink(
            store=lambda rows: positions_store(rows),
            seen=lambda ids, at: vehicles_seen(vehicle_ids=ids, at=at),
            batch_ms=20,
            cleanup=lambda: connection.close(),
        )
        gw = Gateway(directory=DbDirectory(), sink=sink, cleanup=lambda: connection.close())
        port = await gw.start("127.0.0.1", 0)
        try:
            idle = gateway_text(gw)
            terminal = SimTerminal("13900000077")
            await terminal.login("127.0.0.1", port)
            await terminal.location(location())
            stranger = SimTerminal("13900000099")  # connected, never authenticated
            await stranger.connect("127.0.0.1", port)
            await terminal.heartbeat()
            busy = gateway_text(gw)
            await terminal.close()
            await stranger.close()
            for _ in range(100):
                if not gw.sessions:
                    break
                await asyncio.sleep(0.02)
            return idle, busy, gateway_text(gw)
        finally:
            await gw.close()

    idle, busy, after = run_async(main())
    assert value(idle, "cityops_jt808_connections") == 0
    assert value(busy, "cityops_jt808_connections") == 2
    assert value(busy, "cityops_jt808_terminals") == 1
    assert value(busy, "cityops_jt808_frames_total") == 4  # register, authenticate, fix, beat
    assert value(busy, "cityops_jt808_positions_total") == 1
    assert value(busy, "cityops_jt808_positions_stored_total") == 1
    assert value(after, "cityops_jt808_connections") == 0
    assert {f.name for f in text_string_to_metric_families(busy)} == set(GATEWAY_METRICS)


@pytest.mark.django_db
def test_the_dashboard_plots_every_exported_metric_and_nothing_else(client: Client) -> None:
    client.get("/livez")  # one request: the request histogram has samples
    exported = sample_names(scrape().decode())
    gw = Gateway(directory=DbDirectory(), sink=DbSink(store=lambda rows: 0))
    exported |= sample_names(gateway_text(gw))
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    plotted = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bcityops_[a-z0-9_]+", target["expr"])
    }
    assert plotted - exported == set(), "the dashboard plots metrics nobody exports"
    families = {re.sub(r"(_total|_bucket|_sum|_count)$", "", n) for n in plotted}
    ours = (f.name for f in text_string_to_metric_families(scrape().decode()))
    # (the client library's process_/python_ metrics and the counters' _created timestamps are
    # standard: no panel of ours)
    exported_families = {
        n for n in ours if n.startswith("cityops_") and not n.endswith("_created")
    } | set(GATEWAY_METRICS)
    assert exported_families - families == set(), "exported metrics without a panel"
