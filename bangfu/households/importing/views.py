"""The import page: upload, a progress bar fed by a small JSON endpoint, the error report.

Thin: permissions and work live in the services (importing.jobs, core.jobs); a donor-side or
viewer-only user is refused the page, and every job URL answers 404 for a job that is not the
user's own.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import scope_for
from bangfu.core import jobs
from bangfu.core.errors import PermissionDenied
from bangfu.core.models import Job
from bangfu.households.importing import jobs as import_jobs
from bangfu.households.importing.mapping import TABLES, MappingError, parse_overrides
from bangfu.ingest.spreadsheets import Column, Sheet, write_xlsx

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
REPORT_SCHEMA = (
    Column("file", "文件", width=24),
    Column("row", "行", width=8),
    Column("column", "列", width=20),
    Column("reason", "原因", width=80),
)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    table = forms.ChoiceField(
        label=gettext_lazy("Table"),
        required=False,
        choices=[("", gettext_lazy("detect from the headers")), *((t, t) for t in TABLES)],
    )
    income_year = forms.IntegerField(
        label=gettext_lazy("Income year"), required=False, min_value=2015, max_value=2100
    )
    mapping = forms.FileField(label=gettext_lazy("Column mapping (JSON or YAML)"), required=False)


def _may_import(user: Any) -> bool:
    scope = scope_for(user)
    return scope.has_role(Role.DATA_ENTRY) and (
        scope.is_superuser or scope.region_prefix is not None
    )


def _job(request: HttpRequest, pk: int) -> Job:
    try:
        job = jobs.job_get(user=request.user, pk=pk)
    except PermissionDenied:
        raise Http404 from None
    if job.kind != import_jobs.KIND:
        raise Http404
    return job


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        return HttpResponse(_("You may not import households."), status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        overrides: dict[str, Any] = {}
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise MappingError(_("The file is larger than 512 MB."))
            if form.cleaned_data["mapping"]:
                mapping = form.cleaned_data["mapping"]
                overrides = parse_overrides(mapping.read().decode("utf-8"), mapping.name)
            job = import_jobs.import_queue(
                actor=request.user,
                files=[(upload.name, upload.read())],
                table=form.cleaned_data["table"] or None,
                overrides=overrides,
                income_year=form.cleaned_data["income_year"],
            )
        except (MappingError, ValueError) as exc:
            form.add_error("mapping", str(exc))
        except PermissionDenied as exc:
            return HttpResponse(str(exc), status=403)
        else:
            return redirect("households-import-job", pk=job.pk)
    recent = jobs.visible_jobs(request.user).filter(kind=import_jobs.KIND)[:10]
    return render(request, "households/import.html", {"form": form, "recent": recent})


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    messages = jobs.job_messages(job)[:200]
    return render(request, "households/import_job.html", {"job": job, "messages": messages})


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
