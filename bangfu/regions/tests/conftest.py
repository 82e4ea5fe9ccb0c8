import pytest
from django.utils import translation

from bangfu.accounts.models import Role
from bangfu.core.testing import make_user
from bangfu.regions import gazetteer


@pytest.fixture(autouse=True)
def _fresh_gazetteer():
    """Each test's database differs (rolled back); never reuse another test's index."""
    gazetteer.forget()
    yield
    gazetteer.forget()


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in their English source form, whatever the translators add."""
    with translation.override("en"):
        yield


@pytest.fixture
def fengshan_admin(world):
    """An administrator of 凤山县 (Alice's county)."""
    return make_user(username="fengshan-admin", region=world.fengshan, roles=[Role.ADMINISTRATOR])
