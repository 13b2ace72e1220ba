from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def export_dir(settings: Any, tmp_path: Any) -> Any:
    """Export files go to a temporary data directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "exports"


@pytest.fixture
def grant_export() -> Any:
    """Give a user's role the export permission."""

    def grant(user: Any, admin: Any) -> Any:
        from guanxi.accounts.services import role_update

        role = user.role
        role_update(
            actor=admin, role=role, permissions=[*role.permissions, "customers.export_customer"]
        )
        user.refresh_from_db()
        return user

    return grant
