"""Opening uploaded files: sniffing, encodings, delimiters and every bad-input case."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import xlsxwriter

from guanxi.platform.imports.reading import ImportFileError, open_table


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows_of(path: Path) -> list[list[object]]:
    return [row.cells for row in open_table(path).rows()]


CHINESE = (
    "客户名称,手机,城市\n北京华夏科技有限公司,13812345678,北京\n上海东方贸易公司,13912345678,上海\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "a.csv", CHINESE.encode(encoding))
    table = open_table(path)
    assert table.headers == ["客户名称", "手机", "城市"]
    assert rows_of(path)[0] == ["北京华夏科技有限公司", "13812345678", "北京"]


def test_big5_csv(tmp_path: Path) -> None:
    text = (
        "客戶名稱,手機,城市\n台北華夏科技有限公司,0912345678,台北\n"
        "高雄東方貿易股份有限公司,0987654321,高雄\n"
    )
    path = write(tmp_path, "a.csv", text.encode("big5"))
    table = open_table(path)
    assert table.headers[0] == "客戶名稱"
    assert rows_of(path)[1][0] == "高雄東方貿易股份有限公司"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = write(tmp_path, "a.csv", delimiter.join(["名称", "手机"]).encode() + b"\n" +
                 delimiter.join(["张三", "13812345678"]).encode() + b"\n")  # fmt: skip
    assert open_table(path).delimiter == delimiter
    assert rows_of(path) == [["张三", "13812345678"]]


def test_binary_renamed_csv_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "customers.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(ImportFileError, match="not a spreadsheet"):
        open_table(path)


def test_zip_that_is_not_xlsx(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="ZIP"):
        open_table(path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        open_table(write(tmp_path, "a.csv", b""))
    with pytest.raises(ImportFileError, match="empty"):
        open_table(write(tmp_path, "b.csv", b"\n\n , \n"))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no data rows"):
        open_table(write(tmp_path, "a.csv", "客户名称,手机\n".encode()))


def test_oversized_file_has_a_clear_message(tmp_path: Path, settings: object) -> None:
    settings.GUANXI_IMPORT_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    path = write(tmp_path, "big.csv", b"name\n" + b"x" * (1024 * 1024 + 10))
    with pytest.raises(ImportFileError, match=r"limit is 1 MB"):
        open_table(path)


def test_mixed_encodings_are_refused_with_the_line(tmp_path: Path) -> None:
    data = "名称,城市\n".encode() + "张三,北京\n".encode("gbk") + "李四,上海\n".encode()
    with pytest.raises(ImportFileError, match="mixes text encodings"):
        list(open_table(write(tmp_path, "a.csv", data)).rows())
    later = (
        "名称,城市\n".encode("gbk") + "张三,北京\n".encode("gbk") * 10000 + "李四,上海\n".encode()
    )
    with pytest.raises(ImportFileError, match="Line 10002"):
        list(open_table(write(tmp_path, "b.csv", later)).rows())


def test_ragged_rows_are_padded_or_flagged(tmp_path: Path) -> None:
    data = "名称,手机,城市\n张三,138\n李四,139,上海,多余\n".encode()
    rows = list(open_table(write(tmp_path, "a.csv", data)).rows())
    assert rows[0].cells == ["张三", "138", ""] and not rows[0].extra_cells
    assert rows[1].extra_cells == ["多余"]


def test_duplicate_and_blank_headers_become_unique(tmp_path: Path) -> None:
    table = open_table(write(tmp_path, "a.csv", "手机,手机,,名称\n1,2,3,4\n".encode()))
    assert table.headers == ["手机", "手机 (2)", "Column 3", "名称"]


def test_xlsx_is_sniffed_by_content_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"  # the name lies; the content decides
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["客户名称", "手机", "生日", "金额"])
    sheet.write_row(1, 0, ["张三", 13812345678])
    sheet.write_datetime(
        1, 2, datetime.datetime(2024, 3, 5), workbook.add_format({"num_format": "yyyy-mm-dd"})
    )
    sheet.write_number(1, 3, 1234.5)
    workbook.close()
    table = open_table(path)
    assert table.kind == "xlsx"
    cells = next(table.rows()).cells
    assert cells[:2] == ["张三", "13812345678"]
    assert isinstance(cells[2], datetime.date) and cells[2].day == 5
    assert cells[3] == "1234.5"


def test_damaged_xls_has_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, "a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportFileError, match="could not be read"):
        open_table(path)


def test_vcard_3_and_4(tmp_path: Path) -> None:
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:张;三;;;\r\nORG:北京华夏科技;销售部\r\n"
        "TEL;TYPE=CELL:138 1234 5678\r\nEMAIL:zhang@example.com\r\nNOTE:第一行\\n第二\r\n 行\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:李四\r\nORG:上海东方\r\n"
        "TEL;VALUE=uri:tel:+86-139-1234-5678\r\nEND:VCARD\r\n"
    ).encode()
    table = open_table(write(tmp_path, "contacts.vcf", data))
    assert table.kind == "vcard"
    rows = [dict(zip(table.headers, row.cells, strict=True)) for row in table.rows()]
    assert rows[0]["FN"] == "张三" and rows[0]["ORG"] == "北京华夏科技"
    assert rows[0]["NOTE"] == "第一行\n第二行"
    assert rows[1]["TEL"] == "+86-139-1234-5678"
