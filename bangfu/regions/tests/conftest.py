import pytest

from bangfu.accounts.models import Role
from bangfu.core.testing import make_user


@pytest.fixture
def fengshan_admin(world):
    """An administrator of 凤山县 (Alice's county)."""
    return make_user(username="fengshan-admin", region=world.fengshan, roles=[Role.ADMINISTRATOR])
