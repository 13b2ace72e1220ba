from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted by their English msgids; they stay valid once translated."""
    with translation.override("en"):
        yield
