"""Webhook deliveries become outbox rows (cityops.core.outbox): claim columns, ``sent_at``
(was ``delivered_at``), and the outbox statuses, existing rows translated."""

from django.db import migrations, models
from django.utils import timezone

FORWARD = {"succeeded": "sent", "failed": "dead"}  # old "failed" was final
BACKWARD = {"sent": "succeeded", "dead": "failed", "skipped": "failed"}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    rows = apps.get_model("api", "WebhookDelivery").objects
    for old, new in FORWARD.items():
        rows.filter(status=old).update(status=new)
    # A pending row with attempts behind it was waiting for its next try: "failed" now.
    rows.filter(status="pending", attempts__gt=0, next_attempt_at__isnull=False).update(
        status="failed"
    )
    rows.filter(status="pending", attempts__gt=0, next_attempt_at__isnull=True).update(
        status="failed", next_attempt_at=timezone.now()
    )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    rows = apps.get_model("api", "WebhookDelivery").objects
    rows.filter(status__in=["failed", "sending"]).update(status="pending")
    for new, old in BACKWARD.items():
        rows.filter(status=new).update(status=old)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("core", "0004_outbox_delivery_log"),
    ]

    operations = [
        migrations.RenameField(
            model_name="webhookdelivery", old_name="delivered_at", new_name="sent_at"
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="claim"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="claimed_by",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="claimed by"
            ),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
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
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["status", "next_attempt_at"], name="api_webhook_due_idx"),
        ),
    ]
