"""The import key index agrees with a plain dict, whatever the keys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.platform.imports import keyindex
from guanxi.platform.imports.keyindex import KeyIndex

keys = st.text(min_size=1, max_size=12)
records = st.lists(st.tuples(st.integers(1, 10**9), st.lists(keys, max_size=4)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(existing=records, added=records, probes=st.lists(keys, max_size=30))
def test_lookup_finds_the_oldest_record_of_each_key(
    existing: list[tuple[int, list[str]]],
    added: list[tuple[int, list[str]]],
    probes: list[str],
) -> None:
    existing = sorted(existing)  # ids grow with age, as in the database
    expected: dict[str, int] = {}
    for object_id, object_keys in existing:
        for key in object_keys:
            expected[key] = min(expected.get(key, object_id), object_id)
    index = KeyIndex.build(existing)
    for object_id, object_keys in added:
        index.add(object_keys, object_id)
        for key in object_keys:
            expected.setdefault(key, object_id)
    wanted = probes + list(expected)
    assert index.lookup(wanted) == [expected.get(key) for key in wanted]


def test_records_added_during_an_import_are_merged_into_the_arrays(monkeypatch) -> None:
    monkeypatch.setattr(keyindex, "_MERGE_EVERY", 3)
    index = KeyIndex.build([(1, ["phone:1"])])
    for n in range(2, 12):
        index.add([f"phone:{n}", "name:same"], n)
    assert index.lookup(["phone:1", "phone:7", "name:same", "phone:99"]) == [1, 7, 2, None]
