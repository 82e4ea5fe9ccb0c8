"""Demo households and monitoring cases in every state of the case workflow.

Households come from the synthetic generator (bangfu.households.generator: valid IDs, encrypted
personal data) in the recipient counties of the demo; each county's generation is recorded as
one audit event (the generator writes in bulk, not row by row). A monitoring run then evaluates
every rule, and the cases are opened and moved through the case services exactly as a user
would: every step is checked by the workflow's guards and audited.

Dates are counted back from today, so the cases look current whenever the demo is loaded: clues
of the last few days, notices still posted, households recorded months ago and eliminated after
the required six months, and a few cases past their deadline.

Idempotent: a county's households are generated only up to the wanted number, and every demo
case carries its key at the start of its clue notes; a key already present is skipped.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bangfu.cases import services as case_services
from bangfu.cases.choices import CaseSource, CaseState, Department, EliminationWay
from bangfu.cases.models import Case
from bangfu.cases.selectors import has_working_age_labour
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record
from bangfu.demo import data
from bangfu.households import generator
from bangfu.households.choices import HouseholdType, MeasureCategory, MonitoringCategory, Relation
from bangfu.households.models import Finding, Household, MonitoringRun, RuleKind
from bangfu.households.monitoring.services import monitoring_run
from bangfu.households.selectors import threshold_amount
from bangfu.regions import codes
from bangfu.regions.models import Region

DEFAULT_HOUSEHOLDS = 3000
# 凤山县 (the county of the 龙华 pairing and of the `fengshan` demo user) gets a third of the
# households, the other recipient counties share the rest.
COUNTIES = (
    data.FENGSHAN,
    data.DUAN,
    data.DAHUA,
    data.TIANLIN,
    data.LONGCHUAN,
    data.SHANWEI_CHENGQU,
    data.CHAYU,
    data.NAYONG,
)
KEY_PREFIX = "演示"  # clue notes of demo cases start with "[演示-NN] "
SCAN_NAME = "cases/authorisations/demo/承诺授权书-演示.pdf"
SCAN_CONTENT = b"%PDF-1.4\n% demo: signed authorisation (synthetic)\n"
HOUSEHOLDS, CASES, MONITORING_RUNS = "demo households", "cases", "monitoring runs"

# Offsets of the identification steps in days after the clue (see _identify).
VERIFY, COMPARE, REVIEW, NOTICE, TOWNSHIP, COUNTY, RECORD = 1, 2, 3, 4, 9, 10, 11
NOTICE_DAYS = 5
FIRST_MEASURE, MEASURES_IN_PLACE = 3, 25
ELIMINATION_CHECK = MEASURES_IN_PLACE + 190  # after the required six months


@dataclass(frozen=True)
class Plan:
    """One demo case: where it should stand today and how it got there."""

    key: str
    target: CaseState
    opened_days_ago: int
    source: CaseSource
    department: str = ""
    risk_types: tuple[str, ...] = ("illness", "unstable_work")
    green_channel: bool = False
    measures: bool = False  # measures recorded while still in RECORDED
    visits: int = 0
    way: EliminationWay | None = None
    dismissed_from: CaseState | None = None
    notes: str = ""

    @property
    def needs_elimination(self) -> bool:
        return self.target in (
            CaseState.ELIMINATION_CHECKED,
            CaseState.ELIMINATION_NOTICE,
            CaseState.ELIMINATION_TOWNSHIP,
            CaseState.ELIMINATED,
        )


_CLUES = {
    CaseSource.APPLICATION: "农户自主申报：家庭成员患病住院，医疗支出较大，收入下降。",
    CaseSource.CADRE_VISIT: "基层干部排查：主要劳动力务工不稳定，家庭收入明显减少。",
    CaseSource.DEPARTMENT_ALERT: "部门筛查预警：行业部门数据显示该户存在返贫致贫风险。",
    CaseSource.MONITORING_FINDING: "监测规则发现风险，转为线索核实。",
}
_DEPARTMENTS = itertools.cycle(
    [Department.MEDICAL_INSURANCE, Department.HUMAN_RESOURCES, Department.CIVIL_AFFAIRS]
)
# (state, how many, days since the clue for each)
_STAGES: tuple[tuple[CaseState, tuple[int, ...]], ...] = (
    (CaseState.CLUE, (1, 2, 2, 3, 4, 5, 1, 3, 20, 35)),  # the last two are overdue
    (CaseState.VERIFIED, (3, 4, 5, 6, 26)),
    (CaseState.COMPARED, (4, 5, 6, 7)),
    (CaseState.REVIEWED, (4, 5, 6, 7)),
    (CaseState.NOTICE, (5, 6, 7, 8)),  # the notice is still posted today
    (CaseState.TOWNSHIP_REVIEWED, (10, 11, 12)),
    (CaseState.COUNTY_APPROVED, (11, 12, 13, 31)),
    (CaseState.RECORDED, (15, 22, 30, 60, 95)),  # the last two: no measure after a month
    (CaseState.ASSISTED, (60, 90, 120, 150, 200, 260, 330, 400)),
    (CaseState.ELIMINATION_CHECKED, (260, 300)),
    (CaseState.ELIMINATION_NOTICE, (280, 320)),
    (CaseState.ELIMINATION_TOWNSHIP, (300, 340)),
    (CaseState.ELIMINATED, (300, 360, 420, 480, 540, 600, 660, 700, 380, 450)),
)
_SOURCES = (
    CaseSource.APPLICATION,
    CaseSource.CADRE_VISIT,
    CaseSource.DEPARTMENT_ALERT,
    CaseSource.MONITORING_FINDING,
)


def case_plans() -> list[Plan]:
    """Every demo case, with a stable key."""
    plans: list[Plan] = []
    sources = itertools.cycle(_SOURCES)
    number = itertools.count(1)

    def key() -> str:
        return f"{KEY_PREFIX}-{next(number):02d}"

    for state, days in _STAGES:
        for index, opened in enumerate(days):
            source = next(sources)
            plans.append(
                Plan(
                    key=key(),
                    target=state,
                    opened_days_ago=opened,
                    source=source,
                    department=next(_DEPARTMENTS) if source == CaseSource.DEPARTMENT_ALERT else "",
                    # RECORDED: the second and third have their measures; the first is still
                    # within its month, the last two are past it without a measure (overdue).
                    measures=state == CaseState.RECORDED and index in (1, 2),
                    visits=1 + index % 3 if state == CaseState.ASSISTED else 0,
                    way=_way(state, index),
                )
            )
    # The green channel: a disaster or an accident, assistance before identification ends.
    for state, risk, opened in (
        (CaseState.CLUE, "natural_disaster", 2),
        (CaseState.VERIFIED, "accident", 3),
        (CaseState.COMPARED, "natural_disaster", 5),
        (CaseState.ASSISTED, "accident", 70),
    ):
        plans.append(
            Plan(
                key=key(),
                target=state,
                opened_days_ago=opened,
                source=CaseSource.CADRE_VISIT,
                risk_types=(risk,),
                green_channel=True,
                visits=1 if state == CaseState.ASSISTED else 0,
                notes=(
                    "绿色通道：房屋受洪水损毁，先行救助。"
                    if risk == "natural_disaster"
                    else "绿色通道：主要劳动力意外受伤，先行帮扶。"
                ),
            )
        )
    # Dismissed clues: the comparison or the review found the household not eligible.
    for dismissed_from, opened in (
        (CaseState.CLUE, 12),
        (CaseState.COMPARED, 20),
        (CaseState.REVIEWED, 40),
    ):
        plans.append(
            Plan(
                key=key(),
                target=CaseState.DISMISSED,
                opened_days_ago=opened,
                source=CaseSource.APPLICATION,
                dismissed_from=dismissed_from,
            )
        )
    return plans


def _way(state: CaseState, index: int) -> EliminationWay | None:
    """Four of the ten eliminated cases (and every second one under way) are natural."""
    if state == CaseState.ELIMINATED:
        return EliminationWay.NATURAL if index >= 6 else EliminationWay.BY_ASSISTANCE
    if state in (
        CaseState.ELIMINATION_CHECKED,
        CaseState.ELIMINATION_NOTICE,
        CaseState.ELIMINATION_TOWNSHIP,
    ):
        return EliminationWay.NATURAL if index % 2 else EliminationWay.BY_ASSISTANCE
    return None


# Households --------------------------------------------------------------------------------


def county_shares(total: int) -> dict[str, int]:
    """Households per county: a third in 凤山县, the rest evenly; they add up to `total`."""
    if total <= 0:
        return {}
    first = total // 3 if total >= len(COUNTIES) else total
    rest = COUNTIES[1:]
    remaining = total - first
    shares = {COUNTIES[0]: first}
    for index, county in enumerate(rest):
        shares[county] = remaining // len(rest) + (1 if index < remaining % len(rest) else 0)
    return {county: count for county, count in shares.items() if count > 0}


def demo_households_in(county: str) -> int:
    return Household.objects.filter(
        is_demo=True, village__code__startswith=codes.prefix_of(county)
    ).count()


def load_households(actor: Any, total: int) -> tuple[int, int]:
    """Generate the missing demo households of each county; (created, already present)."""
    created = present = 0
    for county_code, wanted in county_shares(total).items():
        existing = demo_households_in(county_code)
        present += min(existing, wanted)
        missing = wanted - existing
        if missing <= 0:
            continue
        county = Region.objects.get(code=county_code)
        with transaction.atomic():
            # A different seed for each top-up, so a later run adds new rows, not copies.
            seed = int(county_code[:6]) + existing
            # One process: the demo runs in one transaction that forked workers would not see.
            generated = generator.generate(
                count=missing, county_code=county_code, seed=seed, workers=1
            )
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                instance=county,
                after={
                    "demo_households": generated.households,
                    "persons": generated.persons,
                    "measures": generated.measures,
                    "villages": generated.villages,
                    "seed": seed,
                },
                region_code=county_code,
            )
        created += generated.households
    return created, present


# Cases -------------------------------------------------------------------------------------


def _existing_keys() -> set[str]:
    notes = Case.objects.filter(clue_notes__startswith=f"[{KEY_PREFIX}-").values_list(
        "clue_notes", flat=True
    )
    return {text[1 : text.index("]")] for text in notes if "]" in text}


class _Households:
    """Demo households not yet used by a case, handed out county by county in turn."""

    def __init__(self, findings: dict[int, Finding]) -> None:
        self.findings = findings
        busy = set(Case.objects.values_list("household_id", flat=True))
        self.pools: dict[str, list[Household]] = {}
        for county in COUNTIES:
            prefix = codes.prefix_of(county)
            households = list(
                Household.objects.filter(is_demo=True, village__code__startswith=prefix)
                .exclude(pk__in=busy)
                .order_by("pk")[:1500]
            )
            if households:
                self.pools[county] = households
        self.turn = itertools.cycle(list(self.pools))
        self.today = timezone.localdate()

    def _fits(self, household: Household, plan: Plan) -> bool:
        if plan.source == CaseSource.MONITORING_FINDING and household.pk not in self.findings:
            return False
        if plan.needs_elimination:
            threshold = threshold_amount(
                region_code=household.village_id, year=household.income_year
            )
            secure = all(
                (
                    household.food_clothing_secure,
                    household.compulsory_education_secure,
                    household.basic_medical_secure,
                    household.housing_secure,
                    household.drinking_water_secure,
                )
            )
            if threshold is None or household.per_capita_net_income <= threshold + Decimal(500):
                return False
            if not secure:
                return False
            return has_working_age_labour(list(household.persons.all()), self.today)
        return True

    def take(self, plan: Plan) -> Household | None:
        for _ in range(len(self.pools)):
            county = next(self.turn)
            pool = self.pools[county]
            for index, household in enumerate(pool):
                if self._fits(household, plan):
                    return pool.pop(index)
        return None


def _scan_name() -> str:
    """One shared synthetic scan of a signed authorisation, stored once."""
    if not default_storage.exists(SCAN_NAME):
        return default_storage.save(SCAN_NAME, ContentFile(SCAN_CONTENT))
    return SCAN_NAME


def _category(household: Household, threshold: Decimal | None) -> str:
    if threshold is not None and household.per_capita_net_income > threshold:
        return MonitoringCategory.SUDDEN_HARDSHIP
    if household.household_type == HouseholdType.POVERTY_EXITED:
        return MonitoringCategory.UNSTABLE
    return MonitoringCategory.MARGINAL


class _Mover:
    """Opens one planned case and moves it, step by step, through the case services."""

    def __init__(self, actor: Any, scan: str) -> None:
        self.actor = actor
        self.scan = scan
        self.today = timezone.localdate()

    def day(self, opened: dt.date, offset: int) -> dt.date:
        return min(opened + dt.timedelta(days=offset), self.today)

    def advance(self, case: Case, target: CaseState, **step: Any) -> Case:
        return case_services.case_advance(actor=self.actor, case=case, to_state=target, **step)

    def measure(self, case: Case, category: MeasureCategory, on: dt.date, text: str) -> None:
        case_services.case_measure_add(
            actor=self.actor, case=case, category=category, date=on, description=text
        )

    def run(self, plan: Plan, household: Household, finding: Finding | None) -> Case:
        opened = self.today - dt.timedelta(days=plan.opened_days_ago)
        notes = plan.notes or _CLUES[plan.source]
        case = case_services.case_open(
            actor=self.actor,
            household=household,
            source=plan.source,
            department=plan.department,
            finding=finding if plan.source == CaseSource.MONITORING_FINDING else None,
            opened_on=opened,
            risk_types=list(plan.risk_types),
            green_channel=plan.green_channel,
            notes=f"[{plan.key}] {notes}",
        )
        if plan.green_channel:
            self.measure(
                case,
                MeasureCategory.SOCIAL_ASSISTANCE,
                opened,
                "绿色通道先行救助：临时救助金和生活物资。",
            )
        if plan.target == CaseState.DISMISSED:
            return self.dismiss(case, plan, opened)
        return self.identify_and_assist(case, plan, opened, household)

    def dismiss(self, case: Case, plan: Plan, opened: dt.date) -> Case:
        stop = plan.dismissed_from or CaseState.CLUE
        case = self.identify(
            case,
            stop,
            opened,
            comparison="not_eligible" if stop == CaseState.COMPARED else "consistent",
            review="rejected" if stop == CaseState.REVIEWED else "agreed",
        )
        return self.advance(
            case,
            CaseState.DISMISSED,
            date=self.day(opened, 5),
            reason="经入户核实和数据比对，该户收入稳定，不符合监测对象识别条件。",
        )

    def identify(
        self,
        case: Case,
        target: CaseState,
        opened: dt.date,
        *,
        comparison: str = "consistent",
        review: str = "agreed",
    ) -> Case:
        """Move along identification until `target` (or county approval)."""
        head = case.household.persons.filter(relation=Relation.HEAD).first()
        signer = head or case.household.persons.order_by("pk").first()
        notice_start = self.day(opened, NOTICE)
        steps: list[tuple[CaseState, dict[str, Any]]] = [
            (
                CaseState.VERIFIED,
                {
                    "date": self.day(opened, VERIFY),
                    "signer": signer,
                    "authorisation_scan": self.scan,
                    "notes": "入户核实家庭人口、收入和支出，户主签署承诺授权书。",
                },
            ),
            (
                CaseState.COMPARED,
                {
                    "date": self.day(opened, COMPARE),
                    "result": comparison,
                },
            ),
            (CaseState.REVIEWED, {"date": self.day(opened, REVIEW), "result": review}),
            (
                CaseState.NOTICE,
                {
                    "date": notice_start,
                    "notice_start": notice_start,
                    "notice_end": notice_start + dt.timedelta(days=NOTICE_DAYS - 1),
                },
            ),
            (CaseState.TOWNSHIP_REVIEWED, {"date": self.day(opened, TOWNSHIP)}),
            (CaseState.COUNTY_APPROVED, {"date": self.day(opened, COUNTY)}),
        ]
        for state, step in steps:
            if case.state == target:
                break
            case = self.advance(case, state, **step)
        return case

    def identify_and_assist(
        self, case: Case, plan: Plan, opened: dt.date, household: Household
    ) -> Case:
        case = self.identify(case, plan.target, opened)
        if case.state == plan.target:
            return case
        threshold = threshold_amount(region_code=household.village_id, year=household.income_year)
        identified = self.day(opened, RECORD)
        case = self.advance(
            case,
            CaseState.RECORDED,
            date=identified,
            monitoring_category=_category(household, threshold),
        )
        late = plan.target == CaseState.RECORDED and not plan.measures
        if late:
            return case
        first = self.day(identified, FIRST_MEASURE)
        self.measure(case, MeasureCategory.HEALTH, first, "落实医疗保障和大病救助，减轻医疗负担。")
        self.measure(
            case,
            MeasureCategory.EMPLOYMENT,
            self.day(identified, FIRST_MEASURE + 7),
            "推荐到东部协作地区稳定就业，发放一次性交通补贴。",
        )
        if plan.target == CaseState.RECORDED:
            return case
        case = self.advance(case, CaseState.ASSISTED, date=self.day(identified, MEASURES_IN_PLACE))
        for number in range(max(plan.visits, 1 if plan.needs_elimination else 0)):
            self.visit(case, identified, number)
        if plan.target == CaseState.ASSISTED:
            return case
        return self.eliminate(case, plan, identified)

    def visit(self, case: Case, identified: dt.date, number: int) -> None:
        visitors = ("驻村工作队", "帮扶责任人", "村两委干部")
        case_services.case_visit_add(
            actor=self.actor,
            case=case,
            date=self.day(identified, MEASURES_IN_PLACE + 30 * (number + 1)),
            visited_by=visitors[number % len(visitors)],
            notes="走访了解帮扶措施落实情况，家庭收入逐步恢复。",
        )

    def eliminate(self, case: Case, plan: Plan, identified: dt.date) -> Case:
        checked = self.day(identified, ELIMINATION_CHECK)
        notice = self.day(identified, ELIMINATION_CHECK + 1)
        steps: list[tuple[CaseState, dict[str, Any]]] = [
            (
                CaseState.ELIMINATION_CHECKED,
                {"date": checked, "way": plan.way or EliminationWay.BY_ASSISTANCE},
            ),
            (
                CaseState.ELIMINATION_NOTICE,
                {
                    "date": notice,
                    "result": "agreed",
                    "notice_start": notice,
                    "notice_end": notice + dt.timedelta(days=NOTICE_DAYS - 1),
                },
            ),
            (
                CaseState.ELIMINATION_TOWNSHIP,
                {"date": self.day(identified, ELIMINATION_CHECK + NOTICE_DAYS + 1)},
            ),
            (
                CaseState.ELIMINATED,
                {"date": self.day(identified, ELIMINATION_CHECK + NOTICE_DAYS + 2)},
            ),
        ]
        for state, step in steps:
            case = self.advance(case, state, **step)
            if case.state == plan.target:
                break
        return case


def _findings(actor: Any) -> tuple[dict[int, Finding], bool]:
    """Risk findings of the latest run by household; True when a run had to be made."""
    latest = MonitoringRun.objects.order_by("-pk").first()
    ran = False
    if latest is None:
        latest = monitoring_run(actor=actor, as_of=timezone.localdate())
        ran = True
    findings: dict[int, Finding] = {}
    for finding in Finding.objects.filter(run=latest, kind=RuleKind.RISK).order_by("pk"):
        findings.setdefault(finding.household_id, finding)
    return findings, ran


def load_cases(actor: Any, *, households_created: bool) -> tuple[int, int, bool]:
    """Open and move the missing demo cases; (created, already present, monitoring run made)."""
    plans = case_plans()
    existing = _existing_keys()
    missing = [plan for plan in plans if plan.key not in existing]
    ran = False
    if households_created:
        monitoring_run(actor=actor, as_of=timezone.localdate())
        ran = True
    if not missing:
        return 0, len(plans), ran
    findings, ran_now = _findings(actor)
    ran = ran or ran_now
    pool = _Households(findings)
    mover = _Mover(actor, _scan_name())
    created = 0
    for plan in missing:
        household = pool.take(plan)
        if household is None and plan.source == CaseSource.MONITORING_FINDING:
            plan = replace(plan, source=CaseSource.CADRE_VISIT)
            household = pool.take(plan)
        if household is None:
            continue  # too few households (a small --households); the rest are skipped
        with transaction.atomic():
            mover.run(plan, household, pool.findings.get(household.pk))
        created += 1
    return created, len(plans) - len(missing), ran


def cases_by_state() -> dict[str, int]:
    """Demo cases per state, every state listed."""
    counts = dict(
        Case.objects.filter(clue_notes__startswith=f"[{KEY_PREFIX}-")
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {state: counts.get(state, 0) for state in CaseState.values}
