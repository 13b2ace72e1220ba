"""Validate, dedupe and write rows in all-or-nothing batches through a target adapter.

Policies when a row matches an existing record (or an earlier row of the file):
skip, fill (update only the empty fields), overwrite, create (create anyway).
Every write goes through the target's services, so audit entries, versions and
search text stay right; each batch is one transaction together with its
ImportRunRow outcomes, so a killed import leaves whole batches only and a re-run
of the same file skips the rows already imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from guanxi.platform.bulk import bulk_writes, insert_rows
from guanxi.platform.exceptions import ApplicationError, ValidationError
from guanxi.platform.imports.keyindex import KeyIndex
from guanxi.platform.imports.reading import Row, Table
from guanxi.platform.imports.targets import BatchInvalid, ImportAdapter, RowInvalid
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
        # Only the first errors stay in memory (for the summary); an import run's
        # error report is written from its stored rows, whatever their number.
        if (
            outcome.outcome == ImportRunRow.Outcome.FAILED
            and outcome.message
            and len(self.errors) < MAX_LISTED_ERRORS
        ):
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
        # Earlier rows of the file, for adapters without a key index: key -> instance.
        self.seen: dict[str, Any] = {}
        self.index: KeyIndex | None = None  # built on first use, for adapters with one
        # Created in the current batch: enter the index only once the batch is kept.
        self.created_keys: list[tuple[list[str], int]] = []
        self.summary = Summary()
        self._row_columns: tuple[list[str], Any] | None = None
        self.columns = [
            (index, mapped)
            for index, header in enumerate(table.headers)
            if (mapped := options.mapping.get(header))
        ]

    # -- public -----------------------------------------------------------------
    def preview(self, *, limit: int | None = None) -> Summary:
        """Validate every row and say what would happen; writes nothing."""
        with transaction.atomic():
            for batch in self._batches(limit=limit):
                for outcome in self._run_rows(batch):
                    self.summary.add(outcome)
                self._index_created()
            transaction.set_rollback(True)
        return self.summary

    def execute(self) -> Summary:
        with bulk_writes():
            if self.options.is_all_or_nothing:
                self._execute_whole_file()
            else:
                for batch in self._batches():
                    self._execute_batch(batch)
                    if self.progress:
                        self.progress(len(batch))
        return self.summary

    # -- batches ----------------------------------------------------------------
    def _batches(self, *, limit: int | None = None) -> Iterator[list[Row]]:
        batch: list[Row] = []
        for count, row in enumerate(self.table.rows()):
            if limit is not None and count >= limit:
                break
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
                outcomes = self._run_rows(batch)
                if any(item.outcome == ImportRunRow.Outcome.FAILED for item in outcomes):
                    raise _RollBack
                self._record(outcomes)
            self._index_created()
        except _RollBack:
            self.seen = staged_seen
            self.created_keys = []  # rolled back: their ids may be given out again
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
                        outcomes.extend(self._run_rows(batch))
                    self._index_created()
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
        if self.run is None or not outcomes:
            return
        if self._row_columns is None:
            self._row_columns = _import_row_columns()
        columns, encoder = self._row_columns
        ops = connection.ops
        empty = ops.adapt_json_value({}, encoder)
        run_id = self.run.pk
        insert_rows(
            ImportRunRow._meta.db_table,
            columns,
            [
                (
                    run_id,
                    o.row_number,
                    o.outcome,
                    o.object_id,
                    ops.adapt_json_value(o.before, encoder) if o.before else empty,
                    o.message[:2000],
                )
                for o in outcomes
            ],
        )

    # -- rows -------------------------------------------------------------------
    def _run_rows(self, rows: list[Row]) -> list[Outcome]:
        """Decide and write a batch of rows; returns one outcome per row, in order.

        Parsing and validation come first and write nothing. Matches are looked up
        for the whole batch at once (the adapter's key index when it has one).
        Rows to create are written together through the adapter's create_many
        when it has one (one INSERT per table instead of one per row), otherwise
        one by one; updates go one by one through the services.
        """
        outcomes: list[Outcome | None] = [None] * len(rows)
        parsed: list[_Parsed] = []
        already = _("Already imported by an earlier run of this file.")  # once a batch
        matching = _("Matches an existing record.")
        for slot, row in enumerate(rows):
            if row.number in self.already_imported:
                outcomes[slot] = Outcome(
                    row_number=row.number,
                    outcome=ImportRunRow.Outcome.SKIPPED,
                    message=already,
                )
                continue
            try:
                record = self._parse(row)
            except _ROW_ERRORS as error:
                outcomes[slot] = self._failed(row, error)
                continue
            parsed.append(_Parsed(slot, row, record, self.adapter.keys(record)))
        matches = self._matches(parsed)
        pending: list[_Parsed] = []
        pending_keys: dict[str, _Parsed] = {}
        policy = self.options.policy
        for item, match in zip(parsed, matches, strict=True):
            if match is None and policy != "create":
                match = next((pending_keys[k] for k in item.keys if k in pending_keys), None)
            if match is not None and policy == "skip":
                outcomes[item.slot] = Outcome(
                    row_number=item.row.number,
                    outcome=ImportRunRow.Outcome.SKIPPED,
                    message=matching,
                )
            elif match is not None and policy in ("fill", "overwrite"):
                if isinstance(match, _Parsed):  # an earlier row of this batch
                    if match.instance is None and pending:
                        self._create(pending, outcomes)  # write it first, then update it
                        pending = []
                    match = self._instance_of(match.instance)
                if match is None:  # the earlier row failed
                    outcomes[item.slot] = Outcome(
                        row_number=item.row.number,
                        outcome=ImportRunRow.Outcome.FAILED,
                        message=_("Matches an earlier row of the file that has errors."),
                    )
                else:
                    outcomes[item.slot] = self._update(item, match)
            else:
                pending.append(item)
                for key in item.keys:
                    pending_keys.setdefault(key, item)
        self._create(pending, outcomes)
        return [outcome for outcome in outcomes if outcome is not None]

    def _parse(self, row: Row) -> dict[str, Any]:
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
        return self.adapter.parse(values, self.context)

    def _matches(self, parsed: list[_Parsed]) -> list[Any]:
        """The existing record each parsed row matches (or None), for a whole batch."""
        if self.options.policy == "create":
            return [None] * len(parsed)
        if not hasattr(self.adapter, "existing_keys"):
            return [self._match_one(item) for item in parsed]
        if self.index is None:
            self.index = KeyIndex.build(self.adapter.existing_keys(self.context))
        flat = [key for item in parsed for key in item.keys]
        found = iter(self.index.lookup(flat))
        candidates = [[next(found) for _key in item.keys] for item in parsed]
        wanted = sorted({pk for ids in candidates for pk in ids if pk is not None})
        if not wanted:
            return [None] * len(parsed)
        if hasattr(self.adapter, "fetch_keys"):
            # Keys only (no model instances): enough to confirm a match; the records
            # themselves are loaded only when the policy updates them.
            stored = self.adapter.fetch_keys(wanted, self.context)
        else:
            instances = self.adapter.fetch_many(wanted, self.context)
            stored = {pk: self.adapter.instance_keys(found) for pk, found in instances.items()}
        matched: list[int | None] = []
        for item, ids in zip(parsed, candidates, strict=True):
            match = None
            for pk in ids:
                # A hash hit is a candidate only: compare the real keys.
                if pk is not None and pk in stored and set(item.keys) & set(stored[pk]):
                    match = pk
                    break
            matched.append(match)
        if self.options.policy not in ("fill", "overwrite"):
            return matched  # skip: knowing that it matches is enough
        if hasattr(self.adapter, "fetch_keys"):
            ids = sorted({pk for pk in matched if pk is not None})
            instances = self.adapter.fetch_many(ids, self.context) if ids else {}
        return [instances.get(pk) if pk is not None else None for pk in matched]

    def _match_one(self, item: _Parsed) -> Any:
        match = next((self.seen[key] for key in item.keys if key in self.seen), None)
        if match is None:
            match = self.adapter.find_existing(item.record, self.context)
        return match

    def _update(self, item: _Parsed, match: Any) -> Outcome:
        try:
            with transaction.atomic():
                before = self.adapter.update(
                    actor=self.actor,
                    instance=match,
                    record=item.record,
                    policy=self.options.policy,
                    context=self.context,
                )
        except _ROW_ERRORS as error:
            return self._failed(item.row, error)
        self._remember(item.keys, match)
        if not before:
            return Outcome(
                row_number=item.row.number,
                outcome=ImportRunRow.Outcome.SKIPPED,
                object_id=str(match.pk),
                message=_("Nothing to change."),
            )
        return Outcome(
            row_number=item.row.number,
            outcome=ImportRunRow.Outcome.UPDATED,
            object_id=str(match.pk),
            before=before,
        )

    def _create(self, pending: list[_Parsed], outcomes: list[Outcome | None]) -> None:
        if not pending:
            return
        if hasattr(self.adapter, "create_many"):
            self._create_many(pending, outcomes)
            return
        for item in pending:
            try:
                with transaction.atomic():
                    item.instance = self.adapter.create(
                        actor=self.actor, record=item.record, context=self.context
                    )
            except _ROW_ERRORS as error:
                outcomes[item.slot] = self._failed(item.row, error)
                continue
            self._created(item, outcomes)

    def _create_many(self, pending: list[_Parsed], outcomes: list[Outcome | None]) -> None:
        """Create in bulk; rows the services refuse are reported and the rest retried."""
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    instances = self.adapter.create_many(
                        actor=self.actor,
                        records=[item.record for item in pending],
                        context=self.context,
                    )
            except BatchInvalid as error:
                for position, problem in error.problems.items():
                    outcomes[pending[position].slot] = self._failed(pending[position].row, problem)
                pending = [item for n, item in enumerate(pending) if n not in error.problems]
                continue
            for item, instance in zip(pending, instances, strict=True):
                item.instance = instance
                self._created(item, outcomes)
            return

    def _created(self, item: _Parsed, outcomes: list[Outcome | None]) -> None:
        self._remember(item.keys, item.instance)
        outcomes[item.slot] = Outcome(
            row_number=item.row.number,
            outcome=ImportRunRow.Outcome.CREATED,
            object_id=str(_pk_of(item.instance)),
        )

    def _instance_of(self, created: Any) -> Any:
        """A created record as a model instance (create_many may give ids only)."""
        if created is None or not isinstance(created, int):
            return created
        return self.adapter.fetch_many([created], self.context).get(created)

    def _remember(self, keys: list[str], instance: Any) -> None:
        if self.index is not None:
            self.created_keys.append((keys, _pk_of(instance)))
        elif not hasattr(self.adapter, "existing_keys"):
            for key in keys:
                self.seen.setdefault(key, instance)

    def _index_created(self) -> None:
        if self.index is not None:
            for keys, pk in self.created_keys:
                self.index.add(keys, pk)
        self.created_keys = []

    def _failed(self, row: Row, error: Exception) -> Outcome:
        return Outcome(
            row_number=row.number,
            outcome=ImportRunRow.Outcome.FAILED,
            message=self._message_of(error),
        )

    def _message_of(self, error: Exception) -> str:
        if isinstance(error, RowInvalid):
            return "; ".join(error.messages)
        if isinstance(error, ValidationError):
            parts = [
                f"{self.adapter.fields.get(name, name)}: {' '.join(messages)}"
                for name, messages in error.field_errors.items()
            ]
            return "; ".join(parts) or error.message
        return getattr(error, "message", str(error))


@dataclass
class _Parsed:
    slot: int
    row: Row
    record: dict[str, Any]
    keys: list[str]
    instance: Any = None


def _pk_of(created: Any) -> Any:
    """The id of a created record: create_many gives model instances or bare ids."""
    return created if isinstance(created, int) else created.pk


def _import_row_columns() -> tuple[list[str], Any]:
    """ImportRunRow's columns in the order _record writes them, and its JSON encoder."""
    meta = ImportRunRow._meta
    names = ["run", "row_number", "outcome", "object_id", "before", "message"]
    return [meta.get_field(name).column for name in names], meta.get_field("before").encoder


_ROW_ERRORS = (RowInvalid, ImportValueError, ValidationError, ApplicationError)
