from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.estates.models import Owner, Unit
from cityops.estates.services.register import (
    ImportFailed,
    owner_link_user,
    owners_import,
    read_csv,
)
from cityops.estates.services.votes import proposal_tally
from cityops.estates.testing import open_proposal

HEADER = (
    "building,entrance,room,area,owner_key,owner_name,co_owners,phone,id_number,developer_held\n"
)
GOOD = HEADER + (
    "1,1,101,89.50,A1,张三,李梅,13912345678,152301199001011234,0\n"
    "1,1,102,90.00,A1,张三,,,,0\n"
    "1,2,101,120.25,A2,王五,,,,0\n"
    "2,1,101,75.00,,,,,,1\n"
    "2,1,102,75.00,,,,,,1\n"
)


def write(tmp_path: Path, text: str, name: str = "owners.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_counts_buyer_and_developer_once(small_city, tmp_path):
    out = StringIO()
    call_command("import_owners", "C-1", str(write(tmp_path, GOOD)), stdout=out)
    assert "5" in out.getvalue()
    compound = small_city.compound
    assert Unit.objects.filter(compound=compound).count() == 5
    assert Owner.objects.filter(compound=compound).count() == 3  # A1, A2, developer
    zhang = Owner.objects.get(compound=compound, key="A1")
    assert zhang.name == "张三"
    assert zhang.co_owners == "李梅"
    assert zhang.phone == "13912345678"
    # Personal data is ciphertext in the table.
    with connection.cursor() as cur:
        cur.execute("SELECT name, phone FROM estates_owner WHERE id = %s", [zhang.pk])
        raw_name, raw_phone = cur.fetchone()
    assert "张三" not in raw_name
    assert "1391" not in raw_phone
    dev = Owner.objects.get(compound=compound, is_developer=True)
    assert dev.units.count() == 2
    assert all(u.developer_held for u in dev.units.all())
    assert AuditEvent.objects.filter(code="estates.register.imported").count() == 1


def test_reimport_is_idempotent_and_updates(small_city, tmp_path):
    call_command("import_owners", "C-1", str(write(tmp_path, GOOD)), stdout=StringIO())
    changed = GOOD.replace("120.25,A2,王五", "121.00,A2,王五")
    summary = owners_import(compound=small_city.compound, rows=read_csv(changed.encode()))
    assert (summary.units_created, summary.units_updated, summary.owners_created) == (0, 1, 0)
    assert summary.total_area == Decimal("450.50")


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("1,1,201,-3,B1,赵六,,,,0", "area"),
        ("1,1,201,abc,B1,赵六,,,,0", "area"),
        ("1,1,201,80.123,B1,赵六,,,,0", "area"),
        (",1,201,80,B1,赵六,,,,0", "building"),
        ("1,1,201,80,,赵六,,,,0", "owner_key"),
        ("1,1,201,80,B1,,,,,0", "owner_name"),
        ("1,1,201,80,B1,赵六,,,,maybe", "developer_held"),
        ("1,1,101,80,B1,赵六,,,,0", "room"),  # same unit as row 2
        ("1,1,201,80,A1,别人,,,,0", "owner_name"),  # A1 is 张三 in row 2
    ],
)
def test_row_errors_refuse_the_whole_file(small_city, tmp_path, row, column):
    text = GOOD + row + "\n"
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_owners", "C-1", str(write(tmp_path, text)), stderr=err)
    assert f"row 7, {column}" in err.getvalue()
    assert not Unit.objects.exists()
    assert not Owner.objects.exists()


def test_file_level_errors(small_city, tmp_path):
    with pytest.raises(CommandError, match="No compound"):
        call_command("import_owners", "NOPE", str(write(tmp_path, GOOD)))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_owners", "C-1", str(tmp_path / "missing.csv"))
    with pytest.raises(ImportFailed) as missing:
        read_csv(b"building,room\n1,101\n")
    assert {e.column for e in missing.value.errors} == {"area", "owner_key", "owner_name"}
    with pytest.raises(ImportFailed):
        read_csv("building".encode("utf-16"))
    with pytest.raises(ImportFailed):
        owners_import(compound=small_city.compound, rows=read_csv(HEADER.encode()))


def test_imported_register_feeds_the_tally(small_city, personas, tmp_path):
    call_command("import_owners", "C-1", str(write(tmp_path, GOOD)), stdout=StringIO())
    p = open_proposal(small_city.compound, actor=personas.community_officer)
    result = proposal_tally(p)
    assert result.total_owners == 3
    assert result.total_area == Decimal("449.75")


def test_link_owner_to_resident_account(small_city, personas, tmp_path):
    call_command("import_owners", "C-1", str(write(tmp_path, GOOD)), stdout=StringIO())
    zhang = Owner.objects.get(key="A1")
    owner_link_user(owner=zhang, user=personas.citizen)
    assert zhang.user == personas.citizen or Owner.objects.get(key="A1").user == personas.citizen
    with pytest.raises(DomainError):
        owner_link_user(owner=Owner.objects.get(is_developer=True), user=personas.citizen)


def test_one_person_under_two_references_is_one_owner(small_city, personas, tmp_path):
    # A1 and B7 are the same person (same ID document, written with a lower-case check
    # character the second time); A2 has no ID number and stays one owner by reference.
    text = HEADER + (
        "1,1,101,100.00,A1,张三,,,15230119900101123X,0\n"
        "1,1,102,100.00,B7,张三,,, 15230119900101123x,0\n"
        "1,2,101,100.00,A2,王五,,,,0\n"
        "1,2,102,100.00,A3,赵六,,,152301198502021111,0\n"
    )
    summary = owners_import(compound=small_city.compound, rows=read_csv(text.encode()))
    assert summary.owner_count == 3
    a1, b7 = (Owner.objects.get(compound=small_city.compound, key=k) for k in ("A1", "B7"))
    assert a1.id_index
    assert a1.id_index == b7.id_index
    assert "15230119900101123" not in a1.id_index
    officer = personas.community_officer
    p = open_proposal(small_city.compound, actor=officer)
    result = proposal_tally(p)
    assert result.total_owners == 3
    assert result.total_area == Decimal("400.00")
    # The person votes under both references: counted once, with both units' area.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cityops.estates.services.votes import ballot_cast

    for owner in (a1, b7):
        ballot_cast(
            proposal_id=p.pk,
            owner=owner,
            choice="agree",
            actor=officer,
            channel="paper",
            scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
        )
    result = proposal_tally(p)
    assert result.participating_owners == 1
    assert result.agree_area == Decimal("200.00")
