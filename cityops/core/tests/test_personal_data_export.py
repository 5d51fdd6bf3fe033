"""A person's data on request: found through the blind indexes, decrypted, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cityops.core.models import AuditEvent
from cityops.estates.services.register import owners_import, read_csv

CSV = (
    "building,entrance,room,area,owner_key,owner_name,co_owners,phone,id_number,developer_held\n"
    "1,1,101,100.00,A1,张三,,13912345678,152301199001011234,0\n"
    "1,2,101,100.00,A2,王五,,13800000000,152301198502021111,0\n"
)


def test_export_by_phone_and_id_number_finds_the_persons_records(
    verified, personas, small_city, tmp_path: Path
) -> None:
    mine = verified(source="hotline", actor=personas.intake_clerk, reporter_phone="13912345678",
                    reporter_name="张三")  # fmt: skip
    verified(source="hotline", actor=personas.intake_clerk, reporter_phone="13700000000")
    owners_import(compound=small_city.compound, rows=read_csv(CSV.encode()))
    out = tmp_path / "export.json"
    call_command(
        "personal_data_export", "--phone", "139 1234 5678", "--id-number",
        "152301199001011234", "--purpose", "申请人查阅 2026-12", "--out", str(out),
    )  # fmt: skip
    data = json.loads(out.read_text(encoding="utf-8"))
    cases = data["records"]["cases.Case"]
    assert [c["id"] for c in cases] == [mine.pk]
    assert cases[0]["reporter_name"] == "张三"
    assert cases[0]["reporter_phone"] == "13912345678"
    owners = data["records"]["estates.Owner"]
    assert [o["key"] for o in owners] == ["A1"]
    assert owners[0]["id_number"] == "152301199001011234"
    event = AuditEvent.objects.get(code="personal_data.exported")
    assert event.data["purpose"] == "申请人查阅 2026-12"
    assert event.data["counts"] == {"cases.Case": 1, "estates.Owner": 1}
    assert "13912345678" not in json.dumps(event.data)


def test_export_needs_a_purpose_and_a_value(db, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("personal_data_export", "--phone", "139", "--purpose", " ",
                     "--out", str(tmp_path / "x.json"))  # fmt: skip
    with pytest.raises(CommandError):
        call_command("personal_data_export", "--purpose", "x", "--out", str(tmp_path / "x.json"))
    assert not AuditEvent.objects.filter(code="personal_data.exported").exists()
