from django.db import migrations

# Free space left in each page of the vehicle table (PostgreSQL only; SQLite has no such
# setting). Every stored batch of positions moves the live state (fix_*, last_seen_at) of the
# vehicles it holds, up to every vehicle several times a second at 10,000 terminals: with room
# on the page such an update (no indexed column changes) is a HOT update, without a new entry
# in the table's seven indexes. Applies to pages written from now on; ``VACUUM FULL
# vehicles_vehicle`` rewrites the existing ones.
FILLFACTOR = 50


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE vehicles_vehicle SET (fillfactor = {FILLFACTOR})")


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE vehicles_vehicle RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0003_vehicle_alarms")]

    operations = [migrations.RunPython(fillfactor, fillfactor_reset)]
