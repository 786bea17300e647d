"""Export: round trip for every ledger in .xlsx, UTF-8 CSV and GBK CSV; masking; years;
deleted rows; cell types and widths; the template with its dropdowns."""

import csv
import datetime as dt
import zlib

import pytest

from app.core.io.exporter import export_ledger
from app.core.io.importer import import_file
from app.core.io.readers import ReadError
from app.core.io.template import write_template
from app.core.ledgers import catalog
from app.core.ledgers.validation import id_check_char, mask_idcard
from app.core.storage.store import Store
from tests.fixtures.samples import comparable, fill, fill_people, person_name

LEDGER_IDS = [lg.id for lg in catalog.LEDGERS]


@pytest.fixture
def mem():
    stores = []

    def make():
        s = Store.memory()
        stores.append(s)
        return s

    yield make
    for s in stores:
        s.close()


def _source(store, ledger_id):
    """A ledger full of valid rows, one of them deleted; for visits, people whose names
    repeat (so the export must fall back to the ID number)."""
    if ledger_id == "visits":
        fill_people(store, 6)
        first17 = "50023019850505123"
        store.save(
            "key_persons",
            {"name": person_name(2), "id_number": first17 + id_check_char(first17), "category": "吸毒人员",
             "listed_on": "2024-02-02"},
        )  # fmt: skip
    ids = fill(store, ledger_id, 30, seed=zlib.crc32(ledger_id.encode()) % 1000)  # same data every run
    store.delete(ledger_id, ids[0])
    return ids


def _export(store, ledger_id, path, encoding):
    export_ledger(store, ledger_id, path, full_id=True)
    if encoding == "gbk":
        path.write_bytes(path.read_text(encoding="utf-8-sig").encode("gbk"))
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv-utf8", "csv-gbk"])
@pytest.mark.parametrize("ledger_id", LEDGER_IDS)
def test_round_trip(mem, tmp_path, ledger_id, fmt):
    a, b = mem(), mem()
    _source(a, ledger_id)
    suffix, encoding = (".xlsx", None) if fmt == "xlsx" else (".csv", fmt[4:])
    if ledger_id == "visits":  # the people go first, by the same route
        people = _export(a, "key_persons", tmp_path / f"people{suffix}", encoding)
        assert import_file(b, "key_persons", people).written
    path = _export(a, ledger_id, tmp_path / f"{ledger_id}{suffix}", encoding)
    result = import_file(b, ledger_id, path)
    assert result.ok, [str(e) for e in result.errors[:5]]
    assert result.count == 29
    assert comparable(b, ledger_id) == comparable(a, ledger_id)


def test_deleted_rows_are_never_exported(mem, tmp_path):
    s = mem()
    ids = _source(s, "meetings")
    s.delete("meetings", ids[1:5])
    path = tmp_path / "a.csv"
    assert export_ledger(s, "meetings", path) == 25
    with path.open(encoding="utf-8-sig", newline="") as f:
        exported = sorted(row["会议名称"] for row in csv.DictReader(f))
    assert exported == sorted(r["title"] for r in s.rows("meetings"))  # the live rows, and only those


def test_year_filter_uses_the_ledger_date_field(mem, tmp_path):
    s = mem()
    for day in ("2023-12-31", "2024-01-01", "2024-12-31", "2025-01-01"):
        s.save(
            "disputes",
            {"registered_on": day, "source": "其他", "dispute_type": "邻里", "summary": day, "status": "调解中"},
        )
    path = tmp_path / "a.csv"
    assert export_ledger(s, "disputes", path, year=2024) == 2
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["2024-01-01", "2024-12-31"]
    assert export_ledger(s, "disputes", path) == 4


