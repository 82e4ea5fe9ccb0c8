from bangfu.indicators.catalogue import CATALOGUE_V1
from bangfu.indicators.models import Indicator, ValidationRule


def test_the_catalogue_ships_with_parts_ratios_and_computed_providers(db):
    assert Indicator.objects.count() == len(CATALOGUE_V1)
    employed_poor = Indicator.objects.get(code="employed_poor")
    assert employed_poor.parent is not None
    assert employed_poor.parent.code == "employed_total"
    assert employed_poor.name_zh == "其中脱贫劳动力"
    rate = Indicator.objects.get(code="fund_arrival_rate")
    assert rate.numerator is not None
    assert rate.denominator is not None
    assert (rate.numerator.code, rate.denominator.code) == ("fund_arrived", "fund_planned")
    assert Indicator.objects.get(code="joint_meetings").provider == "meetings.joint_meeting"
    rule = ValidationRule.objects.get(code="employed_poor_within_employed_total")
    assert (rule.left, rule.operator, rule.right, rule.importance) == (
        "employed_poor",
        "<=",
        "employed_total",
        "error",
    )
