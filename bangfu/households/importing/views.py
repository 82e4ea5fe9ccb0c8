"""The import page: every spreadsheet the platform accepts, uploaded as a background job, a
progress bar polled by htmx (and a small JSON endpoint), the row-level error report.

Household, person and village tables go to the household importer (importing.jobs); fund flows,
projects and indicator figures and targets to their apps' importers (ingest.import_jobs). Thin:
permissions and work live in those services and core.jobs; a viewer-only user is refused the
page, household tables need a region office, and every job URL answers 404 for a job that is
not the user's own.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core import jobs
from bangfu.core.drf import xlsx_response
from bangfu.core.errors import PermissionDenied
from bangfu.core.models import Job
from bangfu.households.importing import jobs as import_jobs
from bangfu.households.importing.mapping import TABLES, MappingError, parse_overrides
from bangfu.ingest.import_jobs import (
    KIND_PREFIX,
    SheetKind,
    is_sheet_job,
    sheet_import_queue,
    template,
)
from bangfu.ingest.spreadsheets import Column, Sheet, write_xlsx

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
REPORT_SCHEMA = (
    Column("file", "文件", width=24),
    Column("row", "行", width=8),
    Column("column", "列", width=20),
    Column("reason", "原因", width=80),
)


TABLE_LABELS = {
    "village": gettext_lazy("village table (村基本情况)"),
    "household": gettext_lazy("household table (户基本情况)"),
    "person": gettext_lazy("person table (家庭成员)"),
}
HOUSEHOLD_CHOICES = [
    ("", gettext_lazy("household, person or village table: detect from the headers")),
    *((table, TABLE_LABELS[table]) for table in TABLES),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    table = forms.ChoiceField(
        label=gettext_lazy("The file holds"), required=False, choices=HOUSEHOLD_CHOICES
    )
    income_year = forms.IntegerField(
        label=gettext_lazy("Income year"), required=False, min_value=2015, max_value=2100
    )
    mapping = forms.FileField(label=gettext_lazy("Column mapping (JSON or YAML)"), required=False)

    def __init__(self, *args: Any, households: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [*HOUSEHOLD_CHOICES] if households else []
        field = self.fields["table"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*choices, *SheetKind.choices]
        field.required = not households


def _may_import(user: Any) -> bool:
    return scope_for(user).has_role(Role.DATA_ENTRY)


def _may_import_households(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.region_prefix is not None


def _job(request: HttpRequest, pk: int) -> Job:
    try:
        job = jobs.job_get(user=request.user, pk=pk)
    except PermissionDenied:
        raise Http404 from None
    if job.kind != import_jobs.KIND and not is_sheet_job(job):
        raise Http404
    return job


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        return HttpResponse(_("You may not import data."), status=403)
    households = _may_import_households(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, households=households)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        overrides: dict[str, Any] = {}
        table = form.cleaned_data["table"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise MappingError(_("The file is larger than 512 MB."))
            if table in SheetKind.values:
                job = sheet_import_queue(
                    actor=request.user, kind=table, filename=upload.name, data=upload.read()
                )
                return redirect("households-import-job", pk=job.pk)
            if form.cleaned_data["mapping"]:
                mapping = form.cleaned_data["mapping"]
                overrides = parse_overrides(mapping.read().decode("utf-8"), mapping.name)
            job = import_jobs.import_queue(
                actor=request.user,
                files=[(upload.name, upload.read())],
                table=table or None,
                overrides=overrides,
                income_year=form.cleaned_data["income_year"],
            )
        except (MappingError, ValueError) as exc:
            form.add_error("mapping", str(exc))
        except PermissionDenied as exc:
            return HttpResponse(str(exc), status=403)
        else:
            return redirect("households-import-job", pk=job.pk)
    recent = jobs.visible_jobs(request.user).filter(
        Q(kind=import_jobs.KIND) | Q(kind__startswith=KIND_PREFIX)
    )[:10]
    context = {
        "form": form,
        "recent": recent,
        "households": households,
        "sheet_kinds": SheetKind.choices,
    }
    return render(request, "households/import.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def sheet_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty file of one kind, laid out as the importer expects it."""
    if kind not in SheetKind.values or not _may_import(request.user):
        raise Http404
    return xlsx_response(template(kind), f"{kind}-template.xlsx")


def _kind_label(job: Job) -> str:
    if is_sheet_job(job):
        return str(SheetKind(job.params.get("sheet")).label)
    tables = {str(entry.get("table") or "") for entry in job.params.get("files", [])}
    return str(TABLE_LABELS.get(tables.pop(), HOUSEHOLD_CHOICES[0][1])) if len(tables) == 1 else ""


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {
        "job": job,
        "row_errors": jobs.job_messages(job)[:200],
        "kind_label": _kind_label(job),
    }
    return render(request, "households/import_job.html", context)


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx; once the job ends the page reloads itself to
    show the outcome (rows written, or the refused rows)."""
    job = _job(request, pk)
    response = render(request, "households/import_progress.html", {"job": job})
    if job.finished_at is not None and request.GET.get("running"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "messages": job.summary.get("messages", 0),
        }
    )


@login_required
@require_GET
def job_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Every stored message of the job as CSV or XLSX (file, row, column, reason)."""
    job = _job(request, pk)
    rows = list(jobs.job_messages(job).values("file", "row", "column", "reason"))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, [Sheet("错误", REPORT_SCHEMA, rows)])
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([c.header for c in REPORT_SCHEMA])
        writer.writerows([r["file"], r["row"], r["column"], r["reason"]] for r in rows)
        response = HttpResponse(("\ufeff" + text.getvalue()).encode(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.{fmt}"'
    return response
