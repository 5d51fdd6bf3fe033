# Open311 keys become rows of core.Credential (issue 13 §6). The stored SHA-256 digest moves
# as-is (core.credentials hashes the same way), so every issued key keeps working; the key's
# id stays, so its requests keep pointing at it.

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    ApiKey = apps.get_model('open311', 'ApiKey')
    Credential = apps.get_model('core', 'Credential')
    for key in ApiKey.objects.order_by('pk').iterator():
        # ``active`` False without a moment (only ever set by hand): revoked when last changed.
        revoked_at = key.revoked_at or (None if key.active else key.updated_at)
        credential = Credential.objects.create(
            kind='open311_key',
            name=key.name,
            prefix=key.prefix,
            secret_hash=key.key_hash,
            created_at=key.created_at,
            revoked_at=revoked_at,
            last_used_at=key.last_used_at,
        )
        ApiKey.objects.filter(pk=key.pk).update(credential=credential)


def backwards(apps, schema_editor):
    ApiKey = apps.get_model('open311', 'ApiKey')
    for key in ApiKey.objects.select_related('credential').iterator():
        c = key.credential
        ApiKey.objects.filter(pk=key.pk).update(
            name=c.name, prefix=c.prefix, key_hash=c.secret_hash, active=c.revoked_at is None,
            revoked_at=c.revoked_at, last_used_at=c.last_used_at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('open311', '0005_request_number'),
        ('core', '0005_credential'),
    ]

    operations = [
        migrations.AddField(
            model_name='apikey',
            name='credential',
            field=models.OneToOneField(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='open311_key', to='core.credential', verbose_name='credential'),
        ),
        # Nullable while the rows are copied (and when going back).
        migrations.AlterField(model_name='apikey', name='key_hash', field=models.CharField(editable=False, max_length=64, null=True, unique=True)),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name='apikey', name='name'),
        migrations.RemoveField(model_name='apikey', name='prefix'),
        migrations.RemoveField(model_name='apikey', name='key_hash'),
        migrations.RemoveField(model_name='apikey', name='active'),
        migrations.RemoveField(model_name='apikey', name='revoked_at'),
        migrations.RemoveField(model_name='apikey', name='last_used_at'),
        migrations.AlterField(
            model_name='apikey',
            name='credential',
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='open311_key', to='core.credential', verbose_name='credential'),
        ),
    ]
