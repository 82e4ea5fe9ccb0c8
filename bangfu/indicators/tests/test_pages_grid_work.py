"""The entry grid for daily work: one row saved by htmx, drafts submitted, statuses, downloads."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import Role
from bangfu.core.testing import World, make_user
from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Indicator, Side, Status
from bangfu.indicators.periods import Period

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture(autouse=True)
def periods_still_open(settings):
    settings.BANGFU_PERIOD_DEADLINE_DAYS = 365 * 100


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _url(world: World, name: str = "indicator-grid", **query: Any) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **query}.items())
    return f"{reverse(name, args=[world.longhua_fengshan.pk])}?{params}"


def _draft(world: World, code: str, value: str, quarter: int) -> DataValue:
    return services.data_value_set(
        actor=world.alice,
        indicator=Indicator.objects.get(code=code),
        period=Period.quarter(YEAR, quarter),
        value=value,
        pairing=world.longhua_fengshan,
        reported_by=Side.RECIPIENT,
    ).value


def test_saving_one_row_answers_with_that_row_only(world):
    response = _client(world.alice).post(
        _url(world, work_area="labour"),
        {
            "row": "labour_trained",
            f"value:labour_trained:{YEAR}Q1": "420",
            f"target:labour_trained:{YEAR}": "900",
            f"value:employed_total:{YEAR}Q1": "55",  # another row: not this save's business
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<tr data-indicator="labour_trained"')
    assert "is-saved" in html
    assert 'data-status="draft"' in html
    figures = DataValue.objects.filter(pairing=world.longhua_fengshan)
    assert [(f.indicator.code, f.value) for f in figures] == [("labour_trained", Decimal(420))]


def test_a_refused_row_comes_back_with_its_errors_and_saves_nothing(world):
    response = _client(world.alice).post(
        _url(world),
        {"row": "labour_trained", f"value:labour_trained:{YEAR}Q1": "many"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["X-Bangfu-Refused"] == "1"
    assert 'class="field-error"' in response.content.decode()
    assert not DataValue.objects.exists()


def test_unknown_row_is_404(world):
    response = _client(world.alice).post(_url(world), {"row": "no_such_indicator"})
    assert response.status_code == 404


def test_submitting_a_rows_drafts_from_the_grid(world):
    first, second = (
        _draft(world, "labour_trained", "420", 1),
        _draft(world, "labour_trained", "1", 2),
    )
    other = _draft(world, "employed_total", "75", 1)
    page = _client(world.alice).get(_url(world))
    assert page.context["drafts"] == 3
    assert 'data-testid="submit-all"' in page.content.decode()
    response = _client(world.alice).post(
        _url(world, "indicator-grid-submit"), {"codes": "labour_trained"}, follow=True
    )
    assert response.status_code == 200
    assert "2 figures submitted for approval." in response.content.decode()
    statuses = {v.pk: v.status for v in DataValue.objects.all()}
    assert statuses == {
        first.pk: Status.SUBMITTED,
        second.pk: Status.SUBMITTED,
        other.pk: Status.DRAFT,
    }
    cells = [
        c
        for _, rows in response.context["groups"]
        for r in rows
        if r.code == "labour_trained"
        for c in r.cells
    ]
    assert [c.status_key for c in cells[1:3]] == [Status.SUBMITTED, Status.SUBMITTED]


def test_submit_all_drafts_of_the_year(world):
    _draft(world, "labour_trained", "420", 1)
    _draft(world, "employed_total", "75", 1)
    _client(world.alice).post(_url(world, "indicator-grid-submit"))
    assert set(DataValue.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_viewer_and_outsider_cannot_submit(world):
    figure = _draft(world, "labour_trained", "420", 1)
    viewer = make_user(username="kan", region=world.fengshan, roles=[Role.VIEWER])
    assert _client(viewer).post(_url(world, "indicator-grid-submit")).status_code == 403
    assert _client(world.charlie).post(_url(world, "indicator-grid-submit")).status_code == 404
    assert _client(world.charlie).post(_url(world), {"row": "labour_trained"}).status_code == 404
    assert DataValue.objects.get(pk=figure.pk).status == Status.DRAFT


def test_grid_downloads_as_a_workbook_with_chinese_headers(world):
    _draft(world, "labour_trained", "420", 1)
    response = _client(world.alice).get(_url(world, format="xlsx", work_area="labour"))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][:6] == [
        "指标代码",
        "指标",
        "单位",
        f"{YEAR} 目标",
        f"{YEAR} 完成",
        f"{YEAR} 状态",
    ]
    trained = next(r for r in rows if r[0] == "labour_trained")
    assert trained[6:9] == ["", "420", "草稿"]


def test_importable_figures_and_targets_download(world):
    _draft(world, "labour_trained", "420", 1)
    for kind in ("values", "targets"):
        response = _client(world.alice).get(_url(world, format=kind))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="indicator-{kind}-'
        )


def test_charlie_cannot_download_the_grid(world):
    assert _client(world.charlie).get(_url(world, format="xlsx")).status_code == 404
