"""A third-party client drives the server: ``georeport`` (PyPI, the only Open311 client library
that still runs on Python 3) lists services, reads a definition and reads requests back in XML
and JSON. It has no POST method, so the POST is sent the way the ``three`` library sends it
(form body with ``api_key``, multipart ``media``) with plain ``requests``."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.open311.tests.conftest import WEST, jpeg_with_exif

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_round_trip(
    live_server: Any, catalogue: Any, api_key: str, admit: Any, fmt: str
) -> None:
    root = f"{live_server.url}/open311/v2"
    client = georeport.GeoReport(root, jurisdiction="tongliao.gov.cn", output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "event-0102" in codes
    definition = client.get_service_definition("event-0402")
    attribute = (
        definition["attributes"][0] if fmt == "json" else definition["attributes"]["attribute"]
    )
    assert attribute["code"] == "size"

    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={"api_key": api_key, "jurisdiction_id": "tongliao.gov.cn",
              "service_code": "event-0402", "lat": WEST[1], "long": WEST[0],
              "description": "路面塌陷", "attribute[size]": "large",
              "first_name": "Zach", "last_name": "Williams", "phone": "555-5555555"},
        files={"media": ("photo.jpg", jpeg_with_exif(), "image/jpeg")},
        timeout=30,
    )  # fmt: skip
    assert posted.status_code == 200, posted.text
    if fmt == "json":
        token = posted.json()[0]["token"]
        number = posted.json()[0]["service_request_id"]
    else:
        assert posted.headers["Content-Type"] == "text/xml; charset=utf-8"
        token = posted.text.split("<token>")[1].split("<")[0]
        number = posted.text.split("<service_request_id>")[1].split("<")[0]
    # The client GETs the request back at once: a minimal record until it is verified.
    received = client.get_service_request(number)
    assert received["service_request_id"] == number
    assert received["status"] == "open"
    assert received["service_code"] == "event-0402"
    assert not received.get("description")
    assert not received.get("media_url")
    resolved = requests.get(f"{root}/tokens/{token}.json", timeout=30).json()
    assert resolved == [{"service_request_id": number, "token": token}]
    # Once the command centre accepts it, the same id answers the full public record.
    assert admit(token) == number

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert one["media_url"].startswith(live_server.url)
    assert "Williams" not in str(one)
    assert "555" not in str(one)
    many = client.get_service_requests(service_code="event-0402", status="open")
    found = many if fmt == "json" else [many] if isinstance(many, dict) else many
    assert [r["service_request_id"] for r in found] == [number]
