"""Project documents and photos: upload (API and admin) through the service, scoped downloads."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from bangfu.accounts.models import Role
from bangfu.core.models import AuditEvent
from bangfu.core.testing import make_user
from bangfu.projects import services
from bangfu.projects.models import DocumentKind, Project, ProjectDocument

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(world) -> Project:
    return services.project_create(
        actor=world.alice,
        pairing=world.longhua_fengshan,
        code="FS-01",
        name="同乐村饮水工程",
        region=world.fengshan,
        category="drinking_water",
        start_year=2021,
    )


def api(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def upload(user: Any, project: Project, **fields: Any) -> Any:
    body = {
        "file": SimpleUploadedFile("well.png", PNG, content_type="image/png"),
        "kind": "photo",
        "title": "竣工照片",
        **fields,
    }
    return api(user).post(f"/api/projects/{project.pk}/documents/", body, format="multipart")


def test_a_photo_is_uploaded_listed_and_downloaded(world, project):
    response = upload(world.alice, project, taken_on="2021-10-01")
    assert response.status_code == 201
    body = response.json()
    document = ProjectDocument.objects.get()
    assert (document.kind, document.title, str(document.taken_on)) == (
        DocumentKind.PHOTO,
        "竣工照片",
        "2021-10-01",
    )
    assert body["download"] == f"/api/projects/{project.pk}/documents/{document.pk}/file/"
    assert AuditEvent.objects.filter(object_type="projects.projectdocument").count() == 1
    listed = api(world.bob).get(f"/api/projects/{project.pk}/documents/").json()
    assert [(d["kind"], d["title"]) for d in listed] == [("photo", "竣工照片")]
    detail = api(world.alice).get(f"/api/projects/{project.pk}/").json()
    assert [d["id"] for d in detail["documents"]] == [document.pk]
    download = api(world.bob).get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined]
    assert 'filename="well' in download["Content-Disposition"]


def test_outsiders_neither_upload_nor_list_nor_download(world, project):
    assert upload(world.charlie, project).status_code == 404
    upload(world.alice, project)
    document = ProjectDocument.objects.get()
    url = f"/api/projects/{project.pk}/documents/{document.pk}/file/"
    assert api(world.charlie).get(url).status_code == 404
    assert api(world.charlie).get(f"/api/projects/{project.pk}/documents/").status_code == 404
    assert APIClient().get(url).status_code in (401, 403)
    # The document id must belong to the project in the URL.
    other = services.project_create(
        actor=world.alice, pairing=world.longhua_fengshan, code="FS-02", name="另一个",
        region=world.fengshan, category="drinking_water", start_year=2021,
    )  # fmt: skip
    assert (
        api(world.alice).get(f"/api/projects/{other.pk}/documents/{document.pk}/file/").status_code
        == 404
    )


def test_uploading_needs_the_data_entry_role_and_a_title(world, project):
    viewer = make_user(username="viewer", region=world.fengshan, roles=[Role.VIEWER])
    assert upload(viewer, project).status_code == 403
    refused = upload(world.alice, project, title="", kind="video")
    assert refused.status_code == 400
    assert set(refused.json()) == {"title", "kind"}
    assert ProjectDocument.objects.count() == 0


def admin_client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def change_form(project: Project, **uploads: Any) -> dict[str, Any]:
    return {
        "pairing": str(project.pairing_id), "code": project.code, "name": project.name,
        "region": project.region_id, "category": project.category,
        "start_year": str(project.start_year), "end_year": "", "budget": "",
        "beneficiary_villages": "0", "beneficiary_households": "0", "beneficiary_people": "0",
        "linked_people": "0", "linked_registered_poor": "0", "outputs": "", "description": "",
        "status_changes-TOTAL_FORMS": "1", "status_changes-INITIAL_FORMS": "1",
        "status_changes-0-id": str(project.status_changes.get().pk),
        "status_changes-0-project": str(project.pk),
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
        "documents-2-TOTAL_FORMS": "1", "documents-2-INITIAL_FORMS": "0",
        **uploads,
    }  # fmt: skip


def test_the_admin_uploads_through_the_service_and_links_the_scoped_download(world, project):
    url = f"/admin/projects/project/{project.pk}/change/"
    page = admin_client(world.alice).get(url)
    assert page.status_code == 200
    data = change_form(
        project,
        **{
            "documents-2-0-kind": "document",
            "documents-2-0-title": "验收报告",
            "documents-2-0-file": SimpleUploadedFile("report.pdf", b"%PDF-1.4 test"),
            "documents-2-0-taken_on": "",
        },
    )
    response = admin_client(world.alice).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = ProjectDocument.objects.get()
    assert (document.kind, document.title) == ("document", "验收报告")
    assert AuditEvent.objects.filter(object_type="projects.projectdocument").count() == 1
    html = admin_client(world.alice).get(url).content.decode()
    assert f"/api/projects/{project.pk}/documents/{document.pk}/file/" in html
    assert "/media/" not in html
    assert admin_client(world.charlie).get(url).status_code in (302, 404)
