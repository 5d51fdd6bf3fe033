"""Notification deliveries and phone SMS become outbox rows (cityops.core.outbox): claim lease
(``claimed_until``, was ``claimed_at``), ``next_attempt_at``, ``last_error`` (was ``error``),
and the outbox statuses; existing rows keep their state and backoff."""

import datetime as dt

from django.db import migrations, models

OLD_STALE_CLAIM = dt.timedelta(minutes=10)
OLD_MAX_ATTEMPTS = 5
STATUS = models.CharField(
    choices=[
        ("pending", "Pending"),
        ("sending", "Sending"),
        ("sent", "Sent"),
        ("failed", "Failed, will retry"),
        ("dead", "Failed, given up"),
        ("skipped", "Skipped"),
    ],
    default="pending",
    max_length=10,
    verbose_name="status",
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in ("Delivery", "PhoneMessage"):
        rows = apps.get_model("notifications", name).objects
        # Few rows are "sending" at any time: per row, no backend-specific date arithmetic.
        for row in rows.filter(status="sending").only("pk", "claimed_at", "created_at"):
            since = row.claimed_at or row.created_at
            rows.filter(pk=row.pk).update(claimed_until=since + OLD_STALE_CLAIM)
        rows.filter(status="failed", attempts__gte=OLD_MAX_ATTEMPTS).update(status="dead")
        # The old rule: the next try 2**attempts minutes after the last claim.
        for row in rows.filter(status="failed").only("pk", "attempts", "claimed_at", "created_at"):
            since = row.claimed_at or row.created_at
            rows.filter(pk=row.pk).update(
                next_attempt_at=since + dt.timedelta(minutes=2**row.attempts)
            )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in ("Delivery", "PhoneMessage"):
        rows = apps.get_model("notifications", name).objects
        rows.filter(status="dead").update(status="failed")
        for row in rows.filter(status="sending").only("pk", "claimed_until", "created_at"):
            until = row.claimed_until or row.created_at + OLD_STALE_CLAIM
            rows.filter(pk=row.pk).update(claimed_at=until - OLD_STALE_CLAIM)


def outbox_columns(model: str) -> list[migrations.operations.base.Operation]:
    return [
        migrations.RenameField(model_name=model, old_name="error", new_name="last_error"),
        migrations.AlterField(
            model_name=model,
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AddField(
            model_name=model,
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
        ),
        migrations.AddField(
            model_name=model,
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="claim"),
        ),
        migrations.AddField(
            model_name=model,
            name="claimed_by",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="claimed by"
            ),
        ),
        migrations.AddField(
            model_name=model,
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AlterField(model_name=model, name="status", field=STATUS),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_phone_message"),
        ("core", "0004_outbox_delivery_log"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="delivery", name="notificatio_status_7a4871_idx"),
        migrations.RemoveIndex(model_name="phonemessage", name="notif_phone_status_idx"),
        *outbox_columns("delivery"),
        *outbox_columns("phonemessage"),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="delivery", name="claimed_at"),
        migrations.RemoveField(model_name="phonemessage", name="claimed_at"),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due_idx"),
        ),
        migrations.AddIndex(
            model_name="phonemessage",
            index=models.Index(fields=["status", "next_attempt_at"], name="notif_phone_due_idx"),
        ),
    ]
