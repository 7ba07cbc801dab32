import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; a page test may switch language."""
    translation.activate("en")
    yield
    translation.deactivate()
