import datetime as dt

import pytest
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.core.testing import get_region, make_user
from bangfu.indicators.models import Indicator
from bangfu.indicators.periods import Period


@pytest.fixture
def this_year():
    return Period.year(timezone.localdate().year)


@pytest.fixture
def hechi_reviewer(world):
    return make_user(username="hechi", region=get_region("451200000000"), roles=[Role.REVIEWER])


@pytest.fixture
def admin(world):
    return make_user(
        username="admin", region=get_region("450000000000"), roles=[Role.ADMINISTRATOR]
    )


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def last_year_start() -> dt.date:
    return dt.date(timezone.localdate().year - 1, 1, 1)
