"""Reads of import runs: a person sees the imports they started (admins see all)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.platform.exceptions import NotFound
from guanxi.platform.models import ImportMapping, ImportRun


def import_runs_for(actor: Any) -> QuerySet[ImportRun]:
    """The actor's own import runs, newest first (every run for a superuser)."""
    runs = ImportRun.objects.select_related("job", "created_by").order_by("-created_at", "-pk")
    if getattr(actor, "is_superuser", False):
        return runs
    return runs.filter(created_by_id=getattr(actor, "pk", None))


def import_run_get(actor: Any, run_id: Any) -> ImportRun:
    """One run the actor may see, or NotFound (also for ids that are not numbers)."""
    try:
        pk = int(run_id)
    except (TypeError, ValueError):
        pk = None
    run = import_runs_for(actor).filter(pk=pk).first() if pk is not None else None
    if run is None:
        raise NotFound(_("This import does not exist or you cannot see it."))
    return run


def import_mappings_for(target: str) -> QuerySet[ImportMapping]:
    """Saved mappings for a target, by name (shared by everyone who imports)."""
    return ImportMapping.objects.filter(target=target).order_by("name")
