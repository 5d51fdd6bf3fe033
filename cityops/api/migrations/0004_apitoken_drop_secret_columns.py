# The second half of 0003_apitoken_credential:
# the copied columns go and the credential becomes required.
# A migration of its own: on PostgreSQL the rows the data step inserted leave deferred
# foreign-key trigger events, and a table with pending trigger events cannot be altered in
# the same transaction.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_apitoken_credential'),
    ]

    operations = [
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
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='api_token', to='core.credential', verbose_name='credential'),
        ),
    ]
