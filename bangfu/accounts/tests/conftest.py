import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in failures are counted in the cache; start every test with none."""
    cache.clear()
    yield
    cache.clear()
