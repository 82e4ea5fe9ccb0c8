"""Pages of indicators: a pairing's entry grid and the approval inbox (thin: reads come from the
selectors, writes go through the services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core.drf import xlsx_response
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.indicators import inbox, io, rights, selectors, services
from bangfu.indicators.models import DataValue, Side, Status, WorkArea
from bangfu.indicators.periods import MAX_YEAR, MIN_YEAR, Period, PeriodKind
from bangfu.ingest.spreadsheets import Column, Sheet, write_xlsx
from bangfu.pairings import selectors as pairing_selectors
from bangfu.pairings.models import Pairing

_KINDS = (PeriodKind.YEAR, PeriodKind.QUARTER)


@dataclass
class CellView:
    """One period of one indicator as the page shows it: the target beside this side's figure."""

    period: str
    target_name: str
    value_name: str
    target: str
    value: str
    value_status: str = ""  # the figure's status label when it is no longer a draft
    value_editable: bool = True
    status_key: str = ""  # the figure's status ("" when nothing is reported yet)
    actual: Decimal | None = None  # both sides resolved, when it differs from the figure shown
    target_errors: list[str] = field(default_factory=list)
    value_errors: list[str] = field(default_factory=list)


@dataclass
class RowView:
    code: str
    name: str
    unit: str
    computed: bool
    computed_value: Decimal | None
    cells: list[CellView]
    percent: Decimal | None = None
    behind_pace: bool | None = None
    drafts: int = 0  # figures of this side still in draft (may be submitted)
    saved: bool = False  # just saved by a row save


def _text(number: Decimal | None) -> str:
    return "" if number is None else f"{number.normalize():f}"


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _changed(posted: str, current: str) -> bool:
    if posted == current:
        return False
    try:
        return Decimal(posted) != Decimal(current or "NaN")
    except InvalidOperation:
        return True


def _rows(
    request: HttpRequest,
    grid: selectors.Grid,
    side: str,
    posted: dict[str, str],
    errors: dict[str, list[str]],
) -> list[tuple[str, list[RowView]]]:
    """The grid's rows grouped by work area, with progress and computed values beside them."""
    owner, year = grid.owner, grid.year
    whole_year = Period.year(year)
    progress = {
        p.indicator.pk: p
        for p in selectors.progress(user=request.user, owner=owner, year=year)
        if p.period == whole_year
    }
    computed: dict[str, Decimal] = {}
    if any(not row.editable for row in grid.rows):
        for found in selectors.figures(user=request.user, owner=owner, period=whole_year):
            if found.basis == "computed":
                computed[found.indicator.code] = found.value
    started = whole_year.start <= timezone.localdate()
    chinese = (translation.get_language() or "").startswith("zh")
    areas = dict(WorkArea.choices)
    groups: dict[str, list[RowView]] = {}
    for row in grid.rows:
        indicator = row.indicator
        cells = []
        for cell in row.cells:
            figure = cell.values.get(side, {}) if side else {}
            status = figure.get("status", Status.DRAFT)
            target_name = f"target:{indicator.code}:{cell.period}"
            value_name = f"value:{indicator.code}:{cell.period}"
            shown = figure.get("value")
            cells.append(
                CellView(
                    period=cell.period,
                    target_name=target_name,
                    value_name=value_name,
                    target=posted.get(target_name, _text(cell.target)),
                    value=posted.get(value_name, _text(shown)),
                    value_status=str(Status(status).label) if status != Status.DRAFT else "",
                    value_editable=bool(side) and status == Status.DRAFT,
                    status_key=str(status) if figure.get("id") else "",
                    actual=cell.actual if cell.actual != shown else None,
                    target_errors=errors.get(target_name, []),
                    value_errors=errors.get(value_name, []),
                )
            )
        pace = progress.get(indicator.pk)
        groups.setdefault(str(areas.get(indicator.work_area, indicator.work_area)), []).append(
            RowView(
                code=indicator.code,
                name=indicator.name_zh if chinese else indicator.name_en,
                unit=indicator.get_unit_display(),
                computed=not row.editable,
                computed_value=computed.get(indicator.code, Decimal(0) if started else None),
                cells=cells,
                percent=pace.percent if pace else None,
                behind_pace=pace.behind_pace if pace else None,
                drafts=sum(1 for c in cells if c.status_key == Status.DRAFT),
            )
        )
    return list(groups.items())


