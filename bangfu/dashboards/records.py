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

from bangfu.accounts.scopes import pairing_q
from bangfu.core.drf import xlsx_response
from bangfu.dashboards.exports import values_xlsx
from bangfu.funds.exports import fund_flows_xlsx
from bangfu.funds.models import FundFlow, ReportedBy, SourceKind, Stage
from bangfu.funds.selectors import fund_flow_get
from bangfu.indicators.models import DataValue, Indicator
from bangfu.indicators.models import Status as ValueStatus
from bangfu.indicators.selectors import value_get, value_q
from bangfu.pairings.models import Pairing
from bangfu.pairings.selectors import pairing_list
from bangfu.projects.models import Category, Project
from bangfu.projects.models import Status as ProjectStatus
from bangfu.projects.selectors import project_get, with_funding
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
    visible = list(pairing_list(user=request.user))
    by_pk = {p.pk: p for p in visible}
    if any(pk not in by_pk for pk in wanted):
        raise Http404
    ids = set(wanted)
    if request.GET.get("nested") == "1":
        children: dict[int, list[int]] = {}
        for p in visible:
            if p.parent_id is not None:
                children.setdefault(p.parent_id, []).append(p.pk)
        frontier = list(wanted)
        while frontier:
            frontier = [c for pk in frontier for c in children.get(pk, [])]
            ids.update(frontier)
    return [by_pk[pk] for pk in wanted], sorted(ids)


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
    flows = FundFlow.objects.filter(pairing_q(request.user, "pairing__"))
    if ids is not None:
        flows = flows.filter(pairing_id__in=ids)
    year = request.GET.get("year", "")
    if year.isdigit():
        flows = flows.filter(year=int(year))
    stage = _choice(request, "stage", Stage.values)
    if stage:
        flows = flows.filter(stage=stage)
    source = _choice(request, "source_kind", SourceKind.values)
    if source:
        flows = flows.filter(source_kind=source)
    side = _choice(request, "reported_by", ReportedBy.values)
    if side:
        flows = flows.filter(reported_by=side)
    flows = flows.select_related(
        "pairing__donor_region",
        "pairing__recipient_region",
        "pairing__donor_organisation",
        "pairing__recipient_organisation",
        "project",
        "source_organisation",
        "receiving_organisation",
        "reverses",
    ).order_by("-year", "pairing_id", "stage", "date", "id")
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
    projects = Project.objects.filter(pairing_q(request.user, "pairing__"))
    if ids is not None:
        projects = projects.filter(pairing_id__in=ids)
    year = request.GET.get("year", "")
    if year.isdigit():
        y = int(year)
        projects = projects.filter(start_year__lte=y).exclude(end_year__lt=y)
        projects = projects.exclude(end_year__isnull=True, start_year__lt=y)
    category = _choice(request, "category", Category.values)
    if category:
        projects = projects.filter(category=category)
    status = _choice(request, "status", ProjectStatus.values)
    if status:
        projects = projects.filter(status=status)
    projects = with_funding(projects).select_related(
        "pairing__donor_region",
        "pairing__recipient_region",
        "pairing__donor_organisation",
        "pairing__recipient_organisation",
        "region",
    )
    projects = projects.order_by("-start_year", "pairing_id", "code", "id")
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
    values = DataValue.objects.filter(value_q(request.user))
    if ids is not None:
        values = values.filter(pairing_id__in=ids)
    codes = [c for c in request.GET.getlist("indicator") if c]
    indicators = list(Indicator.objects.filter(code__in=codes)) if codes else []
    if codes:
        values = values.filter(indicator__code__in=codes)
    status = _choice(request, "status", ValueStatus.values)
    if status:
        values = values.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        values = values.filter(period_start__year=int(year), period_end__year=int(year))
    values = values.select_related(
        "indicator",
        "pairing__donor_region",
        "pairing__recipient_region",
        "pairing__donor_organisation",
        "pairing__recipient_organisation",
        "party_region",
        "party_organisation",
    ).order_by("-period_end", "indicator__sort_order", "pairing_id", "id")
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
