"""Demo figures: every non-fund figure of the five seed reports, and the targets they state.

Figures computed from records (meetings, fund flows, projects) are not entered here: they come
from the records the other demo modules load. Pairings are looked up by their parties' region
codes; a missing pairing is skipped with a message. Safe to run twice (values are upserts).

The reports stop in 2021 and say nothing of labour, consumption or talent work for several
pairings, so the dashboards would show those work areas empty. `ILLUSTRATIVE_*` fill that gap with
invented, plausible figures for 2023–2025 and the first half of 2026, with targets for 2025 and
2026, for the county pairings that have none in the reports. They are entered by hand
(source "manual"), marked is_demo and commented as illustrative: they are not report figures.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import transaction

from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Indicator, Side, Source, Status
from bangfu.indicators.periods import parse
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region

LONGHUA, FENGSHAN = "440309000000", "451223000000"
BAOAN, LONGCHUAN, DUAN, DAHUA = "440306000000", "441622000000", "451228000000", "451229000000"
GUANGMING, TIANLIN, SHANWEI, CHAYU = "440311000000", "451029000000", "441502000000", "540425000000"
TIANHE, NAYONG = "440106000000", "520525000000"


class Figure(NamedTuple):
    seed: str
    donor: str
    recipient: str  # "" for a figure reported by the donor party alone
    side: str
    code: str
    period: str
    value: str


S0, S1, S2, S3, S4 = (
    "000_9eeebed457809fda",
    "001_e714199a0421d35e",
    "002_4c50fd7226e9308c",
    "003_65c73aef4ba8d82b",
    "004_085aec950224edfb",
)
_D, _R = Side.DONOR, Side.RECIPIENT
LC_NOW = "2018-09"  # "目前" in the 龙川 report of 2018-09-18
LC_2018 = "2018-01-01..2018-09-18"
TL_SUM = "2016-01-01..2020-12-21"  # 光明's cumulative figures for 田林 as of the year-end review
SW_EDU = "2019-09-01..2020-06-30"
SW_SUM = "2016-05-01..2020-11-30"
TH_SUM = "2016-09-01..2021-04-25"

# fmt: off
FIGURES: list[Figure] = [
    Figure(S0, LONGHUA, FENGSHAN, _D, "assistance_activities", "2021H1", "6"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_output", "2018H1", "2531000000"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_value_added", "2018H1", "576000000"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_tax", "2018H1", "114000000"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_firms", LC_NOW, "77"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_leading_firms", LC_NOW, "67"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_cluster_rate", LC_NOW, "87"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "park_contract_investment", LC_NOW, "20000000000"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "investment_promotion_events", LC_2018, "20"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "enterprises_visited", LC_2018, "60"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "projects_negotiated", LC_2018, "43"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "expo_enterprises", "2018-07", "20"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "loan_subsidy_enterprises", "2018-04", "17"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "loan_subsidy_amount", "2018-04", "12000000"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "villages_paired", LC_NOW, "57"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "donor_schools_paired", LC_NOW, "12"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "schools_paired", LC_NOW, "12"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "donor_hospitals_paired", LC_NOW, "18"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "hospitals_paired", LC_NOW, "22"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "local_staff_trained", "2018-04", "50"),
    Figure(S1, BAOAN, LONGCHUAN, _R, "households_visited", "2018-09", "2"),
    Figure(S2, GUANGMING, TIANLIN, _D, "households_out_of_poverty", TL_SUM, "13055"),
    Figure(S2, GUANGMING, TIANLIN, _D, "people_out_of_poverty", TL_SUM, "54362"),
    Figure(S2, GUANGMING, TIANLIN, _D, "poverty_incidence", "2015", "23.1"),
    Figure(S2, GUANGMING, TIANLIN, _D, "poverty_incidence", "2019", "1.57"),
    Figure(S2, GUANGMING, TIANLIN, _D, "enterprises_brought_in", TL_SUM, "9"),
    Figure(S2, GUANGMING, TIANLIN, _D, "enterprise_investment", TL_SUM, "496000000"),
    Figure(S2, GUANGMING, TIANLIN, _D, "enterprise_driven_poor", TL_SUM, "5014"),
    Figure(S2, GUANGMING, TIANLIN, _D, "workshops", TL_SUM, "17"),
    Figure(S2, GUANGMING, TIANLIN, _D, "workshop_employed", TL_SUM, "1405"),
    Figure(S2, GUANGMING, TIANLIN, _D, "workshop_employed_poor", TL_SUM, "1124"),
    Figure(S2, GUANGMING, TIANLIN, _D, "returned_to_work_poor", "2020", "1722"),
    Figure(S2, GUANGMING, TIANLIN, _D, "employed_poor", "2020", "2471"),
    Figure(S2, GUANGMING, TIANLIN, _D, "job_fair_enterprises", "2020", "30"),
    Figure(S2, GUANGMING, TIANLIN, _D, "posts_offered", "2020", "5770"),
    Figure(S2, GUANGMING, TIANLIN, _D, "job_fair_enterprises", TL_SUM, "110"),
    Figure(S2, GUANGMING, TIANLIN, _D, "posts_offered", TL_SUM, "22728"),
    Figure(S2, GUANGMING, TIANLIN, _D, "employed_poor", TL_SUM, "5537"),
    Figure(S2, GUANGMING, TIANLIN, _D, "professionals_sent", TL_SUM, "104"),
    Figure(S2, GUANGMING, TIANLIN, _D, "products_sold", TL_SUM, "66060000"),
    Figure(S2, GUANGMING, TIANLIN, _D, "kindergarten_places", "2020", "630"),
    Figure(S2, GUANGMING, TIANLIN, _D, "relocation_households_served", "2020", "642"),
    Figure(S2, GUANGMING, SHANWEI, _D, "students_supported", SW_EDU, "259"),
    Figure(S2, GUANGMING, SHANWEI, _D, "student_subsidy_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "medical_insurance_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "pension_insurance_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "safe_water_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "safe_housing_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "dibao_households", SW_EDU, "253"),
    Figure(S2, GUANGMING, SHANWEI, _D, "dibao_people", SW_EDU, "572"),
    Figure(S2, GUANGMING, SHANWEI, _D, "dibao_coverage", SW_EDU, "100"),
    Figure(S2, GUANGMING, SHANWEI, _D, "village_collective_income", "2016", "14370"),
    Figure(S2, GUANGMING, SHANWEI, _D, "village_collective_income", "2020", "447000"),
    Figure(S2, GUANGMING, SHANWEI, _D, "labour_training_person_times", SW_SUM, "1400"),
    Figure(S2, GUANGMING, SHANWEI, _D, "transfer_person_times", SW_SUM, "846"),
    Figure(S2, GUANGMING, SHANWEI, _D, "job_fairs", SW_SUM, "3"),
    Figure(S2, GUANGMING, SHANWEI, _D, "returned_to_work_poor", "2020H1", "196"),
    Figure(S2, GUANGMING, SHANWEI, _D, "villages_paired", "2020", "6"),
    Figure(S2, GUANGMING, SHANWEI, _D, "poor_villages_exited", SW_SUM, "6"),
    Figure(S2, GUANGMING, SHANWEI, _D, "service_items", "2020", "13"),
    Figure(S2, GUANGMING, SHANWEI, _D, "service_volunteers", "2020", "31"),
    Figure(S2, GUANGMING, CHAYU, _D, "poverty_incidence", "2018", "0"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "poor_villages_exited", "2019", "33"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "households_out_of_poverty", "2019", "207"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "people_out_of_poverty", "2019", "667"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "park_output", "2019", "6898000000"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "park_value_added", "2019", "1695000000"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "park_tax", "2019", "200000000"),
    Figure(S3, BAOAN, LONGCHUAN, _D, "pairing_units", "2020-03", "192"),
    Figure(S3, BAOAN, DUAN, _D, "households_out_of_poverty", "2019", "11400"),
    Figure(S3, BAOAN, DUAN, _D, "people_out_of_poverty", "2019", "50800"),
    Figure(S3, BAOAN, DAHUA, _D, "households_out_of_poverty", "2019", "8500"),
    Figure(S3, BAOAN, DAHUA, _D, "people_out_of_poverty", "2019", "41400"),
    # Reported for the three (or two) counties together: a figure of 宝安区 itself.
    Figure(S3, BAOAN, "", Side.PARTY, "products_purchased", "2020-01-01..2020-03-13",
           "10900000"),
    Figure(S3, BAOAN, "", Side.PARTY, "transferred_east", "2020-01-01..2020-03-13", "6892"),
    Figure(S3, BAOAN, "", Side.PARTY, "transferred_east_poor", "2020-01-01..2020-03-13", "2451"),
    Figure(S4, TIANHE, NAYONG, _D, "reserve_talents", TH_SUM, "350"),
    Figure(S4, TIANHE, NAYONG, _D, "expert_visits", TH_SUM, "180"),
    Figure(S4, TIANHE, NAYONG, _D, "staff_training_sessions", TH_SUM, "128"),
    Figure(S4, TIANHE, NAYONG, _D, "local_staff_trained", TH_SUM, "17337"),
    Figure(S4, TIANHE, NAYONG, _D, "workshops", TH_SUM, "10"),
    Figure(S4, TIANHE, NAYONG, _D, "workshop_employed", TH_SUM, "651"),
    Figure(S4, TIANHE, NAYONG, _D, "labour_training_sessions", TH_SUM, "45"),
    Figure(S4, TIANHE, NAYONG, _D, "labour_training_person_times", TH_SUM, "4551"),
    Figure(S4, TIANHE, NAYONG, _D, "job_fairs", TH_SUM, "10"),
    Figure(S4, TIANHE, NAYONG, _D, "transferred_east_poor", TH_SUM, "985"),
    Figure(S4, TIANHE, NAYONG, _D, "enterprises_brought_in", TH_SUM, "8"),
    Figure(S4, TIANHE, NAYONG, _D, "sales_outlets", TH_SUM, "1"),
    Figure(S4, TIANHE, NAYONG, _D, "supply_bases", TH_SUM, "2"),
    Figure(S4, TIANHE, NAYONG, _D, "products_sold", TH_SUM, "180000000"),
    Figure(S4, TIANHE, NAYONG, _D, "consumption_driven_poor", TH_SUM, "2000"),
    Figure(S4, TIANHE, NAYONG, _D, "donor_hospitals_paired", TH_SUM, "14"),
    Figure(S4, TIANHE, NAYONG, _D, "hospitals_paired", TH_SUM, "32"),
    Figure(S4, TIANHE, NAYONG, _D, "donor_schools_paired", TH_SUM, "54"),
    Figure(S4, TIANHE, NAYONG, _D, "schools_paired", TH_SUM, "67"),
    Figure(S4, TIANHE, NAYONG, _D, "enterprises_paired", TH_SUM, "77"),
]

# 宝安区's 2020 tasks for 都安 and 大化 (seed 003).
TARGETS: list[tuple[str, str, str, str, str]] = [
    (BAOAN, county, code, "2020", value)
    for county, placed in ((DUAN, "1000"), (DAHUA, "980"))
    for code, value in (
        ("labour_trained", "900"),
        ("employed_poor", placed),
        ("teachers_sent", "16"),
        ("medical_staff_sent", "29"),
        ("social_workers_sent", "3"),
        ("teacher_studios", "2"),
        ("disabled_trained", "50"),
    )
]
# Tasks stated for 宝安区 as a whole (the three counties together), beside its figures above.
PARTY_TARGETS: list[tuple[str, str, str, str]] = [
    (BAOAN, "products_purchased", "2020", "30000000"),  # 3000万元; 1090万元 done by 13 March
]
# fmt: on

ILLUSTRATIVE_COMMENT = "演示数据（示意）：报道未提供，数值为虚构，仅用于展示。"
# Yearly size of each illustrative indicator for a middle-sized pairing, in its unit.
ILLUSTRATIVE_BASE: dict[str, dict[str, int]] = {
    "labour": {"labour_trained": 600, "transferred_east": 900},
    "consumption": {"products_purchased": 30_000_000, "consumption_driven_poor": 1500},
    "talent": {"cadres_sent": 12, "professionals_sent": 60},
}
# (donor, recipient, size factor in percent, work areas the reports leave empty)
ILLUSTRATIVE_PAIRINGS: list[tuple[str, str, int, tuple[str, ...]]] = [
    (LONGHUA, FENGSHAN, 80, ("labour", "consumption", "talent")),
    (BAOAN, LONGCHUAN, 120, ("labour", "consumption")),
    (BAOAN, DUAN, 100, ("labour", "consumption", "talent")),
    (BAOAN, DAHUA, 90, ("labour", "consumption", "talent")),
    (GUANGMING, SHANWEI, 50, ("consumption", "talent")),
    (GUANGMING, CHAYU, 40, ("labour", "consumption", "talent")),
]
# Share of the base reached in each period, in percent; the targets are set a little above.
ILLUSTRATIVE_PERIODS = {"2023": 85, "2024": 95, "2025": 100, "2026H1": 45}
ILLUSTRATIVE_TARGETS = {"2025": 110, "2026": 115}


def _scaled(base: int, *percents: int) -> str:
    value = base
    for percent in percents:
        value = value * percent // 100
    return str(max(value, 1))


def illustrative_figures() -> list[Figure]:
    return [
        Figure("", donor, recipient, _D, code, period, _scaled(base, size, share))
        for donor, recipient, size, areas in ILLUSTRATIVE_PAIRINGS
        for area in areas
        for code, base in ILLUSTRATIVE_BASE[area].items()
        for period, share in ILLUSTRATIVE_PERIODS.items()
    ]


def illustrative_targets() -> list[tuple[str, str, str, str, str]]:
    return [
        (donor, recipient, code, period, _scaled(base, size, share))
        for donor, recipient, size, areas in ILLUSTRATIVE_PAIRINGS
        for area in areas
        for code, base in ILLUSTRATIVE_BASE[area].items()
        for period, share in ILLUSTRATIVE_TARGETS.items()
    ]


def _pairing(donor: str, recipient: str) -> Pairing | None:
    return (
        Pairing.objects.filter(donor_region_id=donor, recipient_region_id=recipient)
        .order_by("parent_id", "start_date", "id")
        .first()
    )


@transaction.atomic
def load(actor: Any) -> list[str]:
    """Load the figures (approved, as extracted from the seed reports) and the targets.

    Returns messages about what was skipped."""
    messages: list[str] = []
    indicators = Indicator.objects.in_bulk(field_name="code")
    missing: set[tuple[str, str]] = set()
    for fig in [*FIGURES, *illustrative_figures()]:
        pairing = _pairing(fig.donor, fig.recipient) if fig.recipient else None
        party = None if fig.recipient else Region.objects.filter(pk=fig.donor).first()
        if pairing is None and party is None:
            missing.add((fig.donor, fig.recipient))
            continue
        period = parse(fig.period)
        existing = DataValue.objects.filter(
            indicator=indicators[fig.code],
            pairing=pairing,
            party_region=party,
            reported_by=fig.side,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
        ).first()
        if existing is not None and existing.status != Status.DRAFT:
            continue
        figure = services.data_value_set(
            actor=actor,
            indicator=indicators[fig.code],
            period=period,
            value=fig.value,
            pairing=pairing,
            reported_by=fig.side if pairing is not None else "",
            party_region=party,
            source=Source.EXTRACTED if fig.seed else Source.MANUAL,
            document_ref=f"seeds/{fig.seed}.txt" if fig.seed else "",
            comment="" if fig.seed else ILLUSTRATIVE_COMMENT,
            is_demo=True,
        ).value
        services.data_value_submit(actor=actor, data_value=figure)
        services.data_value_approve(actor=actor, data_value=figure)
    for donor, recipient, code, period_text, value in TARGETS:
        pairing = _pairing(donor, recipient)
        if pairing is None:
            missing.add((donor, recipient))
            continue
        services.target_set(
            actor=actor,
            indicator=indicators[code],
            pairing=pairing,
            period=parse(period_text),
            value=value,
            comment="2020年决战决胜脱贫攻坚工作会议",
            is_demo=True,
        )
    for donor, recipient, code, period_text, value in illustrative_targets():
        pairing = _pairing(donor, recipient)
        if pairing is None:
            missing.add((donor, recipient))
            continue
        services.target_set(
            actor=actor,
            indicator=indicators[code],
            pairing=pairing,
            period=parse(period_text),
            value=value,
            comment=ILLUSTRATIVE_COMMENT,
            is_demo=True,
        )
    for code, indicator_code, period_text, value in PARTY_TARGETS:
        region = Region.objects.filter(pk=code).first()
        if region is None:
            missing.add((code, ""))
            continue
        services.target_set(
            actor=actor,
            indicator=indicators[indicator_code],
            party_region=region,
            period=parse(period_text),
            value=value,
            comment="2020年决战决胜脱贫攻坚工作会议",
            is_demo=True,
        )
    for donor, recipient in sorted(missing):
        messages.append(f"indicators demo: no pairing {donor} → {recipient}; its figures skipped")
    return messages
