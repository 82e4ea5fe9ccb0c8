"""Ship the indicator catalogue and the validation rules of bangfu.indicators.catalogue (V1)."""

from django.db import migrations

from bangfu.indicators.catalogue import CATALOGUE_V1, RULES_V1, parts_rules


def load(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    by_code = {}
    for order, row in enumerate(CATALOGUE_V1, start=1):
        by_code[row.code], _ = Indicator.objects.update_or_create(
            code=row.code,
            defaults={
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "unit": row.unit,
                "work_area": row.area,
                "nature": row.nature,
                "time_aggregation": "sum" if row.time == "ratio" else row.time,
                "party_aggregation": "none" if row.party == "ratio" else row.party,
                "duplicate_rule": row.duplicate,
                "is_computed": bool(row.provider),
                "provider": row.provider,
                "sort_order": order * 10,
            },
        )
    for row in CATALOGUE_V1:
        if row.parent:
            Indicator.objects.filter(code=row.code).update(parent=by_code[row.parent])
        if row.ratio:
            numerator, denominator = row.ratio.split("/")
            Indicator.objects.filter(code=row.code).update(
                numerator=by_code[numerator],
                denominator=by_code[denominator],
                time_aggregation=row.time,
                party_aggregation=row.party,
            )
    for code, left, operator, right, unit, importance in RULES_V1 + parts_rules():
        ValidationRule.objects.update_or_create(
            code=code,
            defaults={
                "left": left,
                "operator": operator,
                "right": right,
                "unit": unit,
                "importance": importance,
            },
        )


def unload(apps, schema_editor):
    codes = [row.code for row in CATALOGUE_V1]
    rules = [rule[0] for rule in RULES_V1 + parts_rules()]
    apps.get_model("indicators", "ValidationRule").objects.filter(code__in=rules).delete()
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=codes).update(
        parent=None, numerator=None, denominator=None, time_aggregation="sum"
    )
    Indicator.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
