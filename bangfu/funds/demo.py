"""Demo fund flows from the five seed reports, as ledger entries whose sums equal the reported
figures exactly. Load the demo projects first (`bangfu.projects.demo.load`): flows of 天河→纳雍,
光明→田林, 宝安→龙川 and the 察隅 township pairings are linked to them; `load` here does it.

Where a report names only a later stage (到位 arrived, 投入), the plan (计划/下达) is recorded
equal to it so that the stage rule holds; those entries say so in their description. All
entries are is_demo=True and idempotent by their references.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bangfu.core.money import parse_amount
from bangfu.funds.models import STAGE_ORDER, FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.services import fund_flow_record
from bangfu.pairings.models import Organisation, OrganisationKind
from bangfu.pairings.services import organisation_create
from bangfu.projects import demo as project_demo
from bangfu.projects.models import Project
from bangfu.regions.models import Region

D = dt.date
LONGHUA = "440309000000"
PLAN_NOTE = "演示数据：报道未给出计划数，计划数按到位数记录。"


@dataclass(frozen=True)
class FlowSpec:
    pairing: str
    reference: str
    year: int
    stage: str
    amount: Decimal
    source_kind: str
    reported_by: str
    project: str | None = None
    date: dt.date | None = None
    source_organisation: tuple[str, str] | None = None  # (name, kind), located in 龙华区
    description: str = ""


def _with_plan(spec: FlowSpec) -> list[FlowSpec]:
    """The entry, preceded by a plan of the same amount (see the module docstring)."""
    plan = FlowSpec(
        spec.pairing, f"{spec.reference}-P", spec.year, Stage.PLANNED, spec.amount,
        spec.source_kind, spec.reported_by, spec.project, spec.date, spec.source_organisation,
        PLAN_NOTE,
    )  # fmt: skip
    return [plan, spec]


def _projects_fully_spent(pairing: str, reported_by: str) -> list[FlowSpec]:
    """Every stage of each demo project of the pairing equals its budget: the reports say the
    projects were all completed and are in use."""
    specs = []
    for project in project_demo.project_specs():
        if project.pairing != pairing or project.budget is None:
            continue
        for stage in STAGE_ORDER:
            specs.append(
                FlowSpec(
                    pairing, f"{project.code}-{stage}", project.start_year, stage, project.budget,
                    SourceKind.FISCAL_DISTRICT, reported_by, project.code,
                    D(project.start_year, 12, 31),
                )
            )  # fmt: skip
    return specs


# 宝安区 → 龙川县: "至2018年6月，深圳市精准扶贫和新农村建设已到位资金4.1565亿元（其中宝安区
# 2.7379万元、深圳市直单位4750万元、市国有企业9436万元），到2018年6月底已拨付使用资金2.3462亿元。"
# The report's "宝安区2.7379万元" must be 2.7379亿元: only then do the three sources add up to the
# total (2.7379亿 + 4750万 + 9436万 = 4.1565亿). It is recorded as 2.7379亿元.
BAOAN_ARRIVED = {
    SourceKind.FISCAL_DISTRICT: "2.7379亿元",
    SourceKind.FISCAL_CITY_DEPARTMENTS: "4750万元",
    SourceKind.FISCAL_CITY_SOES: "9436万元",
}
BAOAN_PAID_OUT = "2.3462亿元"
# Paid out per source is not reported: split in proportion to what arrived.
BAOAN_PROJECT_PAYMENTS = {"LC-2018-01": "3800万元", "LC-2018-02": "300万元"}


def _baoan() -> list[FlowSpec]:
    key, side, day = "baoan_longchuan", ReportedBy.RECIPIENT, D(2018, 6, 30)
    specs: list[FlowSpec] = []
    arrived = {kind: parse_amount(text) for kind, text in BAOAN_ARRIVED.items()}
    for kind, amount in arrived.items():
        specs += _with_plan(
            FlowSpec(
                key,
                f"LC-2018-{kind}-arrived",
                2018,
                Stage.ARRIVED,
                amount,
                kind,
                side,
                date=day,
                description="至2018年6月累计到位",
            )
        )
    shares = project_demo.split(parse_amount(BAOAN_PAID_OUT), [int(a) for a in arrived.values()])
    for (kind, _), share in zip(arrived.items(), shares, strict=True):
        if kind == SourceKind.FISCAL_DISTRICT:
            for code, text in BAOAN_PROJECT_PAYMENTS.items():
                amount = parse_amount(text)
                share -= amount
                for stage in (Stage.PAID_OUT, Stage.SPENT):
                    specs.append(
                        FlowSpec(key, f"{code}-{stage}", 2018, stage, amount, kind, side, code, day)
                    )
        specs.append(
            FlowSpec(
                key,
                f"LC-2018-{kind}-paid_out",
                2018,
                Stage.PAID_OUT,
                share,
                kind,
                side,
                date=day,
                description="到2018年6月底已拨付使用",
            )
        )
    return specs


# 龙华区 → 凤山县 (2021): "今年投入财政援助资金4994万元。上半年…社会捐赠资金25.54万元，捐赠物品
# 折合资金41.45万元"; on 30 August "捐赠社会帮扶资金300万元" and "捐赠了一批价值5万元的教学、
# 文体用品".
LONGHUA_CASH_H1 = (  # 25.54万元 in all; the split among the givers is demo data
    ("龙华区慈善会", OrganisationKind.SOCIAL_ORGANISATION, "12万元", D(2021, 3, 18)),
    ("龙华区民政局", OrganisationKind.GOVERNMENT, "6.54万元", D(2021, 5, 12)),
    ("深圳市龙华建设发展有限公司", OrganisationKind.ENTERPRISE, "7万元", D(2021, 6, 8)),
)
LONGHUA_IN_KIND_H1 = (  # 41.45万元 in all
    ("龙华区教育局", OrganisationKind.GOVERNMENT, "18.2万元", D(2021, 4, 2)),
    ("龙华区文化广电旅游体育局", OrganisationKind.GOVERNMENT, "9.75万元", D(2021, 4, 22)),
    ("龙华区工业和信息化局", OrganisationKind.GOVERNMENT, "8.5万元", D(2021, 5, 20)),
    ("龙华区政协", OrganisationKind.GOVERNMENT, "5万元", D(2021, 6, 25)),
)


def _longhua() -> list[FlowSpec]:
    key, side = "longhua_fengshan", ReportedBy.DONOR
    specs = _with_plan(
        FlowSpec(
            key,
            "LH-2021-fiscal",
            2021,
            Stage.ARRIVED,
            parse_amount("4994万元"),
            SourceKind.FISCAL_DISTRICT,
            side,
            description="2021年投入财政援助资金",
        )
    )
    specs += _with_plan(
        FlowSpec(
            key,
            "LH-2021-0830-cash",
            2021,
            Stage.ARRIVED,
            parse_amount("300万元"),
            SourceKind.DONATION_CASH,
            side,
            date=D(2021, 8, 30),
            description="联席会上捐赠社会帮扶资金",
        )
    )
    for kind, rows in (
        (SourceKind.DONATION_CASH, LONGHUA_CASH_H1),
        (SourceKind.DONATION_IN_KIND, LONGHUA_IN_KIND_H1),
    ):
        for index, (name, org_kind, amount, day) in enumerate(rows, start=1):
            specs += _with_plan(
                FlowSpec(
                    key,
                    f"LH-2021-H1-{kind}-{index}",
                    2021,
                    Stage.ARRIVED,
                    parse_amount(amount),
                    kind,
                    side,
                    date=day,
                    source_organisation=(name, org_kind),
                )
            )
    specs += _with_plan(
        FlowSpec(
            key,
            "LH-2021-0830-kind",
            2021,
            Stage.ARRIVED,
            parse_amount("5万元"),
            SourceKind.DONATION_IN_KIND,
            side,
            date=D(2021, 8, 30),
            description="向凤山县第一幼儿园捐赠教学、文体用品",
        )
    )
    return specs


def _chayu() -> list[FlowSpec]:
    # "新湖街道已安排资金49万元…玉塘街道已安排资金44万元…": arranged, i.e. planned.
    return [
        FlowSpec("xinhu_xiachayu", "CY-XH-01-planned", 2020, Stage.PLANNED,
                 parse_amount("49万元"), SourceKind.FISCAL_DISTRICT, ReportedBy.DONOR, "CY-XH-01"),
        FlowSpec("yutang_shangchayu", "CY-YT-01-planned", 2020, Stage.PLANNED,
                 parse_amount("44万元"), SourceKind.FISCAL_DISTRICT, ReportedBy.DONOR, "CY-YT-01"),
    ]  # fmt: skip


def flow_specs() -> list[FlowSpec]:
    return [
        *_projects_fully_spent("tianhe_nayong", ReportedBy.RECIPIENT),
        *_projects_fully_spent("guangming_tianlin", ReportedBy.DONOR),
        *_baoan(),
        *_longhua(),
        *_chayu(),
    ]


def _organisation(actor: Any, name: str, kind: str) -> Organisation:
    existing = Organisation.objects.filter(region_id=LONGHUA, name=name).first()
    if existing is not None:
        return existing
    return organisation_create(
        actor=actor, name=name, kind=kind, region=Region.objects.get(pk=LONGHUA), is_demo=True
    )


def load(actor: Any) -> list[str]:
    """Create the demo projects and fund flows that are missing; return one line per pairing."""
    messages = project_demo.load(actor)
    by_pairing: dict[str, list[FlowSpec]] = {}
    for spec in flow_specs():
        by_pairing.setdefault(spec.pairing, []).append(spec)
    for key, specs in by_pairing.items():
        pairing = project_demo.find_pairing(key)
        if pairing is None:
            messages.append(f"funds: skipped {key}, its pairing is not loaded")
            continue
        present = set(FundFlow.objects.filter(pairing=pairing).values_list("reference", flat=True))
        projects = {p.code: p for p in Project.objects.filter(pairing=pairing)}
        created = 0
        for spec in specs:
            if spec.reference in present:
                continue
            source = (
                _organisation(actor, *spec.source_organisation)
                if spec.source_organisation
                else None
            )
            fund_flow_record(
                actor=actor, pairing=pairing, year=spec.year, stage=spec.stage,
                amount=spec.amount, source_kind=spec.source_kind, reported_by=spec.reported_by,
                project=projects.get(spec.project) if spec.project else None, date=spec.date,
                source_organisation=source, description=spec.description,
                reference=spec.reference, is_demo=True,
            )  # fmt: skip
            created += 1
        messages.append(f"funds: {pairing}: {created} created, {len(specs) - created} present")
    return messages
