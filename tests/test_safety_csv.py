"""A .csv export cannot carry formulas: a text cell a spreadsheet would run ("=", "+", "-",
"@", tab, carriage return first) is written with a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

import csv

import pytest

from app.cli import main
from app.core.io.exporter import export_ledger
from app.core.io.importer import import_file
from app.core.storage.store import Store

DANGEROUS = ['=HYPERLINK("http://x","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def meetings():
    s = Store.memory()
    for i, title in enumerate(DANGEROUS):
        s.conn.execute(  # stored as typed (the form may trim; an imported file may not)
            "INSERT INTO meetings (uid, date, title, meeting_type, chair, created_at, updated_at)"
            " VALUES (?, '2024-03-05', ?, '其他', '王', '2024-03-05', '2024-03-05')",
            (f"u{i}", title),
        )
    s.save("meetings", {"date": "2024-03-06", "title": "普通会议 - 第二次", "meeting_type": "其他", "chair": "李"})
    yield s
    s.close()


def _cells(path, column: str) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def test_formula_text_is_neutralised_in_csv(meetings, tmp_path):
    path = tmp_path / "m.csv"
    assert export_ledger(meetings, "meetings", path) == len(DANGEROUS) + 1
    titles = _cells(path, "会议名称")
    assert sorted(titles[:-1]) == sorted("'" + t for t in DANGEROUS)
    assert titles[-1] == "普通会议 - 第二次"  # a dash inside the text is harmless
    assert all(t[:1] not in "=+-@\t\r" for t in titles)


def test_command_line_export_neutralises_text_and_keeps_numbers(tmp_path):
    db = tmp_path / "s.db"
    s = Store.open(db)
    s.save(
        "study_sessions",
        {"date": "2024-05-01", "form": "其他", "audience": "其他", "topic": "-会议", "participants": 3},
    )
    s.close()
    path = tmp_path / "s.csv"
    assert main(["--db", str(db), "export", "study_sessions", str(path)]) == 0
    assert _cells(path, "主题") == ["'-会议"]
    assert _cells(path, "参加人数") == ["3"]


def _titles(store) -> list[str]:
    return sorted(r[0] for r in store.conn.execute("SELECT title FROM meetings WHERE deleted_at IS NULL"))


def test_exported_csv_imports_back_without_the_apostrophes(meetings, tmp_path):
    path = tmp_path / "m.csv"
    export_ledger(meetings, "meetings", path)
    # import trims text, so only the two cells stored with a leading tab / CR change
    trimmed = sorted(t.strip() for t in _titles(meetings))
    again = import_file(meetings, "meetings", path)
    assert (again.updated, again.unchanged) == (2, len(DANGEROUS) - 1)
    assert _titles(meetings) == trimmed
    assert (import_file(meetings, "meetings", path).updated) == 0  # a second time: nothing

    fresh = Store.memory()
    import_file(fresh, "meetings", path)
    assert _titles(fresh) == trimmed
    fresh.close()


def test_an_apostrophe_before_ordinary_text_is_kept(tmp_path):
    path = tmp_path / "m.csv"
    lines = ["会议日期,会议名称,会议类型,主持人", "2024-03-05,'春季会议,其他,王", "2024-03-06,'=1+1,其他,王"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    s = Store.memory()
    import_file(s, "meetings", path)
    assert _titles(s) == ["'春季会议", "=1+1"]
    s.close()
