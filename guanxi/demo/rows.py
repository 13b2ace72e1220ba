"""Row generation for the demo loader: plain tuples in table column order.

Pure Python, no database access, so batches can be made in worker processes
while the parent process writes (see generator.demo_create). A batch is fully
determined by (seed, batch index): the same command gives the same data whatever
the number of workers.

Hot loop: about 9 rows per customer, so it avoids `random.choice` / `json.dumps`
in favour of cheaper equivalents, and memoises everything derived from a name.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guanxi.demo import names
from guanxi.platform.search import build_search_text
from guanxi.platform.text import fold_width, pinyin_of, sort_key_of

HISTORY_DAYS = 3 * 365
COMPANY_POOL_SIZE = 60_000
MAX_CONTACTS_PER_CUSTOMER = 7
COMPANY_SHARE = 0.55

CUSTOMER_COLUMNS = (
    "id", "created_at", "updated_at", "version", "birthday", "birthday_calendar",
    "lunar_birthday_month", "lunar_birthday_day", "lunar_birthday_is_leap_month",
    "search_text", "sort_name", "kind", "name", "name_pinyin", "short_name", "industry",
    "source", "grade", "lifecycle_stage", "phones", "emails", "wechat_id", "province", "city",
    "district", "street", "preferred_channel", "language", "time_zone", "notes",
    "custom_fields", "last_interaction_at", "created_by_id", "owner_id", "team_id",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "created_at", "updated_at", "version", "birthday", "birthday_calendar",
    "lunar_birthday_month", "lunar_birthday_day", "lunar_birthday_is_leap_month",
    "search_text", "sort_name", "customer_id", "name", "name_pinyin", "title", "phones",
    "emails", "wechat_id", "is_primary", "notes", "custom_fields",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "created_at", "updated_at", "version", "kind", "occurred_at", "content",
    "next_follow_up_on", "is_follow_up_done", "author_id", "contact_id", "customer_id",
)  # fmt: skip
CUSTOMER_TAG_COLUMNS = ("customer_id", "tag_id")

COMPANY_SIZES = ["1-49人", "50-199人", "200-999人", "1000人以上"]
BUDGETS = [5, 10, 20, 50, 100, 200, 500]
HOBBIES = ["高尔夫", "喝茶", "钓鱼", "跑步", "摄影", "书法", "旅游", "篮球"]


@dataclass(frozen=True)
class FactoryConfig:
    """Everything a worker process needs to make rows (picklable)."""

    seed: int
    owners: dict[str, list[int]]
    service_ids: list[int]
    tag_ids: list[int]
    team_of_owner: dict[int, int | None]
    is_postgres: bool
    now_epoch: int
    today: dt.date


@dataclass(frozen=True)
class BatchSpec:
    index: int
    first_customer_id: int
    first_contact_id: int
    size: int
    done_before: int
    total: int


@dataclass
class BatchRows:
    customers: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    interactions: list[tuple] = field(default_factory=list)
    customer_tags: list[tuple] = field(default_factory=list)


def _expand(weighted: Sequence[tuple[Any, int]]) -> list[Any]:
    return [value for value, weight in weighted for _ in range(weight)]


def _json_list(values: list[str]) -> str:
    """json.dumps for lists of ASCII strings without quotes (phones, generated e-mails)."""
    return '["' + '", "'.join(values) + '"]' if values else "[]"


class RowFactory:
    def __init__(self, config: FactoryConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.owners = {k: v for k, v in config.owners.items()}
        self.all_owner_ids = [pk for ids in config.owners.values() for pk in ids] or [None]
        self.service_ids = config.service_ids or self.all_owner_ids
        self.start_epoch = config.now_epoch - HISTORY_DAYS * 86400
        self.surnames = _expand(names.SURNAMES)
        self.sources = _expand(names.SOURCES)
        self.email_domains = _expand(names.EMAIL_DOMAINS)
        self.grades = _expand([("A", 10), ("B", 25), ("C", 40), ("D", 15), ("", 10)])
        self.stages = _expand(
            [("prospect", 25), ("new", 15), ("active", 30), ("loyal", 12), ("dormant", 12),
             ("lost", 6)]
        )  # fmt: skip
        self.kinds = _expand(
            [("call", 35), ("wechat", 25), ("visit", 10), ("meeting", 10), ("email", 10),
             ("note", 10)]
        )  # fmt: skip
        self.channels = ["phone", "wechat", "wechat", "email", "visit", ""]
        self.contents = self._content_pool()
        self.follow_up_dates = [
            (config.today + dt.timedelta(days=offset)).isoformat() for offset in range(-7, 22)
        ]
        self.streets = [f"{street}{n}号" for street in names.STREETS for n in range(1, 300, 7)]
        self.company_customs = [
            json.dumps({"company_size": size, "annual_budget": budget}, ensure_ascii=False)
            for size in COMPANY_SIZES
            for budget in BUDGETS
        ]
        self.contact_customs = ["{}"] * 32 + [
            json.dumps({"hobby": hobby}, ensure_ascii=False) for hobby in HOBBIES
        ]
        self.brand_pinyin = {brand: pinyin_of(brand) for brand in names.BRANDS}
        self.companies = self._company_pool()
        self._names: dict[str, tuple[str, str]] = {}
        self._name_tokens: dict[tuple[str, ...], str] = {}

    # -- pools
    def _content_pool(self) -> dict[str, list[str]]:
        rng = random.Random(7)
        pool: dict[str, list[str]] = {}
        for kind, templates in names.INTERACTION_TEMPLATES.items():
            pool[kind] = [
                rng.choice(templates).format(
                    product=rng.choice(names.PRODUCTS),
                    contact=rng.choice(self.surnames) + rng.choice(["总", "经理", "主任", "工"]),
                    weekday=rng.choice(names.WEEKDAYS),
                    amount=rng.choice([5, 8, 10, 20, 30, 50, 80, 120]),
                )
                for _ in range(300)
            ]
        return pool

    def _company_pool(self) -> list[tuple[str, str, str, str, Any]]:
        """(industry, brand, name, short name, place) of COMPANY_POOL_SIZE companies.

        A bounded pool bounds the pypinyin work (it dominates otherwise); at
        1,000,000 customers a company name recurs ~9 times, like a chain's branches.
        """
        rng = random.Random(self.config.seed * 31 + 1)
        pool: dict[str, tuple[str, str, str, str, Any]] = {}
        suffixes = _expand(names.COMPANY_SUFFIXES)
        while len(pool) < COMPANY_POOL_SIZE:
            place = rng.choice(names.CITIES)
            industry, words = rng.choice(names.INDUSTRIES)
            brand = rng.choice(names.BRANDS)
            word = rng.choice(words)
            name = f"{place[1].removesuffix('市')}{brand}{word}{rng.choice(suffixes)}"
            pool.setdefault(name, (industry, brand, name, f"{brand}{word}", place))
        return list(pool.values())

    # -- derived values
    def ts(self, epoch: int) -> str:
        """A UTC timestamp as Django stores it (SQLite) or PostgreSQL accepts it."""
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))
        return text + "+00" if self.config.is_postgres else text

    def name_keys(self, name: str) -> tuple[str, str]:
        """(name_pinyin, sort_name) as the services compute them, memoised per name."""
        keys = self._names.get(name)
        if keys is None:
            full = pinyin_of(name)
            # sort_key_of(name) is pinyin_of(fold_width(name))[:200]: reuse `full`
            # when folding changes nothing (always, for generated names).
            sort_name = full[:200] if fold_width(name) == name else sort_key_of(name)
            keys = (full, sort_name)
            self._names[name] = keys
        return keys

    def search_text(
        self, name_values: tuple[str, ...], wechat_id: str, emails: list[str], phones: list[str]
    ) -> str:
        """build_search_text(names=..., words=[wechat_id], emails=..., phones=...).

        The name part is memoised; joining it with the rest and de-duplicating
        gives the same text as one call (both keep first occurrences in order).
        """
        name_part = self._name_tokens.get(name_values)
        if name_part is None:
            name_part = build_search_text(names=name_values)
            self._name_tokens[name_values] = name_part
        rest = build_search_text(words=[wechat_id], emails=emails, phones=phones)
        if not rest:
            return name_part
        return " ".join(dict.fromkeys([*name_part.split(" "), *rest.split(" ")]))

    # -- batches
    def batch(self, spec: BatchSpec) -> BatchRows:
        self.rng.seed(self.config.seed * 1_000_003 + spec.index)
        rows = BatchRows()
        contact_id = spec.first_contact_id
        for offset in range(spec.size):
            position = (spec.done_before + offset) / max(spec.total, 1)
            contact_id = self._customer(rows, spec.first_customer_id + offset, contact_id, position)
        return rows

    def _customer(self, rows: BatchRows, customer_id: int, contact_id: int, position: float) -> int:
        """Append a customer with its contacts, follow-ups and tags; return the next contact id."""
        random_ = self.rng.random
        surnames, given_names = self.surnames, names.GIVEN_NAMES
        prefixes, domains = names.MOBILE_PREFIXES, self.email_domains

        def pick(values: Sequence[Any]) -> Any:
            return values[int(random_() * len(values))]

        def mobile() -> str:
            return f"+86{pick(prefixes)}{int(random_() * 100_000_000):08d}"

        def person() -> str:
            return pick(surnames) + pick(given_names)

        def email_of(person_name: str) -> str:
            local = self.name_keys(person_name)[0]
            if random_() < 0.6:
                local += str(int(random_() * 2000))
            return f"{local}@{pick(domains)}"

        def wechat_of(person_name: str) -> str:
            roll = random_()
            if roll < 0.35:
                return ""
            if roll < 0.7:
                return f"{self.name_keys(person_name)[0]}{int(random_() * 9990) + 10}"
            return f"wxid_{int(random_() * 36**10):010x}"

        is_company = random_() < COMPANY_SHARE
        birthday = lunar_month = lunar_day = None
        calendar = "solar"
        if is_company:
            industry, brand, name, short_name, place = pick(self.companies)
            phones = [mobile()] if random_() < 0.8 else [mobile(), mobile()]
            pinyin_brand = self.brand_pinyin[brand]
            emails = [f"{pick(('info', 'sales', 'service', 'hr'))}@{pinyin_brand}"
                      f"{int(random_() * 999)}.com"]  # fmt: skip
            wechat_id = f"{pinyin_brand}{int(random_() * 100)}" if random_() < 0.4 else ""
            contact_count = 2 + int(random_() * 6)  # 2..7, mean 4.5
            custom = pick(self.company_customs)
            names_for_search: tuple[str, ...] = (name, short_name)
        else:
            place = pick(names.CITIES)
            industry = pick(names.INDIVIDUAL_INDUSTRIES)
            name = person()
            short_name = ""
            phones = [mobile()]
            emails = [email_of(name)] if random_() < 0.6 else []
            wechat_id = wechat_of(name)
            contact_count = pick((0, 1, 1, 1, 2, 2))  # mean 1.2
            custom = "{}"
            names_for_search = (name, "")
            if random_() < 0.5:
                if random_() < 0.15:
                    calendar = "lunar"
                    lunar_month, lunar_day = 1 + int(random_() * 12), 1 + int(random_() * 29)
                else:
                    year, month, day = 1960 + int(random_() * 43), 1 + int(random_() * 12), 1
                    birthday = f"{year}-{month:02d}-{day + int(random_() * 28):02d}"
        province, city, districts = place
        if random_() < 0.03:
            owner_id = None  # the public pool (公海)
        else:
            region = names.REGION_OF_PROVINCE.get(province, "east")
            owner_id = pick(self.owners.get(region) or self.all_owner_ids)
        name_pinyin, sort_name = self.name_keys(name)
        now_epoch = self.config.now_epoch
        created = self.start_epoch + int(position * HISTORY_DAYS * 86400) + int(random_() * 3600)
        created = min(created, now_epoch - 60)
        created_text = self.ts(created)

        contact_ids: list[int] = []
        contact_rows = rows.contacts
        for index in range(contact_count):
            contact_name = person()
            contact_phones = [mobile()]
            contact_emails = [email_of(contact_name)] if random_() < 0.5 else []
            contact_wechat = wechat_of(contact_name)
            contact_pinyin, contact_sort = self.name_keys(contact_name)
            contact_rows.append(
                (
                    contact_id, created_text, created_text, 1, None, "solar", None, None, False,
                    self.search_text(
                        (contact_name,), contact_wechat, contact_emails, contact_phones
                    ),
                    contact_sort, customer_id, contact_name, contact_pinyin[:300],
                    pick(names.JOB_TITLES) if is_company else pick(("本人", "家人", "助理")),
                    _json_list(contact_phones), _json_list(contact_emails), contact_wechat,
                    index == 0, "", pick(self.contact_customs),
                )
            )  # fmt: skip
            contact_ids.append(contact_id)
            contact_id += 1

        count = int(random_() * 11)  # 0..10, mean 5
        span = max(now_epoch - created, 1)
        moments = sorted(created + int(random_() * span) for _ in range(count))
        interaction_rows = rows.interactions
        for index, moment in enumerate(moments):
            kind = pick(self.kinds)
            follow_up = None
            is_done = False
            if index == count - 1:
                if random_() < 0.5:
                    follow_up = pick(self.follow_up_dates)
            elif random_() < 0.2:
                follow_up = time.strftime(
                    "%Y-%m-%d", time.gmtime(moment + 86400 * (1 + int(random_() * 14)))
                )
                is_done = True
            author = owner_id if owner_id and random_() < 0.9 else pick(self.service_ids)
            moment_text = self.ts(moment)
            interaction_rows.append(
                (
                    moment_text, moment_text, 1, kind, moment_text, pick(self.contents[kind]),
                    follow_up, is_done, author,
                    pick(contact_ids) if contact_ids and random_() < 0.7 else None, customer_id,
                )
            )  # fmt: skip

        last_epoch = moments[-1] if moments else None
        rows.customers.append(
            (
                customer_id, created_text, self.ts(last_epoch or created), 1, birthday, calendar,
                lunar_month, lunar_day, False,
                self.search_text(names_for_search, wechat_id, emails, phones), sort_name,
                "company" if is_company else "individual", name, name_pinyin[:400], short_name,
                industry, pick(self.sources), pick(self.grades), pick(self.stages),
                _json_list(phones), _json_list(emails), wechat_id, province, city,
                pick(districts), pick(self.streets), pick(self.channels), "zh-hans",
                "Asia/Shanghai", "", custom,
                self.ts(last_epoch) if last_epoch is not None else None, owner_id, owner_id,
                self.config.team_of_owner.get(owner_id) if owner_id else None,
            )
        )  # fmt: skip
        tag_count = min(pick((0, 1, 1, 2, 3)), len(self.config.tag_ids))
        if tag_count:
            rows.customer_tags.extend(
                (customer_id, tag_id) for tag_id in self.rng.sample(self.config.tag_ids, tag_count)
            )
        return contact_id


# --- worker processes -------------------------------------------------------------

_worker_factory: RowFactory | None = None


def worker_init(config: FactoryConfig) -> None:
    """Initializer of a generator process (spawned: no inherited database handles)."""
    import django

    django.setup()
    global _worker_factory
    _worker_factory = RowFactory(config)


def worker_batch(spec: BatchSpec) -> BatchRows:
    assert _worker_factory is not None
    return _worker_factory.batch(spec)
