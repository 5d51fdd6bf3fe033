from decimal import Decimal

from django.db import migrations

# ◐ defaults from cn-standards §5.4 (Shandong / 烟台): AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below.
BANDS = [("AAA", Decimal(85)), ("AA", Decimal(80)), ("A", Decimal(70)), ("B", Decimal(60)), ("C", None)]


def seed(apps, schema_editor):
    band = apps.get_model("estates", "CreditBand")
    for grade, min_score in BANDS:
        band.objects.get_or_create(grade=grade, defaults={"min_score": min_score})


class Migration(migrations.Migration):
    dependencies = [("estates", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
