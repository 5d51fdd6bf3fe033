"""device_id and account_id become encrypted at rest like the e-mail: the columns widen to text,
then every stored plain value is replaced by its token (empty values too, so that the column
never tells which rows are empty)."""

from typing import Any

from django.db import migrations

import cityops.core.crypto

COLUMNS = ("device_id", "account_id")


def _convert(schema_editor: Any, change: Any) -> None:
    conn = schema_editor.connection
    qn = conn.ops.quote_name
    table = qn("open311_open311request")
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {qn('id')}, {qn('device_id')}, {qn('account_id')} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
        for pk, device, account in rows:
            cursor.execute(
                f"UPDATE {table} SET {qn('device_id')} = %s, {qn('account_id')} = %s "  # noqa: S608
                f"WHERE {qn('id')} = %s",
                [change(device or ""), change(account or ""), pk],
            )


def encrypt(apps: Any, schema_editor: Any) -> None:
    _convert(schema_editor, cityops.core.crypto.encrypt_str)


def decrypt(apps: Any, schema_editor: Any) -> None:
    _convert(schema_editor, lambda token: cityops.core.crypto.decrypt_str(token)[:100])


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0003_intake_failed_status_and_claim_owner"),
    ]

    operations = [
        migrations.AlterField(
            model_name="open311request",
            name="account_id",
            field=cityops.core.crypto.EncryptedTextField(
                blank=True, default="", verbose_name="account id"
            ),
        ),
        migrations.AlterField(
            model_name="open311request",
            name="device_id",
            field=cityops.core.crypto.EncryptedTextField(
                blank=True, default="", verbose_name="device id"
            ),
        ),
        # Reverse: decrypt first (RunPython runs before the AlterFields narrow the columns).
        migrations.RunPython(encrypt, decrypt),
    ]