def _cells_to_save(
    grid: selectors.Grid, side: str, data: Any
) -> tuple[list[services.GridCellInput], list[str], dict[str, str], dict[str, list[str]]]:
    """The cells the user changed (as service input, with their field names), everything
    posted, and errors of cells the page itself refuses (a cleared number)."""
    inputs: list[services.GridCellInput] = []
    names: list[str] = []
    posted: dict[str, str] = {}
    refused: dict[str, list[str]] = {}
    for row in grid.rows:
        if not row.editable:
            continue
        code = row.indicator.code
        for cell in row.cells:
            figure = cell.values.get(side, {}) if side else {}
            fields = [("target", cell.target, "")]
            if side:
                fields.append(("value", figure.get("value"), side))
            for kind, current, cell_side in fields:
                name = f"{kind}:{code}:{cell.period}"
                if name not in data:
                    continue
                text = str(data[name]).strip().replace(",", "")
                posted[name] = text
                if not _changed(text, _text(current)):
                    continue
                if text == "":
                    refused[name] = [_("A number cannot be removed here; enter 0 instead.")]
                    continue
                inputs.append(services.GridCellInput(code, cell.period, kind, text, cell_side))
                names.append(name)
    return inputs, names, posted, refused


@login_required
def indicator_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """A pairing's indicators × the year and its quarters, targets beside figures, saved at once."""
    pairing = pairing_selectors.pairing_get(user=request.user, pk=pk)
    if pairing is None:
        raise Http404
    year = _year(request)
    area = request.GET.get("work_area", "")
    area = area if area in WorkArea.values else ""
    owner = selectors.Owner(pairing=pairing)
    may_enter = scope_for(request.user).has_role(Role.DATA_ENTRY)
    sides = rights.sides_for(request.user, pairing) if may_enter else set()
    side = Side.RECIPIENT if Side.RECIPIENT in sides else (Side.DONOR if sides else "")
    if request.GET.get("side") in sides:
        side = str(request.GET["side"])

    def load() -> selectors.Grid:
        return selectors.grid(
            user=request.user, owner=owner, year=year, kinds=_KINDS, work_area=area or None
        )

    grid = load()
    if request.method == "GET" and request.GET.get("format") in ("xlsx", "values", "targets"):
        return _grid_download(request, grid, pairing, side, str(request.GET["format"]))
    row_code = request.POST.get("row", "") if request.method == "POST" else ""
    if row_code:
        # A row saved on its own (htmx): only that row's cells, answered with the row alone.
        grid.rows = [row for row in grid.rows if row.indicator.code == row_code]
        if not grid.rows:
            raise Http404
    posted: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    saved_count = 0
    if request.method == "POST":
        cells, names, posted, errors = _cells_to_save(grid, side, request.POST)
        try:
            if errors:
                raise ValidationFailed({})
            saved_count = services.grid_save(actor=request.user, pairing=pairing, cells=cells)
        except PermissionDenied as exc:
            return HttpResponseForbidden(str(exc))
        except ValidationFailed as exc:
            for key, found in exc.errors.items():
                index = key.removeprefix("cells.")
                if index.isdigit() and int(index) < len(names):
                    errors.setdefault(names[int(index)], []).extend(found)
                else:
                    general.extend(found)
            status = 400
        else:
            if row_code:
                posted = {}
                grid = load()
                grid.rows = [row for row in grid.rows if row.indicator.code == row_code]
            else:
                if saved_count:
                    text = ngettext("%(count)d cell saved.", "%(count)d cells saved.", saved_count)
                    messages.success(request, text % {"count": saved_count})
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(request.get_full_path())
    submit_url = f"{reverse('indicator-grid-submit', args=[pairing.pk])}?{request.GET.urlencode()}"
    if row_code:
        groups = _rows(request, grid, side, posted, errors)
        row = groups[0][1][0]
        row.saved = status == 200
        context = {
            "row": row,
            "may_enter": may_enter,
            "cell_cols": 2 * len(grid.periods),
            "row_errors": general,
            "saved_count": saved_count,
            "year": year,
            "submit_url": submit_url,
        }
        # htmx swaps only successful answers by default: a refused row comes back as 200 with
        # its errors marked, and the header tells scripts and tests it was refused.
        response = render(request, "indicators/_grid_row.html", context)
        if status != 200:
            response["X-Bangfu-Refused"] = "1"
        return response
    groups = _rows(request, grid, side, posted, errors)
    context = {
        "pairing": pairing,
        "year": year,
        "years": range(
            min(year, pairing.start_date.year), max(year, timezone.localdate().year) + 2
        ),
        "area": area,
        "areas": WorkArea.choices,
        "periods": grid.periods,
        "cell_cols": 2 * len(grid.periods),
        "groups": groups,
        "may_enter": may_enter,
        "side": side,
        "sides": sorted(sides),
        "side_labels": dict(Side.choices),
        "errors": bool(errors) or bool(general),
        "general_errors": general,
        "query": request.GET.urlencode(),
        "drafts": sum(row.drafts for _, rows in groups for row in rows),
        "submit_url": submit_url,
    }
    return render(request, "indicators/grid.html", context, status=status)


