"""`guanxi clv fit` end to end: CDNOW, other encodings and date formats, and bad input
(a clear message and exit code 2, never a traceback)."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook

from guanxi.analytics.management.commands.clv import Command
from guanxi.analytics.tests.cdnow import write_cdnow_csv


def run_cli(*args: str) -> dict:
    out = StringIO()
    call_command("clv", "fit", *args, stdout=out)
    return json.loads(out.getvalue())


def run_from_shell(capsys, *args: str) -> tuple[int, str]:
    """As `guanxi clv fit ...` runs it: returns (exit code, stderr)."""
    with pytest.raises(SystemExit) as exit_info, translation.override("en"):
        Command().run_from_argv(["guanxi", "clv", "fit", *args])
    return exit_info.value.code, capsys.readouterr().err


def test_cdnow_end_to_end(tmp_path: Path) -> None:
    path = write_cdnow_csv(tmp_path / "cdnow.csv")
    result = run_cli(str(path), "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30")
    assert result["customers"] == 2357
    assert result["repeat_buyers"] == 946
    assert set(result["bgnbd"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert f"{result['bgnbd']['r']:.3g}" == "0.243"
    assert f"{result['bgnbd']['alpha']:.3g}" == "4.41"
    assert f"{result['bgnbd']['a']:.3g}" == "0.793"
    assert f"{result['bgnbd']['b']:.3g}" == "2.43"
    assert round(result["bgnbd"]["log_likelihood"], 1) == -9582.4
    assert {key: f"{value:.3g}" for key, value in result["gamma_gamma"].items()} == {
        "p": "6.25",
        "q": "3.74",
        "gamma": "15.4",
    }
    assert result["holdout"]["actual_purchases"] == 1882
    assert result["holdout"]["predicted_purchases"] == pytest.approx(1653.4, abs=0.5)
    assert result["holdout"]["by_frequency"][-1]["frequency"] == "7+"


def test_gbk_file_with_chinese_headers_and_dates(tmp_path: Path) -> None:
    lines = ["客户编号;日期;金额"]
    for number in range(40):
        lines.append(f"客户{number};2025年1月{1 + number % 20}日;￥1,{100 + number}.50")
        if number % 3 == 0:
            lines.append(f"客户{number};2025/3/{1 + number % 27};{50 + number}元")
        if number % 5 == 0:
            lines.append(f"客户{number};20250501;{80 + 2 * number}")
    path = tmp_path / "交易.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    result = run_cli(str(path), "--calibration-end", "2025-06-30", "--time-unit", "days")
    assert result["customers"] == 40
    assert result["repeat_buyers"] == 19  # customers 0, 3, 5, 6, 9, 10, ...
    assert result["time_unit"] == "days"
    assert result["bgnbd"]["r"] > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,when,total\nA,2025-01-01,3\n", "missing: customer_id, date"),
        ("customer_id,date,amount\nA,yesterday,3\n", "row 2: “yesterday” is not a date"),
        ("customer_id,date,amount\nA,2025-01-01,three\n", "row 2: “three” is not an amount"),
        ("customer_id,date,amount\n", "no data rows"),
        ("customer_id,date,amount\nA,2025-01-01,3\nB,2025-01-02,4\n", "Too little data"),
    ],
)
def test_bad_files_exit_2_with_a_message(tmp_path: Path, capsys, content, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    code, stderr = run_from_shell(capsys, str(path), "--calibration-end", "2025-06-30")
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    code, stderr = run_from_shell(capsys, str(tmp_path / "none.csv"), "--calibration-end", "x")
    assert code == 2
    assert "argument --calibration-end: “x” is not a date" in stderr
    code, stderr = run_from_shell(
        capsys, str(tmp_path / "none.csv"), "--calibration-end", "2025-01-01"
    )
    assert (code, "No such file" in stderr) == (2, True)
    path = write_cdnow_csv(tmp_path / "cdnow.csv")
    code, stderr = run_from_shell(
        capsys, str(path), "--calibration-end", "1997-09-30", "--holdout-end", "1997-01-01"
    )
    assert (code, "after --calibration-end" in stderr) == (2, True)


def test_all_one_time_buyers_is_a_clear_too_little_data_error(tmp_path: Path, capsys) -> None:
    rows = [f"C{number},2025-01-{1 + number % 28:02d},{10 + number}" for number in range(200)]
    path = tmp_path / "once.csv"
    path.write_text("customer_id,date,amount\n" + "\n".join(rows), encoding="utf-8")
    code, stderr = run_from_shell(capsys, str(path), "--calibration-end", "2025-06-30")
    assert code == 2
    assert "Too little data to fit BG/NBD: 200 customers, 0 repeat buyers" in stderr


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Customer ID", "Order date", "Amount"])
    start = datetime.date(2025, 1, 1)
    for number in range(30):
        sheet.append([1000 + number, start + datetime.timedelta(days=number), 100.5 + number])
        for repeat in range(number % 4):
            day = start + datetime.timedelta(days=number + 20 * (repeat + 1))
            sheet.append([1000 + number, day, 50 + repeat])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    result = run_cli(str(path), "--calibration-end", "2025-06-30", "--time-unit", "days")
    assert result["customers"] == 30
    assert result["repeat_buyers"] == 22  # number % 4 != 0
    assert result["notes"]["transactions"] == 30 + sum(number % 4 for number in range(30))
