"""Prometheus metrics of the JT/T 808 gateway process (issue 19: gateway connections and frames).

The gateway is its own process (not an app process), so it answers its own scrape on
``CITYOPS_JT808_METRICS_PORT`` (loopback by default; 0: off). The figures are read from the
running ``Gateway`` at scrape time (its ``Stats`` counters and open sessions): the frame path
pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from cityops.vehicles.gateway import Gateway

# Every metric name the gateway exports (deploy/grafana's dashboard test reads this list).
GATEWAY_METRICS = (
    "cityops_jt808_connections",
    "cityops_jt808_terminals",
    "cityops_jt808_frames",
    "cityops_jt808_positions",
    "cityops_jt808_positions_stored",
    "cityops_jt808_frames_dropped",
    "cityops_jt808_refused",
    "cityops_jt808_idle_closed",
)


class GatewayCollector(Collector):
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def collect(self) -> Iterator[Metric]:
        gw, stats = self.gateway, self.gateway.stats
        sessions = list(gw.sessions)
        yield GaugeMetricFamily(
            "cityops_jt808_connections", "Open TCP connections to the gateway", len(sessions)
        )
        yield GaugeMetricFamily(
            "cityops_jt808_terminals",
            "Connections of authenticated terminals",
            sum(1 for s in sessions if s.authenticated),
        )
        yield CounterMetricFamily("cityops_jt808_frames", "Frames decoded", stats.frames)
        yield CounterMetricFamily(
            "cityops_jt808_positions", "Positioned fixes received", stats.positions
        )
        yield CounterMetricFamily(
            "cityops_jt808_positions_stored",
            "Fixes made durable (stored, or acknowledged by JetStream) and acknowledged",
            stats.stored,
        )
        dropped = CounterMetricFamily(
            "cityops_jt808_frames_dropped", "Frames dropped, by reason", labels=["reason"]
        )
        for reason, n in sorted(stats.dropped.items()):
            dropped.add_metric([reason], n)
        yield dropped
        yield CounterMetricFamily(
            "cityops_jt808_refused", "Terminals refused (unknown, bad code, no auth)", stats.refused
        )
        yield CounterMetricFamily(
            "cityops_jt808_idle_closed", "Connections closed after silence", stats.idle_closed
        )


def gateway_registry(gateway: Gateway) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(GatewayCollector(gateway))
    return registry


def metrics_serve(gateway: Gateway, *, host: str, port: int) -> None:
    """Answer ``GET /metrics`` for this gateway on host:port (a daemon thread)."""
    start_http_server(port, addr=host, registry=gateway_registry(gateway))
