"""Load the whole country down to county level from data/regions_country.csv.

Every database gets it, test databases included. Reversing deletes those rows again; it stops
with ProtectedError while townships or other records still point at them.
"""

import csv
from pathlib import Path

from django.db import migrations

COUNTRY_CSV = Path(__file__).resolve().parent.parent / "data" / "regions_country.csv"
SHIPPED_LEVELS = ("county", "prefecture", "province")  # deleted in this order


def _rows():
    with COUNTRY_CSV.open(encoding="utf-8", newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda row: row["code"])


def load_country(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    # Sorted by code, so every parent is created in an earlier batch or earlier in the same one.
    regions = [
        Region(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent_id=row["parent_code"] or None,
        )
        for row in _rows()
    ]
    Region.objects.using(schema_editor.connection.alias).bulk_create(
        regions, batch_size=500, ignore_conflicts=True
    )


def unload_country(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    manager = Region.objects.using(schema_editor.connection.alias)
    # Only county level and above ship with the project; nothing else can create them.
    for level in SHIPPED_LEVELS:
        manager.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load_country, unload_country, elidable=False)]