def test_id_numbers_masked_unless_asked_and_revealing_is_audited(mem, tmp_path):
    s = mem()
    fill_people(s, 3)
    numbers = [r["id_number"] for r in s.rows("key_persons")]
    path = tmp_path / "a.csv"
    export_ledger(s, "key_persons", path)
    text = path.read_text(encoding="utf-8-sig")
    assert all(n not in text and mask_idcard(n) in text for n in numbers)
    assert not [e for e in s.audit_entries() if e["action"] == "reveal"]
    export_ledger(s, "key_persons", path, full_id=True, year=2024)
    text = path.read_text(encoding="utf-8-sig")
    reveal = [e for e in s.audit_entries() if e["action"] == "reveal"]
    assert len(reveal) == 1 and "完整身份证号" in reveal[0]["note"] and "a.csv" in reveal[0]["note"]
    assert reveal[0]["ledger"] == "key_persons"
    assert sum(n in text for n in numbers) == s.count("key_persons", 2024)


def test_visits_export_names_and_masks_ambiguous_people(mem, tmp_path):
    s = mem()
    fill_people(s, 3)
    first17 = "50023019850505123"
    twin_id = first17 + id_check_char(first17)
    twin = s.save(
        "key_persons", {"name": person_name(0), "id_number": twin_id, "category": "吸毒人员", "listed_on": "2024-01-01"}
    )
    s.save("visits", {"date": "2024-03-01", "person_id": person_name(1), "visitor": "周", "method": "电话"})
    s.save("visits", {"date": "2024-03-02", "person_id": twin, "visitor": "周", "method": "电话"})
    path = tmp_path / "a.csv"
    export_ledger(s, "visits", path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(",")[1] == person_name(1)
    assert lines[2].split(",")[1] == person_name(0)  # masked export: the name, never the number
    export_ledger(s, "visits", path, full_id=True)
    assert path.read_text(encoding="utf-8-sig").splitlines()[2].split(",")[1] == twin_id


def test_csv_has_a_bom_and_plain_numbers(mem, tmp_path):
    s = mem()
    s.save("penalties", {"decided_on": "2024-05-06", "decision_no": "武府罚〔2024〕1号", "party": "某公司",
                         "violation": "无证经营", "penalty": "罚款", "amount": "1200", "legal_review": "是",
                         "officers": "张三、李四"})  # fmt: skip
    s.save("penalties", {"decided_on": "2024-05-07", "decision_no": "2号", "party": "某店", "violation": "x",
                         "penalty": "罚款", "amount": "99.5", "legal_review": "否"})  # fmt: skip
    path = tmp_path / "a.csv"
    export_ledger(s, "penalties", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["决定日期", "决定书文号", "当事人"]
    assert ",1200,是,张三、李四," in lines[1] and ",99.5,否," in lines[2]


def test_xlsx_is_print_ready_with_date_cells_numbers_widths_and_a_uid_column(mem, tmp_path):
    from openpyxl import load_workbook

    s = mem()
    s.set_setting("town", "武平镇")  # the sheet's title names the town
    s.save("study_sessions", {"date": "2024-03-05", "form": "党委会", "audience": "领导班子", "topic": "宪法",
                              "participants": 20, "passed": 18})  # fmt: skip
    path = tmp_path / "a.xlsx"
    assert export_ledger(s, "study_sessions", path, year=2024) == 1
    ws = load_workbook(path).active
    assert ws.title == "学法培训台账" and ws.freeze_panes == "A3"
    lg = catalog.get("study_sessions")
    assert ws["A1"].value == "武平镇学法培训台账（2024年）" and ws["A1"].font.b
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:I1"]
    assert [c.value for c in ws[2]] == [*(f.label for f in lg.fields), "记录编号"]
    assert ws["A2"].font.b
    assert ws["I3"].value == s.rows("study_sessions")[0]["uid"]
    date, participants = ws["A3"], ws["E3"]
    assert date.value == dt.datetime(2024, 3, 5) and date.is_date and date.number_format == "yyyy-mm-dd"
    assert participants.value == 20 and participants.data_type == "n"
    assert ws.column_dimensions["D"].width >= lg.field("topic").width == 30
    assert ws.column_dimensions["A"].width >= 12
    # print-ready: landscape, one page wide, header row on every page, page numbers
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$2:$2"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_unsupported_export_format(mem, tmp_path):
    with pytest.raises(ReadError, match="xlsx"):
        export_ledger(mem(), "meetings", tmp_path / "a.pdf")
    assert not list(tmp_path.iterdir())


def test_a_failed_export_leaves_no_file(mem, tmp_path, monkeypatch):
    import app.core.io.exporter as exporter

    def boom(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporter, "_write_csv", boom)
    with pytest.raises(OSError):
        export_ledger(mem(), "meetings", tmp_path / "a.csv")
    assert not list(tmp_path.iterdir())


# -- the template ---------------------------------------------------------------------------------


def _validations(ws):
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize("ledger_id", LEDGER_IDS)
def test_template_headers_dropdowns_and_frozen_header(mem, tmp_path, ledger_id):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    s = mem()
    lg = catalog.get(ledger_id)
    path = tmp_path / "t.xlsx"
    write_template(s, ledger_id, path)
    wb = load_workbook(path)
    ws = wb[lg.name]
    assert wb.active.title == lg.name and ws.freeze_panes == "A2"
    dvs = _validations(ws)
    for col, f in enumerate(lg.fields, start=1):
        letter = get_column_letter(col)
        cell = ws.cell(row=1, column=col)
        assert cell.value == f.label + ("*" if f.required else "")
        assert cell.font.b and (cell.font.color is not None and cell.font.color.rgb.endswith("C00000")) == f.required
        assert ws.column_dimensions[letter].width >= f.width
        if f.kind == "choice":
            dv = dvs[letter]
            assert dv.type == "list"
            sheet, cells = dv.formula1.split("!")
            start, end = cells.replace("$", "").split(":")
            listed = [c.value for row in wb[sheet.strip("'")][f"{start}:{end}"] for c in row]
            assert listed == list(s.choices(ledger_id, f.key))
        elif f.kind in ("int", "decimal"):
            assert dvs[letter].type in ("whole", "decimal")
        else:
            assert letter not in dvs
    if any(f.kind == "choice" for f in lg.fields):
        assert wb["选项"].sheet_state == "hidden"


def test_template_lists_office_choices_and_imports_back_when_filled(mem, tmp_path):
    from openpyxl import load_workbook

    s = mem()
    s.set_setting("choices.lawsuits.result", ["调解结案"])
    path = tmp_path / "t.xlsx"
    write_template(s, "lawsuits", path)
    wb = load_workbook(path)
    assert "调解结案" in [c.value for c in wb["选项"]["B"]]
    ws = wb["行政复议诉讼台账"]
    ws.append([dt.date(2024, 6, 1), "行政复议", "不服处罚决定", "某公司", "调解结案", None])
    wb.save(path)
    result = import_file(s, "lawsuits", path)
    assert result.ok and result.count == 1, [str(e) for e in result.errors]
    assert s.rows("lawsuits")[0]["result"] == "调解结案"


def test_a_blank_template_imports_nothing(mem, tmp_path):
    s = mem()
    write_template(s, "disputes", tmp_path / "t.xlsx")
    result = import_file(s, "disputes", tmp_path / "t.xlsx")
    assert result.ok and result.count == 0 and not result.written


def test_template_must_be_xlsx(mem, tmp_path):
    with pytest.raises(ReadError):
        write_template(mem(), "disputes", tmp_path / "t.csv")


def test_spreadsheet_libraries_load_only_when_used():
    import subprocess
    import sys

    code = (
        "import sys, app.core.io, app.cli.io_cmds;"
        "print(sorted(m for m in ('openpyxl', 'python_calamine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_formula_like_and_control_character_text_survives_xlsx(mem, tmp_path):
    from openpyxl import load_workbook

    a, b = mem(), mem()
    a.save("meetings", {"date": "2024-03-05", "title": "=HYPERLINK(\"x\")", "meeting_type": "其他", "chair": "王",
                        "decisions": "第一条\x0b第二条"})  # fmt: skip
    path = tmp_path / "a.xlsx"
    export_ledger(a, "meetings", path)
    cell = load_workbook(path).active["B3"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'
    assert import_file(b, "meetings", path).count == 1
    (row,) = b.rows("meetings")
    assert row["title"] == '=HYPERLINK("x")' and row["decisions"] == "第一条第二条"
