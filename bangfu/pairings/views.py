"""Document downloads of pairings (the home and pairing pages are in bangfu/dashboards)."""

from __future__ import annotations

import posixpath

from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from bangfu.pairings import selectors


def _file_response(file: FieldFile) -> FileResponse:
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), filename=posixpath.basename(file.name or "document"))


@login_required
def agreement_document(request: HttpRequest, pk: int) -> FileResponse:
    """An agreement's document, served only to users who may see the pairing."""
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    if agreement is None:
        raise Http404
    return _file_response(agreement.document)


@login_required
def meeting_document_file(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting's document, served only to users who may see the pairing."""
    document = selectors.meeting_document_get(user=request.user, pk=pk)
    if document is None:
        raise Http404
    return _file_response(document.file)
