"""The CDNOW sample (see data/README.md) as transactions and as a customer_id,date,amount CSV."""

from __future__ import annotations

import datetime
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "CDNOW_sample.txt"
CALIBRATION_END = datetime.date(1997, 9, 30)
HOLDOUT_END = datetime.date(1998, 6, 30)


def cdnow_transactions() -> tuple[list[str], list[datetime.date], list[float]]:
    ids, dates, amounts = [], [], []
    for line in DATA_FILE.read_text().splitlines():
        _master_id, sample_id, day, _cds, amount = line.split()
        ids.append(sample_id)
        dates.append(datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])))
        amounts.append(float(amount))
    return ids, dates, amounts


def write_cdnow_csv(path: Path) -> Path:
    lines = ["customer_id,date,amount"]
    for line in DATA_FILE.read_text().splitlines():
        _master_id, sample_id, day, _cds, amount = line.split()
        lines.append(f"{sample_id},{day},{amount}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
