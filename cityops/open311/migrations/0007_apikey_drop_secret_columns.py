# The second half of 0006_apikey_credential:
# the copied columns go and the credential becomes required.
# A migration of its own: on PostgreSQL the rows the data step inserted leave deferred
# foreign-key trigger events, and a table with pending trigger events cannot be altered in
# the same transaction.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('open311', '0006_apikey_credential'),
    ]

    operations = [
        migrations.RemoveField(model_name='apikey', name='name'),
        migrations.RemoveField(model_name='apikey', name='prefix'),
        migrations.RemoveField(model_name='apikey', name='key_hash'),
        migrations.RemoveField(model_name='apikey', name='active'),
        migrations.RemoveField(model_name='apikey', name='revoked_at'),
        migrations.RemoveField(model_name='apikey', name='last_used_at'),
        migrations.AlterField(
            model_name='apikey',
            name='credential',
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='open311_key', to='core.credential', verbose_name='credential'),
        ),
    ]
