"""Dashboard pages: overview (home), pairing, region. Thin: the figures come from the selectors.

Filters are plain GET forms; with htmx (HX-Request header) the pairing and region pages answer
with the filtered panel only, which charts.js draws again after the swap.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bangfu.accounts.scopes import visible_pairings
from bangfu.core.drf import xlsx_response
from bangfu.dashboards import exports, pages, selectors
from bangfu.dashboards.cache import cached_body
from bangfu.indicators.models import WorkArea
from bangfu.projects.selectors import project_list
from bangfu.projects.spreadsheets import projects_xlsx


def int_param(request: HttpRequest, name: str) -> int | None:
    """An integer query parameter; a missing or malformed one counts as not given."""
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def chart_labels() -> dict[str, str]:
    return {
        "spent": _("Spent"),
        "paid": _("Paid out, not yet spent"),
        "arrived": _("Arrived, not yet paid out"),
        "planned": _("Planned, not yet arrived"),
        "unit": _("10,000 yuan"),
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: their top pairings as cards with the headline figures."""
    year = int_param(request, "year")

    def build() -> SafeString:
        context = {
            "cards": selectors.overview_cards(user=request.user, year=year),
            "year": year,
            "years": pages.region_years(),
            "own_region": getattr(request.user, "region", None),
        }
        return render_to_string("dashboards/_overview_body.html", context, request)

    body = cached_body(request, "overview", build)
    return render(request, "dashboards/overview.html", {"body": body})


@login_required
def pairing_page(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = (
        visible_pairings(request.user)
        .select_related(
            "donor_region", "recipient_region", "donor_organisation", "recipient_organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if pairing is None:
        raise Http404
    work_area = request.GET.get("work_area", "")
    if work_area not in WorkArea.values:
        work_area = ""
    template = (
        "dashboards/_pairing_panel.html" if is_htmx(request) else "dashboards/_pairing_body.html"
    )

    def build() -> SafeString:
        board = pages.pairing_dashboard(
            user=request.user, pk=pk, year=int_param(request, "year"), work_area=work_area
        )
        if board is None:  # the scope changed between the two reads
            raise Http404
        context: dict[str, Any] = {
            "board": board,
            "detail": board.detail,
            "pairing": board.pairing,
            "headlines": board.headlines,
            "areas": WorkArea.choices,
            "funds_chart": pages.funds_chart(board.funds_by_year, chart_labels()),
            "projects_chart": pages.projects_chart(board.project_counts),
        }
        return render_to_string(template, context, request)

    body = cached_body(request, "pairing", build)
    if is_htmx(request):
        return HttpResponse(body)
    return render(request, "dashboards/pairing.html", {"body": body, "pairing": pairing})


@login_required
def region_page(request: HttpRequest, code: str) -> HttpResponse:
    region = pages.region_visible(user=request.user, code=code)
    if region is None:
        raise Http404
    year = int_param(request, "year")
    template = (
        "dashboards/_region_panel.html" if is_htmx(request) else "dashboards/_region_body.html"
    )

    def build() -> SafeString:
        board = pages.region_dashboard(user=request.user, region=region, year=year)
        context = {"board": board, "region": region, "year": year, "years": pages.region_years()}
        return render_to_string(template, context, request)

    body = cached_body(request, "region", build)
    if is_htmx(request):
        return HttpResponse(body)
    return render(request, "dashboards/region.html", {"body": body, "region": region})


# Downloads --------------------------------------------------------------------------------------


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    year = int_param(request, "year")
    cards = selectors.overview_cards(user=request.user, year=year)
    rows = [(f"{c.pairing.donor_name} → {c.pairing.recipient_name}", c.headlines) for c in cards]
    data = exports.headlines_xlsx(rows, "一组数据")
    return xlsx_response(data, f"overview-{year or 'all'}.xlsx")


@login_required
def region_export(request: HttpRequest, code: str) -> HttpResponse:
    region = pages.region_visible(user=request.user, code=code)
    if region is None:
        raise Http404
    year = int_param(request, "year")
    board = pages.region_dashboard(user=request.user, region=region, year=year)
    rows = [(c.name, c.headlines) for c in board.columns] + [("合计", board.total)]
    data = exports.headlines_xlsx(rows, region.name[:31])
    return xlsx_response(data, f"region-{region.code}-{year or 'all'}.xlsx")


@login_required
def pairing_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One table of the pairing page (?table=funds|projects|progress, with the page's filters)."""
    table = request.GET.get("table", "")
    work_area = request.GET.get("work_area", "")
    board = pages.pairing_dashboard(
        user=request.user,
        pk=pk,
        year=int_param(request, "year"),
        work_area=work_area if work_area in WorkArea.values else "",
    )
    if board is None:
        raise Http404
    if table == "funds":
        return xlsx_response(exports.funds_xlsx(board), f"pairing-{pk}-funds.xlsx")
    if table == "progress":
        data = exports.progress_xlsx(board)
        return xlsx_response(data, f"pairing-{pk}-progress-{board.year}.xlsx")
    if table == "projects":
        projects = project_list(user=request.user, pairing=pk, include_nested=True, year=board.year)
        data = projects_xlsx(projects)
        return xlsx_response(data, f"pairing-{pk}-projects-{board.year}.xlsx")
    raise Http404


@login_required
def pairing_workbook(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The annual workbook: one sheet per work area, Chinese headers."""
    board = pages.pairing_dashboard(user=request.user, pk=pk, year=year)
    if board is None:
        raise Http404
    data = exports.annual_workbook(user=request.user, board=board)
    return xlsx_response(data, f"pairing-{pk}-{year}.xlsx")
