"""The record lists behind the dashboard figures (fund flows, projects, data values) and their
detail pages. Filters are query parameters; `?format=xlsx` downloads the filtered list in the
owning app's import format, so a downloaded file imports again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.core.drf import xlsx_response
from bangfu.dashboards import selectors
from bangfu.dashboards.exports import values_xlsx
from bangfu.funds.exports import fund_flows_xlsx
from bangfu.funds.models import ReportedBy, SourceKind, Stage
from bangfu.funds.selectors import fund_flow_get
from bangfu.indicators.models import Indicator
from bangfu.indicators.models import Status as ValueStatus
from bangfu.indicators.selectors import value_get
from bangfu.pairings.models import Pairing
from bangfu.projects.models import Category
from bangfu.projects.models import Status as ProjectStatus
from bangfu.projects.selectors import project_get
from bangfu.projects.spreadsheets import projects_xlsx

PAGE_SIZE = 50


def _ints(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.GET.getlist(name) if v.strip().isdigit()]


def _pairing_scope(request: HttpRequest) -> tuple[list[Pairing], list[int] | None]:
    """The pairings named by `pairing=` (visible ones only; 404 when one is not) and the ids
    they cover with `nested=1` (their subtrees); (…, None) when no pairing is named."""
    wanted = _ints(request, "pairing")
    if not wanted:
        return [], None
    trees = selectors.forest(user=request.user)
    if any(pk not in trees.pairings for pk in wanted):
        raise Http404
    ids = set(wanted)
    if request.GET.get("nested") == "1":
        for pk in wanted:
            ids.update(trees.subtree(pk))
    return [trees.pairings[pk] for pk in wanted], sorted(ids)


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() else None


def _choice(request: HttpRequest, name: str, allowed: list[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _base_context(request: HttpRequest, pairings: list[Pairing]) -> dict[str, Any]:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return {"pairings": pairings, "query": params.urlencode()}


@login_required
def fund_flow_list(request: HttpRequest) -> HttpResponse:
    pairings, ids = _pairing_scope(request)
    stage = _choice(request, "stage", Stage.values)
    source = _choice(request, "source_kind", SourceKind.values)
    side = _choice(request, "reported_by", ReportedBy.values)
    year = request.GET.get("year", "")
    flows = selectors.fund_flow_records(
        user=request.user,
        pairings=ids,
        year=_year(request),
        stage=stage,
        source_kind=source,
        reported_by=side,
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(fund_flows_xlsx(flows), "fund-flows.xlsx")
    context = _base_context(request, pairings) | {
        "page": _page(request, flows),
        "stages": Stage.choices,
        "sources": SourceKind.choices,
        "sides": ReportedBy.choices,
        "stage": stage,
        "source_kind": source,
        "reported_by": side,
        "year": year,
    }
    return render(request, "dashboards/records/fund_flows.html", context)


@login_required
def fund_flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flow = fund_flow_get(user=request.user, pk=pk)
    if flow is None:
        raise Http404
    return render(request, "dashboards/records/fund_flow.html", {"flow": flow})


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    pairings, ids = _pairing_scope(request)
    category = _choice(request, "category", Category.values)
    status = _choice(request, "status", ProjectStatus.values)
    year = request.GET.get("year", "")
    projects = selectors.project_records(
        user=request.user, pairings=ids, year=_year(request), category=category, status=status
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(projects_xlsx(projects), "projects.xlsx")
    context = _base_context(request, pairings) | {
        "page": _page(request, projects),
        "categories": Category.choices,
        "statuses": ProjectStatus.choices,
        "category": category,
        "status": status,
        "year": year,
    }
    return render(request, "dashboards/records/projects.html", context)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    if project is None:
        raise Http404
    return render(request, "dashboards/records/project.html", {"project": project})


@login_required
def value_list(request: HttpRequest) -> HttpResponse:
    pairings, ids = _pairing_scope(request)
    codes = [c for c in request.GET.getlist("indicator") if c]
    indicators = list(Indicator.objects.filter(code__in=codes)) if codes else []
    status = _choice(request, "status", ValueStatus.values)
    year = request.GET.get("year", "")
    values = selectors.value_records(
        user=request.user, pairings=ids, indicator_codes=codes, year=_year(request), status=status
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(values_xlsx(values), "indicator-values.xlsx")
    context = _base_context(request, pairings) | {
        "page": _page(request, values),
        "indicators": indicators,
        "statuses": ValueStatus.choices,
        "status": status,
        "year": year,
    }
    return render(request, "dashboards/records/values.html", context)


@login_required
def value_detail(request: HttpRequest, pk: int) -> HttpResponse:
    value = value_get(user=request.user, pk=pk)
    if value is None:
        raise Http404
    return render(request, "dashboards/records/value.html", {"value": value})
