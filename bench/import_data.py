"""Generate a customer import file like the ones companies bring from other CRMs.

    python -m bench.import_data --rows 1000000 --out /tmp/customers.csv \
        [--owners wangwei,lina] [--existing-phones phones.txt] [--format csv|xlsx]

Columns carry Chinese headers (客户名称, 手机, 邮箱, 所属销售, …) and the values are
typed the way people type them: phones with spaces or +86, amounts with ¥, dates
as 2024/3/5 or 2024年3月5日. About 5 % of the rows repeat an earlier row's phone
(in-file duplicates) and, with --existing-phones, 5 % carry the phone of a
customer already in the database, so dedupe has real work to do.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from guanxi.demo import names

HEADERS = [
    "客户名称",
    "行业",
    "客户来源",
    "客户等级",
    "所属销售",
    "手机",
    "邮箱",
    "省份",
    "城市",
    "详细地址",
    "生日",
    "备注",
]
SOURCES = ["展会", "官网", "转介绍", "电话营销", "百度推广", "老客户", "微信公众号"]
GRADES = ["A", "B", "C", "D", ""]
MOBILE_PREFIXES = [*(f"13{d}" for d in range(10)), "150", "151", "152", "155", "156", "157",
    "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189",
    "198", "199"]  # fmt: skip


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _typed_phone(rng: random.Random, phone: str) -> str:
    style = rng.random()
    if style < 0.5:
        return phone
    if style < 0.8:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return f"+86 {phone}"


def _company(rng: random.Random) -> tuple[str, str, tuple]:
    place = rng.choice(names.CITIES)
    industry, words = rng.choice(names.INDUSTRIES)
    brand = rng.choice(names.BRANDS) + rng.choice(names.BRANDS)[:1]
    suffix = rng.choice([s for s, _w in names.COMPANY_SUFFIXES])
    return f"{place[1].removesuffix('市')}{brand}{rng.choice(words)}{suffix}", industry, place


def _person(rng: random.Random) -> tuple[str, str, tuple]:
    surname = rng.choice([s for s, _w in names.SURNAMES])
    return surname + rng.choice(names.GIVEN_NAMES), "个人", rng.choice(names.CITIES)


def generate_rows(
    rows: int, *, seed: int = 2026, owners: list[str], existing_phones: list[str]
) -> Iterator[list[str]]:
    rng = random.Random(seed)
    recent: list[str] = []
    for number in range(rows):
        name, industry, place = _company(rng) if rng.random() < 0.7 else _person(rng)
        roll = rng.random()
        if roll < 0.05 and recent:
            phone = rng.choice(recent)
        elif roll < 0.10 and existing_phones:
            phone = rng.choice(existing_phones)
        else:
            phone = _phone(rng)
        recent.append(phone)
        if len(recent) > 5000:
            recent = recent[-2500:]
        email = f"c{number}_{rng.randrange(10**6)}@example.cn" if rng.random() < 0.5 else ""
        year, month, day = rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28)
        birthday = (
            rng.choice([f"{year}/{month}/{day}", f"{year}年{month}月{day}日", ""])
            if industry == "个人"
            else ""
        )
        yield [
            name,
            industry,
            rng.choice(SOURCES),
            rng.choice(GRADES),
            rng.choice(owners) if owners else "",
            _typed_phone(rng, phone),
            email,
            place[0],
            place[1],
            f"{rng.choice(place[2])}{rng.choice(names.STREETS)}{rng.randint(1, 999)}号",
            birthday,
            "从旧系统导入" if rng.random() < 0.1 else "",
        ]


def write_file(path: Path, rows: Iterator[list[str]], *, kind: str) -> None:
    if kind == "xlsx":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, HEADERS)
        for line, row in enumerate(rows, start=1):
            sheet.write_row(line, 0, row)
        workbook.close()
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--owners", default="", help="comma-separated usernames")
    parser.add_argument("--existing-phones", default="", help="file with one phone per line")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    existing = Path(args.existing_phones).read_text().split() if args.existing_phones else []
    owners = [o for o in args.owners.split(",") if o]
    rows = generate_rows(args.rows, seed=args.seed, owners=owners, existing_phones=existing)
    write_file(Path(args.out), rows, kind=args.format)


if __name__ == "__main__":
    main()
