# REST tokens become rows of core.Credential (issue 13 §6). The stored SHA-256 digest moves
# as-is (core.credentials hashes the same way), so every issued token keeps working.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    ApiToken = apps.get_model('api', 'ApiToken')
    Credential = apps.get_model('core', 'Credential')
    for token in ApiToken.objects.order_by('pk').iterator():
        # ``active`` False without a moment (only ever set by hand): revoked when last changed.
        revoked_at = token.revoked_at or (None if token.active else token.updated_at)
        credential = Credential.objects.create(
            kind='api_token',
            name=token.name,
            owner_id=token.user_id,
            prefix=token.prefix,
            secret_hash=token.key_hash,
            created_at=token.created_at,
            revoked_at=revoked_at,
            last_used_at=token.last_used_at,
        )
        ApiToken.objects.filter(pk=token.pk).update(credential=credential)


def backwards(apps, schema_editor):
    ApiToken = apps.get_model('api', 'ApiToken')
    for token in ApiToken.objects.select_related('credential').iterator():
        c = token.credential
        ApiToken.objects.filter(pk=token.pk).update(
            name=c.name, user_id=c.owner_id, prefix=c.prefix, key_hash=c.secret_hash,
            active=c.revoked_at is None, revoked_at=c.revoked_at, last_used_at=c.last_used_at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_outbox_rows'),
        ('core', '0005_credential'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='credential',
            field=models.OneToOneField(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='api_token', to='core.credential', verbose_name='credential'),
        ),
        # Nullable while the rows are copied (and when going back).
        migrations.AlterField(model_name='apitoken', name='key_hash', field=models.CharField(editable=False, max_length=64, null=True, unique=True)),
        migrations.AlterField(model_name='apitoken', name='user', field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='acts as')),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name='apitoken', name='name'),
        migrations.RemoveField(model_name='apitoken', name='user'),
        migrations.RemoveField(model_name='apitoken', name='prefix'),
        migrations.RemoveField(model_name='apitoken', name='key_hash'),
        migrations.RemoveField(model_name='apitoken', name='active'),
        migrations.RemoveField(model_name='apitoken', name='revoked_at'),
        migrations.RemoveField(model_name='apitoken', name='last_used_at'),
        migrations.AlterField(
            model_name='apitoken',
            name='credential',
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='api_token', to='core.credential', verbose_name='credential'),
        ),
    ]
