from collections.abc import Iterator

import pytest
from django.utils import translation

from bangfu.core.testing import World, build_world
from bangfu.regions import gazetteer


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_gazetteer() -> Iterator[None]:
    """Each test's database differs (rolled back); never reuse another test's name index."""
    gazetteer.forget()
    yield
    gazetteer.forget()


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Service messages are asserted in their English source form; pages still follow the
    request's language through LocaleMiddleware, and translation tests activate zh-hans."""
    with translation.override("en"):
        yield
