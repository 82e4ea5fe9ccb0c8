"""Preload the 2021 national floor of the monitoring range: 6000 yuan per person per year."""

from decimal import Decimal

from django.db import migrations

FLOOR_YEAR = 2021
FLOOR_YUAN = Decimal("6000")


def add_floor(apps, schema_editor):
    Threshold = apps.get_model("households", "Threshold")
    Threshold.objects.get_or_create(
        province=None,
        year=FLOOR_YEAR,
        defaults={"yuan_per_person": FLOOR_YUAN, "source": "2021 national floor (全国底线)"},
    )


def remove_floor(apps, schema_editor):
    Threshold = apps.get_model("households", "Threshold")
    Threshold.objects.filter(province=None, year=FLOOR_YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(add_floor, remove_floor)]
