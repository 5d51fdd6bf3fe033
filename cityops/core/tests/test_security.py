import pytest

from cityops.core.middleware import tile_origin
from cityops.core.workers import heartbeat_beat


def test_tile_origin_wildcards_subdomain_template():
    url = "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&tk=KEY"
    assert tile_origin(url) == "https://*.tianditu.gov.cn"
    assert tile_origin("http://127.0.0.1:9000/{z}/{x}/{y}.png") == "http://127.0.0.1:9000"
    assert tile_origin("") == ""


@pytest.mark.django_db
def test_pages_forbid_inline_scripts_and_framing(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_home_has_no_inline_script(client):
    html = client.get("/").content.decode()
    # Every <script> tag loads a file; json_script data blocks are not executable.
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag


@pytest.mark.django_db
def test_health_endpoint(client):
    heartbeat_beat(token="w1", kind="worker")
    heartbeat_beat(token="s1", kind="scheduler")
    assert client.get("/healthz").json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "queue_health": {"ok": True, "queued": 0, "oldest_seconds": 0, "failed": 0},
            "workers_health": {"ok": True, "workers": 1, "schedulers": 1},
        },
    }


@pytest.mark.django_db
def test_api_docs_served_locally(client, personas):
    client.force_login(personas.admin)
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
