"""The customer timeline: one newest-first stream of everything that happened.

Other apps add their events without touching this app: they register a source
in their `AppConfig.ready()`:

    register_timeline_source("sales.orders", order_timeline_events)

A source is `fn(*, customer, actor, limit, before) -> list[TimelineEvent]`
returning at most `limit` events older than `before` (None: the newest), newest
first, already limited to what `actor` may see.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guanxi.platform.scoping import is_in_scope

TimelineSource = Callable[..., list["TimelineEvent"]]


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # e.g. "interaction.call", "audit.customers.customer.updated"
    title: str
    body: str = ""
    actor_name: str = ""
    url: str = ""
    icon: str = "circle"
    extra: dict[str, Any] = field(default_factory=dict)


_sources: dict[str, TimelineSource] = {}


def register_timeline_source(key: str, source: TimelineSource) -> None:
    _sources[key] = source


def timeline_for_customer(
    *, customer: Any, actor: Any, limit: int = 50, before: dt.datetime | None = None
) -> list[TimelineEvent]:
    """Merge every source's newest events into one list of at most `limit`.

    Nothing at all for an actor who cannot see the customer, whatever the sources do.
    """
    if not is_in_scope(customer, actor=actor):
        return []
    streams = [
        source(customer=customer, actor=actor, limit=limit, before=before)
        for source in _sources.values()
    ]
    merged = heapq.merge(*streams, key=lambda event: event.at, reverse=True)
    return [event for _index, event in zip(range(limit), merged, strict=False)]
