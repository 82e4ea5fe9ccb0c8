import pytest

from bangfu.core.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()
