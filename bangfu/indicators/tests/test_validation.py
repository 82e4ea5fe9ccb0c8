from decimal import Decimal
from typing import Any

import pytest

from bangfu.core.errors import ValidationFailed
from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Side
from bangfu.indicators.periods import Period
from bangfu.indicators.tests.conftest import indicator
from bangfu.indicators.validation import validate_batch


def enter(world: Any, code: str, value: str, period: Period, actor: Any = None) -> Any:
    return services.data_value_set(
        actor=actor or world.alice,
        indicator=indicator(code),
        period=period,
        value=value,
        pairing=world.longhua_fengshan,
        reported_by=Side.RECIPIENT,
    )


def test_an_of_which_figure_above_its_whole_is_refused(world, this_year):
    enter(world, "employed_total", "1000", this_year)
    with pytest.raises(ValidationFailed) as exc:
        enter(world, "employed_poor", "1001", this_year)
    assert "employed_poor <= employed_total" in exc.value.errors["value"][0]
    assert enter(world, "employed_poor", "980", this_year).value.value == Decimal("980")


def test_the_whole_cannot_be_lowered_below_a_part_already_entered(world, this_year):
    enter(world, "workshop_employed", "1405", this_year)
    enter(world, "workshop_employed_poor", "1124", this_year)
    with pytest.raises(ValidationFailed):
        enter(world, "workshop_employed", "1000", this_year)


def test_a_percentage_outside_0_to_100_is_refused(world, this_year):
    with pytest.raises(ValidationFailed) as exc:
        enter(world, "poverty_incidence", "101", this_year)
    assert exc.value.errors["value"][0].startswith("poverty_incidence:")
    assert enter(world, "poverty_incidence", "1.57", this_year).warnings == []


def test_a_warning_rule_keeps_the_figure_and_flags_it(world, this_year):
    enter(world, "dibao_households", "253", this_year)
    result = enter(world, "dibao_people", "200", this_year)
    assert [f["rule"] for f in result.value.flags] == ["dibao_people_at_least_households"]
    assert result.warnings == [result.value.flags[0]["message"]]


def test_a_figure_far_above_its_own_history_is_flagged_as_an_outlier(world, admin):
    for year, value in ((2017, "10"), (2018, "12"), (2019, "11")):
        enter(world, "job_fairs", value, Period.year(year), actor=admin)
    flagged = enter(world, "job_fairs", "40", Period.year(2020), actor=admin).value
    normal = enter(world, "job_fairs", "30", Period.year(2021), actor=admin).value
    assert [f["rule"] for f in flagged.flags] == ["outlier"]
    assert normal.flags == []


def test_the_batch_run_flags_breaches_the_entry_check_could_not_see(world, this_year):
    enter(world, "employed_total", "1000", this_year)
    enter(world, "employed_poor", "900", this_year)
    DataValue.objects.filter(indicator__code="employed_total").update(value=800)  # bypassing
    report = validate_batch(DataValue.objects.all())
    assert (report.checked, report.flagged) == (2, 2)
    assert len(report.errors or []) == 1
    poor = DataValue.objects.get(indicator__code="employed_poor")
    assert poor.flags[0]["rule"] == "employed_poor_within_employed_total"


def test_the_validate_command_reports_and_flags(world, this_year):
    import io

    from django.core.management import call_command

    enter(world, "employed_total", "1000", this_year)
    enter(world, "employed_poor", "900", this_year)
    DataValue.objects.filter(indicator__code="employed_total").update(value=800)
    out = io.StringIO()
    call_command("indicators", "validate", stdout=out)
    assert out.getvalue().endswith("checked 2, flagged 2\n")
