import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in failures are counted in the cache; start every test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _chinese_messages():
    """These tests assert what users read: the command line and forms speak zh-hans."""
    with translation.override("zh-hans"):
        yield
