"""Writes of the report builder: saved reports (save, rename, share, delete to the
recycle bin, restore), exports (audited) and schedules.

Placeholder while the module is written; filled in the next commit.
"""

from __future__ import annotations

from typing import Any


def saved_report_restore(*, actor: Any, instance: Any) -> Any:
    raise NotImplementedError
