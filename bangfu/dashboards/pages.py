"""Reads behind the pairing and region pages: dataclasses built from the other apps' selectors,
in a bounded number of queries whatever the number of pairings, projects or figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from bangfu.accounts.scopes import pairing_q, region_in_scope, scope_for
from bangfu.core.errors import ValidationFailed
from bangfu.dashboards import selectors
from bangfu.funds.ledger import StageTotals
from bangfu.funds.selectors import SummaryRow, fund_summary
from bangfu.indicators import scorecards
from bangfu.indicators.models import ScorecardConfig, Target
from bangfu.indicators.selectors import Progress, pairing_progress, snapshot_get
from bangfu.pairings.models import Meeting, Pairing
from bangfu.pairings.selectors import PairingDetail, pairing_detail
from bangfu.projects.models import Category, Project
from bangfu.projects.models import Status as ProjectStatus
from bangfu.projects.selectors import project_list
from bangfu.regions import codes
from bangfu.regions.models import Region

PROJECT_LIST_LIMIT = 10


@dataclass(frozen=True)
class CountCell:
    category: str
    status: str
    n: int


@dataclass
class PairingDashboard:
    detail: PairingDetail
    year: int
    years: list[int]
    work_area: str
    headlines: selectors.Headlines
    descendants: int
    funds_by_year: list[SummaryRow]
    year_funds: StageTotals
    project_counts: list[CountCell]
    projects: list[Project]
    projects_total: int
    progress: list[Progress]
    scorecard: scorecards.Card | None
    scorecard_approved: bool
    timeline: list[Meeting] = field(default_factory=list)

    @property
    def pairing(self) -> Pairing:
        return self.detail.pairing

    @property
    def behind_pace(self) -> int:
        return sum(1 for p in self.progress if p.behind_pace)


def _years(pairing: Pairing, summary: list[SummaryRow], target_years: list[int]) -> list[int]:
    today = timezone.localdate()
    found = {row.key["year"] for row in summary} | set(target_years)
    first = min([pairing.start_date.year, *found])
    last = max([today.year, *found])
    return list(range(last, first - 1, -1))


def default_year(summary: list[SummaryRow], target_years: list[int]) -> int:
    """The latest year with money or targets recorded, else this year."""
    found = {row.key["year"] for row in summary} | set(target_years)
    return max(found) if found else timezone.localdate().year


def pairing_dashboard(
    *, user: Any, pk: int, year: int | None = None, work_area: str = ""
) -> PairingDashboard | None:
    """Everything the pairing page shows; None outside the user's scope."""
    detail = pairing_detail(user=user, pk=pk)
    if detail is None:
        return None
    pairing = detail.pairing
    trees = selectors.forest(user=user)
    subtree = trees.subtree(pairing.pk)
    summary = fund_summary(user=user, group_by=("year",), pairing=pairing, include_nested=True)
    target_years = sorted(
        {
            d.year
            for d in Target.objects.filter(pairing_q(user, "pairing__"), pairing=pairing)
            .order_by()
            .values_list("period_start", flat=True)
            .distinct()
        }
    )
    if year is None:
        year = default_year(summary, target_years)
    loaded = selectors.figures(user=user, year=year, tops=[pairing.pk], trees=trees)
    headlines = loaded.headlines([pairing.pk])
    counts = (
        Project.objects.filter(pairing_q(user, "pairing__"), pairing_id__in=subtree)
        .order_by()
        .values("category", "status")
        .annotate(n=Count("pk"))
        .order_by("category", "status")
    )
    projects = project_list(user=user, pairing=pairing, include_nested=True, year=year).order_by(
        "-budget", "id"
    )
    progress = pairing_progress(user=user, pairing=pairing, year=year)
    if work_area:
        progress = [p for p in progress if p.indicator.work_area == work_area]
    card, approved = _scorecard(user, pairing, year)
    return PairingDashboard(
        detail=detail,
        year=year,
        years=_years(pairing, summary, target_years),
        work_area=work_area,
        headlines=headlines,
        descendants=len(subtree) - 1,
        funds_by_year=summary,
        year_funds=headlines.funds,
        project_counts=[CountCell(r["category"], r["status"], r["n"]) for r in counts],
        projects=list(projects[:PROJECT_LIST_LIMIT]),
        projects_total=headlines.projects,
        progress=progress,
        scorecard=card,
        scorecard_approved=approved,
        timeline=sorted(detail.meetings, key=lambda m: (m.date, m.pk), reverse=True),
    )


def _scorecard(user: Any, pairing: Pairing, year: int) -> tuple[scorecards.Card | None, bool]:
    """The approved card of the year when there is one, else the card as figures stand now
    (None when no scorecard is configured for the year)."""
    frozen = snapshot_get(user=user, pairing=pairing, year=year)
    if frozen is not None:
        card = frozen.card
        lines = [scorecards.CardLine(**line) for line in card.get("lines", [])]
        return scorecards.Card(**{**card, "lines": lines}), True
    if not ScorecardConfig.objects.filter(year=year).exists():
        return None, False
    try:
        return scorecards.compute(user=user, pairing=pairing, year=year), False
    except ValidationFailed:
        return None, False


# Charts -----------------------------------------------------------------------------------------


def _wan(amount: Decimal) -> float:
    """Yuan → 万元 for charts (a chart is a picture; tables keep the exact figures)."""
    return float((amount / Decimal(10_000)).quantize(Decimal("0.01")))