def _grid_download(
    request: HttpRequest, grid: selectors.Grid, pairing: Pairing, side: str, kind: str
) -> HttpResponse:
    """The grid as shown (targets and figures per period), or the importable files of figures
    and targets (the io module's exports)."""
    year = grid.year
    if kind == "values":
        data = io.values_export(user=request.user, pairing=pairing, year=year)
        return xlsx_response(data, f"indicator-values-{pairing.pk}-{year}.xlsx")
    if kind == "targets":
        data = io.targets_export(user=request.user, pairing=pairing, year=year)
        return xlsx_response(data, f"indicator-targets-{pairing.pk}-{year}.xlsx")
    schema: list[Column] = [
        Column("code", "指标代码", width=22),
        Column("name", "指标", width=30),
        Column("unit", "单位", width=8),
    ]
    for period in grid.periods:
        schema += [
            Column(f"target:{period}", f"{period} 目标", width=12),
            Column(f"value:{period}", f"{period} 完成", width=12),
            Column(f"status:{period}", f"{period} 状态", width=10),
        ]
    with translation.override("zh-hans"):
        rows = [_download_row(row, side) for row in grid.rows]
    buffer = BytesIO()
    write_xlsx(buffer, [Sheet(f"指标 {year}", tuple(schema), rows)])
    return xlsx_response(buffer.getvalue(), f"indicator-grid-{pairing.pk}-{year}.xlsx")


def _download_row(row: selectors.GridRow, side: str) -> dict[str, Any]:
    """One indicator's line of the grid workbook: target, figure and status per period."""
    indicator = row.indicator
    line: dict[str, Any] = {
        "code": indicator.code,
        "name": indicator.name_zh,
        "unit": indicator.get_unit_display(),
    }
    for cell in row.cells:
        figure = cell.values.get(side, {}) if side else {}
        shown = figure.get("value", cell.actual if not side else None)
        line[f"target:{cell.period}"] = _text(cell.target)
        line[f"value:{cell.period}"] = _text(shown)
        if figure.get("status"):
            line[f"status:{cell.period}"] = str(Status(figure["status"]).label)
    return line


