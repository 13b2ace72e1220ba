"""An in-memory index from dedupe keys to record ids, compact enough for millions of keys.

An import checks every row against everything already in the database (same phone,
e-mail, name …). Asking the database once per row costs a round trip and, for
keys inside JSON lists, a scan; a Python dict of a few million strings costs
hundreds of MB. So the keys are hashed to 64-bit integers and kept in two sorted
numpy arrays (hash, id): 16 bytes a key, 48 MB for 3,000,000 keys, looked up a
whole batch at a time with one `searchsorted`.

A hash hit is only a candidate: callers load the candidate and compare its real
keys, so a hash collision can never merge two different customers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_CHUNK = 262_144
_MERGE_EVERY = 50_000


def key_hash(key: str) -> int:
    """A signed 64-bit hash of a key. Python's own string hash: salted per process,
    which is fine because an index lives and dies inside one import."""
    return hash(key)


class KeyIndex:
    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int64)
        self._pending: dict[int, int] = {}

    @classmethod
    def build(cls, records: Iterable[tuple[int, Iterable[str]]]) -> KeyIndex:
        """Index (id, keys) pairs streamed from the database, in chunks of constant size."""
        index = cls()
        hash_chunks: list[np.ndarray] = []
        id_chunks: list[np.ndarray] = []
        hashes: list[int] = []
        ids: list[int] = []
        for object_id, keys in records:
            for key in keys:
                hashes.append(key_hash(key))
                ids.append(object_id)
            if len(hashes) >= _CHUNK:
                hash_chunks.append(np.array(hashes, dtype=np.int64))
                id_chunks.append(np.array(ids, dtype=np.int64))
                hashes, ids = [], []
        hash_chunks.append(np.array(hashes, dtype=np.int64))
        id_chunks.append(np.array(ids, dtype=np.int64))
        all_hashes = np.concatenate(hash_chunks)
        all_ids = np.concatenate(id_chunks)
        # Sort by hash, then id, so the first id of equal hashes is the oldest record.
        order = np.lexsort((all_ids, all_hashes))
        index._hashes = all_hashes[order]
        index._ids = all_ids[order]
        return index

    def __len__(self) -> int:
        return len(self._hashes) + len(self._pending)

    def lookup(self, keys: list[str]) -> list[int | None]:
        """The first (oldest) id indexed under each key, or None; one vectorised search."""
        if not keys:
            return []
        wanted = [key_hash(key) for key in keys]
        found: list[int | None] = [None] * len(keys)
        if len(self._hashes):
            probe = np.array(wanted, dtype=np.int64)
            positions = np.searchsorted(self._hashes, probe)
            positions = np.minimum(positions, len(self._hashes) - 1)
            hits = self._hashes[positions] == probe
            for slot in np.flatnonzero(hits):
                found[slot] = int(self._ids[positions[slot]])
        for slot, value in enumerate(wanted):
            if found[slot] is None:
                found[slot] = self._pending.get(value)
        return found

    def add(self, keys: Iterable[str], object_id: int) -> None:
        """Index a record created during the import (merged into the arrays in bulk)."""
        for key in keys:
            self._pending.setdefault(key_hash(key), object_id)
        if len(self._pending) >= _MERGE_EVERY:
            self._merge_pending()

    def _merge_pending(self) -> None:
        new_hashes = np.fromiter(self._pending.keys(), dtype=np.int64, count=len(self._pending))
        new_ids = np.fromiter(self._pending.values(), dtype=np.int64, count=len(self._pending))
        order = np.argsort(new_hashes, kind="stable")
        new_hashes, new_ids = new_hashes[order], new_ids[order]
        # Insert after existing equal hashes, so an older record stays the first match.
        positions = np.searchsorted(self._hashes, new_hashes, side="right")
        self._hashes = np.insert(self._hashes, positions, new_hashes)
        self._ids = np.insert(self._ids, positions, new_ids)
        self._pending = {}