def funds_chart(summary: list[SummaryRow], labels: dict[str, str]) -> dict[str, Any]:
    """Stacked bars per year: the planned amount split into what is spent, paid out but not
    yet spent, arrived but not paid out, and planned but not arrived (negative gaps count 0)."""
    years = [str(row.key["year"]) for row in summary]
    pieces: dict[str, list[float]] = {key: [] for key in ("spent", "paid", "arrived", "planned")}
    for row in summary:
        t = row.totals
        pieces["spent"].append(_wan(max(t.spent, Decimal(0))))
        pieces["paid"].append(_wan(max(t.paid_out - t.spent, Decimal(0))))
        pieces["arrived"].append(_wan(max(t.arrived - t.paid_out, Decimal(0))))
        pieces["planned"].append(_wan(max(t.planned - t.arrived, Decimal(0))))
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 56, "right": 16, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": labels["unit"]},
        "series": [
            {"name": labels[key], "type": "bar", "stack": "funds", "data": pieces[key]}
            for key in ("spent", "paid", "arrived", "planned")
        ],
    }


def projects_chart(cells: list[CountCell]) -> dict[str, Any]:
    """Projects per category (bars), stacked by status."""
    categories = [c for c in Category.values if any(x.category == c for x in cells)]
    statuses = [s for s in ProjectStatus.values if any(x.status == s for x in cells)]
    table = {(x.category, x.status): x.n for x in cells}
    labels_c = dict(Category.choices)
    labels_s = dict(ProjectStatus.choices)
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 100},
        "xAxis": {
            "type": "category",
            "data": [str(labels_c.get(c, c)) for c in categories],
            "axisLabel": {"interval": 0, "rotate": 30, "width": 96, "overflow": "truncate"},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": str(labels_s.get(s, s)),
                "type": "bar",
                "stack": "projects",
                "data": [table.get((c, s), 0) for c in categories],
            }
            for s in statuses
        ],
    }


# Region page ------------------------------------------------------------------------------------


@dataclass
class RegionColumn:
    """One column of the region page: a counterpart (or a county) and its pairings' figures."""

    key: str
    name: str
    region_code: str | None
    pairings: list[Pairing]
    headlines: selectors.Headlines


@dataclass
class RegionDashboard:
    region: Region
    mode: str  # "donor", "recipient" or "rollup"
    year: int | None
    columns: list[RegionColumn]
    total: selectors.Headlines


def region_visible(*, user: Any, code: str) -> Region | None:
    """The region when the user's own subtree holds it (superusers: any); None otherwise."""
    region = Region.objects.filter(code=code).first()
    if region is None or scope_for(user).sees_nothing:
        return None
    return region if region_in_scope(user, region.code) else None


def _side_in(pairing: Pairing, prefix: str) -> str | None:
    for side in ("donor", "recipient"):
        region_id = getattr(pairing, f"{side}_region_id")
        organisation = getattr(pairing, f"{side}_organisation")
        code = region_id or (organisation.region_id if organisation is not None else None)
        if code and str(code).startswith(prefix):
            return side
    return None


def _party(pairing: Pairing, side: str) -> tuple[str, str, str | None]:
    """(key, name, region code) of one party."""
    region_id = getattr(pairing, f"{side}_region_id")
    if region_id:
        return (f"r{region_id}", str(getattr(pairing, f"{side}_region")), str(region_id))
    organisation = getattr(pairing, f"{side}_organisation")
    return (f"o{organisation.pk}", str(organisation), None)


def region_dashboard(*, user: Any, region: Region, year: int | None = None) -> RegionDashboard:
    """A donor district's recipients side by side, a recipient county's donors, or a province's
    or prefecture's counties rolled up: the visible pairings with a party in the region that are
    not nested in another such pairing, grouped into columns (a fixed number of queries)."""
    prefix = codes.prefix_of(region.code)
    trees = selectors.forest(user=user)
    inside = {pk: p for pk, p in trees.pairings.items() if _side_in(p, prefix) is not None}
    tops = [pk for pk, p in inside.items() if p.parent_id not in inside]
    loaded = selectors.figures(user=user, year=year, tops=tops, trees=trees)
    sides = {_side_in(inside[pk], prefix) for pk in tops}
    rollup = codes.PREFIX_LENGTH[region.level] < codes.PREFIX_LENGTH[codes.Level.COUNTY]
    groups: dict[str, list[int]] = defaultdict(list)
    names: dict[str, tuple[str, str | None]] = {}
    for pk in tops:
        pairing = inside[pk]
        own_side = _side_in(pairing, prefix) or "recipient"
        if rollup:
            key, name, code = _party(pairing, own_side)
            if code:
                county = code[:6] + "0" * 6
                key, code = f"r{county}", county
        else:
            key, name, code = _party(pairing, "recipient" if own_side == "donor" else "donor")
        groups[key].append(pk)
        names.setdefault(key, (name, code))
    if rollup:
        county_names = dict(
            Region.objects.filter(code__in=[c for _, c in names.values() if c]).values_list(
                "code", "name"
            )
        )
        names = {k: (county_names.get(c or "", n), c) for k, (n, c) in names.items()}
    columns = [
        RegionColumn(
            key=key,
            name=names[key][0],
            region_code=names[key][1],
            pairings=[inside[pk] for pk in pks],
            headlines=loaded.headlines(pks),
        )
        for key, pks in sorted(groups.items(), key=lambda item: names[item[0]][0])
    ]
    if rollup:
        mode = "rollup"
    elif sides == {"recipient"}:
        mode = "recipient"
    else:
        mode = "donor"
    return RegionDashboard(region, mode, year, columns, loaded.headlines(tops))


def region_years() -> list[int]:
    today = timezone.localdate()
    return list(range(today.year, 2015, -1))
