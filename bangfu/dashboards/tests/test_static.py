"""The front-end libraries come from npm (package-lock.json) and are served as static files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

VENDOR_FILES = ["vendor/echarts/echarts.min.js", "vendor/htmx/htmx.min.js"]


@pytest.mark.parametrize("path", VENDOR_FILES)
def test_vendor_library_is_found_by_the_static_finders(path: str) -> None:
    found = finders.find(path)
    if not found:
        pytest.fail(
            f"{path} is not installed: run `make deps` (npm ci) to install the front-end "
            "libraries from package-lock.json into node_modules/",
            pytrace=False,
        )


def test_lock_file_pins_the_exact_versions_package_json_asks_for() -> None:
    base = Path(settings.BASE_DIR)
    wanted = json.loads((base / "package.json").read_text())["dependencies"]
    locked = json.loads((base / "package-lock.json").read_text())["packages"]
    for name, version in wanted.items():
        assert version[0].isdigit(), f"{name} must be pinned to an exact version"
        assert locked[f"node_modules/{name}"]["version"] == version


def test_chart_initialiser_is_a_project_static_file() -> None:
    found = finders.find("js/charts.js")
    assert found
    text = Path(str(found)).read_text()
    assert "data-chart-source" in text
    assert "htmx:afterSwap" in text
