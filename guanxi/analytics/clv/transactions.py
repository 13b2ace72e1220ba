"""Read a transactions file (customer_id, date, amount) for the CLV fit.

The file goes through the import engine's reader (type sniffing, UTF-8/BOM/GBK
detection, delimiter sniffing, CSV/XLSX/XLS) and its value parsers (1997-01-01,
19970101, 1997/1/1, 1997年1月1日, ¥1,234.50, 1.2万 ...).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.platform.exceptions import ApplicationError
from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.values import ImportValueError, parse_amount, parse_date

COLUMN_ALIASES: dict[str, set[str]] = {
    "customer_id": {"customer_id", "customerid", "customer", "cust_id", "id", "客户id",
                    "客户编号", "客户", "客户名称"},
    "date": {"date", "order_date", "purchase_date", "transaction_date", "日期", "下单日期",
             "订单日期", "购买日期", "交易日期"},
    "amount": {"amount", "value", "total", "revenue", "sales", "金额", "订单金额", "销售额",
               "交易金额"},
}  # fmt: skip
MAX_REPORTED_ERRORS = 10
EMPTY_CUSTOMER = gettext_lazy("the customer id is empty")
ROWS_UNREADABLE = gettext_lazy("Some rows cannot be read:")
MISSING_COLUMNS = gettext_lazy(
    "The file needs the columns customer_id, date and amount; missing: %(missing)s. "
    "Columns found: %(found)s."
)


class TransactionFileError(ApplicationError):
    code = "clv_transaction_file_error"


@dataclass(frozen=True)
class Transactions:
    customer_ids: np.ndarray
    dates: np.ndarray  # day numbers (date.toordinal())
    amounts: np.ndarray


def read_transactions(path: str | Path) -> Transactions:
    """All rows of the file; TransactionFileError naming the columns or rows that are wrong."""
    table = open_table(path)  # ImportFileError (an ApplicationError) for unreadable files
    positions = _column_positions(table.headers)
    ids: list[str] = []
    days: list[int] = []
    amounts: list[float] = []
    errors: list[str] = []
    date_cache: dict[Any, int] = {}
    for row in table.rows():
        customer = str(row.cells[positions["customer_id"]] or "").strip()
        raw_date = row.cells[positions["date"]]
        raw_amount = row.cells[positions["amount"]]
        try:
            if not customer:
                raise ImportValueError(str(EMPTY_CUSTOMER))
            key = raw_date if isinstance(raw_date, str) else repr(raw_date)
            day = date_cache.get(key)
            if day is None:
                day = parse_date(raw_date).toordinal()
                date_cache[key] = day
            amount = float(parse_amount(raw_amount))
        except ImportValueError as error:
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append(
                    _("row %(number)s: %(message)s")
                    % {"number": row.number, "message": error.message}
                )
            else:
                errors.append("…")
                break
            continue
        ids.append(customer)
        days.append(day)
        amounts.append(amount)
    if errors:
        raise TransactionFileError("\n".join([str(ROWS_UNREADABLE), *errors]))
    return Transactions(
        customer_ids=np.asarray(ids),
        dates=np.asarray(days, dtype=np.int64),
        amounts=np.asarray(amounts, dtype=np.float64),
    )


def date_from_day_number(day: int) -> datetime.date:
    return datetime.date.fromordinal(day)


def _column_positions(headers: list[str]) -> dict[str, int]:
    normalised = [header.strip().lower().replace(" ", "_").replace("-", "_") for header in headers]
    positions: dict[str, int] = {}
    for column, aliases in COLUMN_ALIASES.items():
        if column in normalised:
            positions[column] = normalised.index(column)
            continue
        matches = [index for index, header in enumerate(normalised) if header in aliases]
        if matches:
            positions[column] = matches[0]
    missing = [column for column in COLUMN_ALIASES if column not in positions]
    if missing:
        raise TransactionFileError(
            str(MISSING_COLUMNS) % {"missing": ", ".join(missing), "found": ", ".join(headers)}
        )
    return positions
