"""Validate, dedupe and write rows in all-or-nothing batches through a target adapter.

Policies when a row matches an existing record (or an earlier row of the file):
skip, fill (update only the empty fields), overwrite, create (create anyway).
Every write goes through the target's services, so audit entries, versions and
search text stay right; each batch is one transaction together with its
ImportRunRow outcomes, so a killed import leaves whole batches only and a re-run
of the same file skips the rows already imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.platform.exceptions import ApplicationError, ValidationError
from guanxi.platform.imports.reading import Row, Table
from guanxi.platform.imports.targets import ImportAdapter, RowInvalid
from guanxi.platform.imports.values import ImportValueError
from guanxi.platform.models import ImportRun, ImportRunRow

POLICIES = ("skip", "fill", "overwrite", "create")
DEFAULT_BATCH_SIZE = 500
MAX_LISTED_ERRORS = 1000


@dataclass
class ImportOptions:
    target: str
    mapping: dict[str, str]
    policy: str = "skip"
    batch_size: int = DEFAULT_BATCH_SIZE
    is_all_or_nothing: bool = False


@dataclass
class Outcome:
    row_number: int
    outcome: str
    object_id: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.outcome, getattr(self, outcome.outcome) + 1)
        if outcome.outcome == ImportRunRow.Outcome.FAILED and outcome.message:
            self.errors[outcome.row_number] = outcome.message

    def as_dict(self) -> dict[str, Any]:
        listed = sorted(self.errors.items())[:MAX_LISTED_ERRORS]
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
            "errors": [{"row": number, "message": message} for number, message in listed],
        }


class _RollBack(Exception):
    pass


class ImportEngine:
    def __init__(
        self,
        *,
        actor: Any,
        adapter: ImportAdapter,
        table: Table,
        options: ImportOptions,
        run: ImportRun | None = None,
        already_imported: set[int] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.actor = actor
        self.adapter = adapter
        self.table = table
        self.options = options
        self.run = run
        self.already_imported = already_imported or set()
        self.progress = progress
        self.context = adapter.prepare(actor=actor)
        self.seen: dict[str, Any] = {}  # dedupe key -> instance (or row number on a dry run)
        self.summary = Summary()
        self.columns = [
            (index, mapped)
            for index, header in enumerate(table.headers)
            if (mapped := options.mapping.get(header))
        ]

    # -- public -----------------------------------------------------------------
    def preview(self, *, limit: int | None = None) -> Summary:
        """Validate every row and say what would happen; writes nothing."""
        with transaction.atomic():
            for count, row in enumerate(self.table.rows()):
                if limit is not None and count >= limit:
                    break
                outcome = self._checked(row, dry_run=True)
                self.summary.add(outcome)
            transaction.set_rollback(True)
        return self.summary

    def execute(self) -> Summary:
        if self.options.is_all_or_nothing:
            self._execute_whole_file()
        else:
            for batch in self._batches():
                self._execute_batch(batch)
                if self.progress:
                    self.progress(len(batch))
        return self.summary

    # -- batches ----------------------------------------------------------------
    def _batches(self) -> Any:
        batch: list[Row] = []
        for row in self.table.rows():
            batch.append(row)
            if len(batch) >= self.options.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _execute_batch(self, batch: list[Row]) -> None:
        staged_seen = dict(self.seen)
        outcomes: list[Outcome] = []
        try:
            with transaction.atomic():
                outcomes = [self._checked(row, dry_run=False) for row in batch]
                if any(item.outcome == ImportRunRow.Outcome.FAILED for item in outcomes):
                    raise _RollBack
                self._record(outcomes)
        except _RollBack:
            self.seen = staged_seen
            outcomes = self._failed_batch(outcomes)
            self._record(outcomes)
        for outcome in outcomes:
            self.summary.add(outcome)

    def _execute_whole_file(self) -> None:
        outcomes: list[Outcome] = []
        try:
            with transaction.atomic():
                for batch in self._batches():
                    with transaction.atomic():
                        outcomes.extend(self._checked(row, dry_run=False) for row in batch)
                    if self.progress:
                        self.progress(len(batch))
                if any(item.outcome == ImportRunRow.Outcome.FAILED for item in outcomes):
                    raise _RollBack
                self._record(outcomes)
        except _RollBack:
            outcomes = self._failed_batch(outcomes)
            self._record(outcomes)
        for outcome in outcomes:
            self.summary.add(outcome)

    def _failed_batch(self, outcomes: list[Outcome]) -> list[Outcome]:
        bad_rows = [str(o.row_number) for o in outcomes if o.outcome == ImportRunRow.Outcome.FAILED]
        note = _("Not imported: row %(rows)s in the same batch has errors.") % {
            "rows": ", ".join(bad_rows[:10])
        }
        return [
            o
            if o.outcome == ImportRunRow.Outcome.FAILED
            else Outcome(row_number=o.row_number, outcome=ImportRunRow.Outcome.FAILED, message=note)
            for o in outcomes
        ]

    def _record(self, outcomes: list[Outcome]) -> None:
        if self.run is None:
            return
        ImportRunRow.objects.bulk_create(
            [
                ImportRunRow(
                    run=self.run,
                    row_number=o.row_number,
                    outcome=o.outcome,
                    object_id=o.object_id,
                    before=o.before,
                    message=o.message[:2000],
                )
                for o in outcomes
            ]
        )

    # -- one row ----------------------------------------------------------------
    def _checked(self, row: Row, *, dry_run: bool) -> Outcome:
        try:
            with transaction.atomic():
                return self._process(row, dry_run=dry_run)
        except RowInvalid as error:
            message = "; ".join(error.messages)
        except ImportValueError as error:
            message = error.message
        except ValidationError as error:
            parts = [
                f"{self.adapter.fields.get(name, name)}: {' '.join(messages)}"
                for name, messages in error.field_errors.items()
            ]
            message = "; ".join(parts) or error.message
        except ApplicationError as error:
            message = error.message
        return Outcome(row_number=row.number, outcome=ImportRunRow.Outcome.FAILED, message=message)

    def _process(self, row: Row, *, dry_run: bool) -> Outcome:
        if row.number in self.already_imported:
            return Outcome(
                row_number=row.number,
                outcome=ImportRunRow.Outcome.SKIPPED,
                message=_("Already imported by an earlier run of this file."),
            )
        if row.extra_cells:
            raise RowInvalid(
                [
                    _("This row has more cells than the header (%(count)s columns).")
                    % {"count": len(self.table.headers)}
                ]
            )
        values: dict[str, list[Any]] = {}
        for index, mapped in self.columns:
            values.setdefault(mapped, []).append(row.cells[index])
        record = self.adapter.parse(values, self.context)
        keys = self.adapter.keys(record)
        match = next((self.seen[key] for key in keys if key in self.seen), None)
        if match is None and self.options.policy != "create":
            match = self.adapter.find_existing(record, self.context)
        policy = self.options.policy
        if match is not None and policy == "skip":
            return Outcome(
                row_number=row.number,
                outcome=ImportRunRow.Outcome.SKIPPED,
                message=_("Matches an existing record."),
            )
        if match is not None and policy in ("fill", "overwrite"):
            if isinstance(match, int):  # an earlier row of this file, on a dry run
                return Outcome(row_number=row.number, outcome=ImportRunRow.Outcome.UPDATED)
            before = self.adapter.update(
                actor=self.actor, instance=match, record=record, policy=policy, context=self.context
            )
            self._remember(keys, match, row, dry_run)
            if not before:
                return Outcome(
                    row_number=row.number,
                    outcome=ImportRunRow.Outcome.SKIPPED,
                    object_id=str(match.pk),
                    message=_("Nothing to change."),
                )
            return Outcome(
                row_number=row.number,
                outcome=ImportRunRow.Outcome.UPDATED,
                object_id=str(match.pk),
                before=before,
            )
        instance = self.adapter.create(actor=self.actor, record=record, context=self.context)
        self._remember(keys, instance, row, dry_run)
        return Outcome(
            row_number=row.number, outcome=ImportRunRow.Outcome.CREATED, object_id=str(instance.pk)
        )

    def _remember(self, keys: list[str], instance: Any, row: Row, dry_run: bool) -> None:
        for key in keys:
            self.seen.setdefault(key, row.number if dry_run else instance)
