"""Site chrome: the favicon exists (no 404 on a first load); the admin's third-party sections
(login throttling, background tasks) speak the user's language."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("cityops/favicon.svg")
    assert finders.find("cityops/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_admin_third_party_sections_are_translated(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(admin)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录限制" in html
    assert "后台任务" in html
    assert "访问尝试" in html
    assert "任务结果" in html
    assert ">Axes<" not in html
    assert "Tasks Database Backend" not in html