@login_required
@require_POST
def grid_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit this side's draft figures of the year (of the rows named in `codes`, or all) for
    approval, through the service, all or none."""
    pairing = pairing_selectors.pairing_get(user=request.user, pk=pk)
    if pairing is None:
        raise Http404
    year = _year(request)
    sides = rights.sides_for(request.user, pairing)
    side = str(request.GET.get("side") or "")
    if side not in sides:
        side = Side.RECIPIENT if Side.RECIPIENT in sides else (Side.DONOR if sides else "")
    if not side or not scope_for(request.user).has_role(Role.DATA_ENTRY):
        return HttpResponseForbidden(_("You may not submit figures for this pairing."))
    drafts = selectors.value_list(
        user=request.user, pairing=pairing, within=Period.year(year), status=Status.DRAFT
    ).filter(reported_by=side)
    codes = [code for code in request.POST.getlist("codes") if code]
    if codes:
        drafts = drafts.filter(indicator__code__in=codes)
    drafts = drafts.select_related("pairing", "party_organisation")
    back = f"{reverse('indicator-grid', args=[pairing.pk])}?{request.GET.urlencode()}"
    try:
        count = services.data_values_submit(actor=request.user, data_values=drafts)
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    except ValidationFailed as exc:
        for found in exc.errors.values():
            for message in found:
                messages.error(request, message)
        return redirect(back)
    if count:
        text = ngettext(
            "%(count)d figure submitted for approval.",
            "%(count)d figures submitted for approval.",
            count,
        )
        messages.success(request, text % {"count": count})
    else:
        messages.info(request, _("No draft figure to submit."))
    return redirect(back)


# The approval inbox ----------------------------------------------------------------------------


def _owner_name(value: DataValue) -> str:
    if value.pairing is not None:
        return str(value.pairing)
    return str(value.party_region or value.party_organisation)


def _render_inbox(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    values = inbox.review_inbox(request.user)
    chinese = (translation.get_language() or "").startswith("zh")
    rows = [
        {
            "value": value,
            "indicator": value.indicator.name_zh if chinese else value.indicator.name_en,
            "owner": _owner_name(value),
            "side": value.get_reported_by_display(),
        }
        for value in values
    ]
    context = {"rows": rows, "may_review": scope_for(request.user).has_role(Role.REVIEWER)}
    context.update(extra)
    return render(request, "indicators/inbox.html", context, status=status)


@login_required
def review_inbox(request: HttpRequest) -> HttpResponse:
    """Submitted figures awaiting this reviewer: approve one or many, or send one back."""
    return _render_inbox(request)


def _visible_value(request: HttpRequest, pk: Any) -> DataValue:
    try:
        value = selectors.value_get(user=request.user, pk=int(pk))
    except (TypeError, ValueError):
        value = None
    if value is None:
        raise Http404
    return value


@login_required
@require_POST
def review_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked figures through the service, all or none."""
    ids = request.POST.getlist("ids")
    if not ids:
        messages.warning(request, _("Tick the figures to approve first."))
        return redirect("indicator-inbox")
    values = [_visible_value(request, pk) for pk in ids]
    try:
        services.data_values_approve(actor=request.user, data_values=values)
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    except ValidationFailed as exc:
        errors = [m for found in exc.errors.values() for m in found]
        return _render_inbox(request, status=400, errors=errors)
    text = ngettext("%(count)d figure approved.", "%(count)d figures approved.", len(values))
    messages.success(request, text % {"count": len(values)})
    return redirect("indicator-inbox")


@login_required
@require_POST
def review_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Send one figure back to its reporter with the reason (required)."""
    value = _visible_value(request, pk)
    reason = request.POST.get("reason", "")
    try:
        services.data_value_send_back(actor=request.user, data_value=value, reason=reason)
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    except ValidationFailed as exc:
        errors = [m for found in exc.errors.values() for m in found]
        return _render_inbox(request, status=400, errors=errors, failed=value.pk)
    messages.success(request, _("The figure was sent back to its reporter."))
    return redirect("indicator-inbox")


@login_required
def review_badge(request: HttpRequest) -> HttpResponse:
    """The number of figures awaiting this reviewer, for the navigation (loaded by htmx)."""
    count = len(inbox.review_inbox(request.user))
    return render(request, "indicators/_inbox_badge.html", {"count": count})
