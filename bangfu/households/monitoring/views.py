"""The monitoring page (recipient side) and its drill-down to households.

Thin: the figures come from `monitoring.selectors`, personal data only through `pii` (masked
unless the user holds the county's grant). Out-of-scope regions and households answer 404;
donor-side users and outsiders see empty figures, never a household.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.core.drf import xlsx_response
from bangfu.households.choices import MonitoringCategory, RiskType
from bangfu.households.monitoring import selectors
from bangfu.households.pii import present_person
from bangfu.ingest.spreadsheets import Column, ColumnKind, Sheet, write_xlsx
from bangfu.regions.models import Region

PAGE_SIZE = 50
CATEGORY_COLOURS = {
    MonitoringCategory.UNSTABLE: "#c2410c",
    MonitoringCategory.MARGINAL: "#ca8a04",
    MonitoringCategory.SUDDEN_HARDSHIP: "#b91c1c",
}


def _region(request: HttpRequest) -> Region | None:
    try:
        return selectors.region_filter(request.user, request.GET.get("region") or None)
    except Region.DoesNotExist:
        raise Http404 from None


def _subregions(request: HttpRequest, region: Region | None) -> list[Region]:
    """The divisions one level below the filter (or the user's own region), for the filter."""
    base = region.code if region is not None else getattr(request.user, "region_id", None)
    if not base:
        return []
    return list(Region.objects.filter(parent_id=base).order_by("code"))


def _bar(labels: list[str], series: list[dict[str, Any]], *, horizontal: bool = False) -> Any:
    category_axis = {"type": "category", "data": labels, "axisLabel": {"interval": 0}}
    value_axis = {"type": "value", "minInterval": 1}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": {**category_axis, "inverse": True} if horizontal else value_axis,
        "series": series,
    }


def _charts(overview: selectors.MonitoringOverview) -> dict[str, Any]:
    categories = overview.by_category
    villages = overview.by_village[:20]
    trend = overview.trend
    return {
        "category": _bar(
            [row.label for row in categories],
            [
                {
                    "name": _("monitored"),
                    "type": "bar",
                    "stack": "all",
                    "data": [row.monitored for row in categories],
                },
                {
                    "name": _("risk eliminated"),
                    "type": "bar",
                    "stack": "all",
                    "data": [row.eliminated for row in categories],
                },
            ],
        ),
        "risk": _bar(
            [row.label for row in overview.by_risk],
            [
                {
                    "name": _("households"),
                    "type": "bar",
                    "data": [row.count for row in overview.by_risk],
                }
            ],
            horizontal=True,
        ),
        "village": _bar(
            [row.name for row in villages],
            [
                {
                    "name": str(category.label),
                    "type": "bar",
                    "stack": "all",
                    "itemStyle": {"color": CATEGORY_COLOURS[category]},
                    "data": [row.by_category.get(category, 0) for row in villages],
                }
                for category in selectors.MONITORED_CATEGORIES
            ],
            horizontal=True,
        ),
        "trend": {
            "tooltip": {"trigger": "axis"},
            "legend": {"show": True, "top": 0},
            "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": [f"{p.run.as_of:%Y-%m-%d}" for p in trend]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": _("findings"), "type": "line", "data": [p.findings for p in trend]},
                {"name": _("new"), "type": "bar", "data": [p.new for p in trend]},
                {"name": _("resolved"), "type": "bar", "data": [p.resolved for p in trend]},
                {"name": _("persisting"), "type": "bar", "data": [p.persisting for p in trend]},
            ],
        },
    }


@login_required
def monitoring_page(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    overview = selectors.monitoring_overview(request.user, region=region)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_workbook(overview), "monitoring.xlsx")
    context = {
        "overview": overview,
        "region": region,
        "subregions": _subregions(request, region),
        "charts": _charts(overview),
        # One bar of 28 px per village shown, room for the legend and axis.
        "village_chart_height": 80 + 28 * min(len(overview.by_village), 20),
        "categories": MonitoringCategory.choices[1:],
        "query": request.GET.urlencode(),
    }
    template = (
        "households/monitoring/_overview.html"
        if request.headers.get("HX-Request")
        else "households/monitoring/overview.html"
    )
    return render(request, template, context)


def _workbook(overview: selectors.MonitoringOverview) -> bytes:
    integer = ColumnKind.INTEGER
    categories = selectors.MONITORED_CATEGORIES
    sheets = [
        Sheet(
            "监测对象类别",
            (
                Column("label", "类别", width=30),
                Column("monitored", "监测中（户）", integer),
                Column("eliminated", "已消除风险（户）", integer),
            ),
            [vars(row) for row in overview.by_category],
        ),
        Sheet(
            "风险类型",
            (Column("label", "风险类型", width=30), Column("count", "户数", integer)),
            [vars(row) for row in overview.by_risk],
        ),
        Sheet(
            "村",
            (
                Column("code", "村代码", width=16),
                Column("name", "村", width=20),
                *(Column(str(c), str(c.label), integer, width=16) for c in categories),
                Column("total", "合计", integer),
            ),
            [
                {"code": v.code, "name": v.name, "total": v.total, **v.by_category}
                for v in overview.by_village
            ],
        ),
        Sheet(
            "监测批次",
            (
                Column("as_of", "监测日期", ColumnKind.DATE, width=14),
                Column("findings", "发现", integer),
                Column("new", "新增", integer),
                Column("resolved", "已消除", integer),
                Column("persisting", "持续", integer),
            ),
            [
                {
                    "as_of": p.run.as_of,
                    "findings": p.findings,
                    "new": p.new,
                    "resolved": p.resolved,
                    "persisting": p.persisting,
                }
                for p in overview.trend
            ],
        ),
        Sheet(
            "案件状态",
            (
                Column("label", "状态", width=30),
                Column("count", "件数", integer),
                Column("overdue", "逾期", integer),
            ),
            [vars(row) for row in overview.cases_by_state],
        ),
    ]
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    category = request.GET.get("category", "")
    category = category if category in selectors.MONITORED_CATEGORIES else ""
    risk = request.GET.get("risk", "")
    risk = risk if risk in RiskType.values else ""
    eliminated = {"1": True, "all": None}.get(request.GET.get("eliminated", ""), False)
    households = selectors.household_list(
        request.user, region=region, category=category, risk=risk, eliminated=eliminated
    )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            household,
            present_person(household.heads[0], request.user) if household.heads else None,
        )
        for household in page.object_list
    ]
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "households/monitoring/household_list.html",
        {
            "page": page,
            "rows": rows,
            "region": region,
            "subregions": _subregions(request, region),
            "category": category,
            "risk": risk,
            "eliminated": request.GET.get("eliminated", ""),
            "categories": MonitoringCategory.choices[1:],
            "risks": RiskType.choices,
            "filters": filters.urlencode(),
        },
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.household_detail(request.user, pk)
    if detail is None:
        raise Http404
    return render(request, "households/monitoring/household_detail.html", {"detail": detail})
