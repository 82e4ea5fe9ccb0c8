"""Pages of the case workflow (thin: selectors read, services write, the guards explain)."""

from __future__ import annotations

import posixpath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.cases import forms, selectors, services
from bangfu.cases.choices import CaseState
from bangfu.cases.models import Case
from bangfu.cases.timeline import step_entries
from bangfu.cases.workflow import transitions_from
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.households.selectors import visible_households


def _detail_or_404(request: HttpRequest, pk: int) -> selectors.CaseDetail:
    detail = selectors.case_detail(request.user, pk)
    if detail is None:
        raise Http404
    return detail


def _messages_of(exc: ValidationFailed) -> list[str]:
    return [message for messages_ in exc.errors.values() for message in messages_]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    cases = selectors.case_list(
        request.user,
        state=request.GET.get("state") or None,
        village=request.GET.get("village") or None,
        overdue=overdue,
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases[:500],
            "states": CaseState.choices,
            "filters": request.GET,
            "open_form": forms.OpenCaseForm(),
        },
    )


@login_required
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    form = forms.OpenCaseForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        household = visible_households(request.user).filter(number=data["household_number"]).first()
        if household is None:
            errors = [_("No household with this number lies in your scope.")]
        else:
            try:
                case = services.case_open(
                    actor=request.user,
                    household=household,
                    source=data["source"],
                    department=data["department"],
                    opened_on=data["opened_on"],
                    risk_types=data["risk_types"],
                    green_channel=data["green_channel"],
                    notes=data["notes"],
                )
            except PermissionDenied as exc:
                return HttpResponse(str(exc), status=403)
            except ValidationFailed as exc:
                errors = _messages_of(exc)
            else:
                messages.success(request, _("Case opened."))
                return redirect("case-detail", pk=case.pk)
    cases = selectors.case_list(request.user)
    context = {
        "cases": cases[:500],
        "states": CaseState.choices,
        "filters": {},
        "open_form": form,
        "open_errors": errors,
    }
    return render(request, "cases/case_list.html", context, status=400)


def _render_detail(
    request: HttpRequest,
    detail: selectors.CaseDetail,
    *,
    bound: dict[str, Any] | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    case = detail.case
    actions = [
        (t, bound.get(t.name) or forms.step_form(t.name, case=case, user=request.user))
        for t in detail.actions
    ]
    context = {
        "detail": detail,
        "case": case,
        "timeline": [(step, step_entries(step)) for step in detail.steps],
        "actions": actions,
        "measure_form": bound.get("measure") or forms.MeasureForm(prefix="measure"),
        "visit_form": bound.get("visit") or forms.VisitForm(prefix="visit"),
        "refusal": refusal or [],
        "has_notice": selectors.notice_for(request.user, case.pk) is not None,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _detail_or_404(request, pk))


@login_required
@require_POST
def case_advance(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    detail = _detail_or_404(request, pk)
    transition = next((t for t in transitions_from(detail.case.state) if t.target == target), None)
    if transition is None:
        return _render_detail(
            request,
            detail,
            refusal=[
                _("This step is not open for this case."),
            ],
            status=400,
        )
    form = forms.step_form(
        transition.name, case=detail.case, user=request.user, data=request.POST, files=request.FILES
    )
    if not form.is_valid():
        return _render_detail(request, detail, bound={transition.name: form}, status=400)
    try:
        services.case_advance(
            actor=request.user, case=detail.case, to_state=target, **form.step_data()
        )
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationFailed as exc:
        return _render_detail(
            request, detail, bound={transition.name: form}, refusal=_messages_of(exc), status=400
        )
    messages.success(request, _("Step recorded: %(step)s.") % {"step": transition.label})
    return redirect("case-detail", pk=pk)


def _assistance(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    detail = _detail_or_404(request, pk)
    form_class = forms.MeasureForm if kind == "measure" else forms.VisitForm
    form = form_class(request.POST, prefix=kind)
    if not form.is_valid():
        return _render_detail(request, detail, bound={kind: form}, status=400)
    try:
        if kind == "measure":
            services.case_measure_add(actor=request.user, case=detail.case, **form.cleaned_data)
        else:
            services.case_visit_add(actor=request.user, case=detail.case, **form.cleaned_data)
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationFailed as exc:
        return _render_detail(
            request, detail, bound={kind: form}, refusal=_messages_of(exc), status=400
        )
    messages.success(request, _("Recorded."))
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def case_measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _assistance(request, pk, "measure")


@login_required
@require_POST
def case_visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _assistance(request, pk, "visit")


@login_required
def case_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable village notice (公示): no ID, phone, bank account or health data."""
    notice = selectors.notice_for(request.user, pk)
    if notice is None:
        raise Http404
    return render(request, "cases/notice.html", {"notice": notice, "case_pk": pk})


@login_required
def authorisation_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The scan of the signed authorisation, only for users who may see the case."""
    case: Case | None = selectors.visible_cases(request.user).filter(pk=pk).first()
    if case is None or not case.authorisation_scan:
        raise Http404
    name = posixpath.basename(case.authorisation_scan.name or "authorisation")
    return FileResponse(case.authorisation_scan.open("rb"), filename=name)
