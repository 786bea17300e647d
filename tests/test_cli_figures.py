"""``demo``, ``figures`` and ``check`` on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.storage.store import Store

from .test_demo import REFERENCE, assert_reproduces_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_db(db_path, capsys):
    assert main(["--db", str(db_path), "demo"]) == 0
    capsys.readouterr()
    return db_path


def test_demo_then_figures_json_reproduces_the_reference(demo_db):
    """The real command line, in a child process, as scripts use it."""
    out = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(demo_db), "figures", "--year", "2024", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=True,
    ).stdout
    data = json.loads(out)
    assert_reproduces_reference(data)
    assert data["enforcement.top_domains"] == REFERENCE["enforcement.top_domains"]
    assert data["docs.filed_rate"] == 1.0 and isinstance(data["enforcement.inspections"], int)
    assert data["enforcement.inspections"] == 114


def test_demo_reports_counts_and_refuses_a_second_time(db_path, capsys):
    assert main(["--db", str(db_path), "demo", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "2024年演示数据" in out and "走访记录" in out
    assert main(["--db", str(db_path), "demo"]) == 1
    err = capsys.readouterr().err
    assert "已有台账数据" in err and len(err.strip().splitlines()) == 1
    store = Store.open(db_path)
    assert store.count("inspections", 2024) == 119  # nothing was added twice
    store.close()


def test_demo_for_another_year(db_path, capsys):
    assert main(["--db", str(db_path), "demo", "--year", "2023"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "figures", "--year", "2023", "--json"]) == 0
    assert_reproduces_reference(json.loads(capsys.readouterr().out))


def test_figures_table_in_chinese_with_last_year(demo_db, capsys):
    assert main(["--db", str(demo_db), "figures", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "2024年" in lines[0] and "2023年" in lines[0]
    row = next(line for line in lines if line.startswith("行政检查 "))
    assert row.split()[1:] == ["114次", "96次"]
    assert any(line.startswith("执法活跃率") and "100%" in line for line in lines)
    assert "教育、食品安全、交通运输、消防安全、生态环境" in out


def test_figures_on_an_empty_database(db_path, capsys):
    assert main(["--db", str(db_path), "figures", "--year", "2024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["docs.filed_rate"] is None and data["enforcement.top_domains"] == []
    assert main(["--db", str(db_path), "figures", "--year", "2024"]) == 0
    assert "—" in capsys.readouterr().out


def test_check_prints_findings_and_exits_zero(demo_db, capsys):
    assert main(["--db", str(demo_db), "check", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "错误 0 类" in out and "[提醒] 矛盾纠纷超过30天未结案" in out and "调解中" in out
    assert main(["--db", str(demo_db), "check", "--year", "2023"]) == 0
    assert "未发现问题" in capsys.readouterr().out
    store = Store.open(demo_db)
    store.conn.execute("UPDATE normative_documents SET filed = '否' WHERE issued_on LIKE '2024%'")
    store.conn.execute(
        "UPDATE inspections SET officers = '无名氏'"
        " WHERE id = (SELECT MIN(id) FROM inspections WHERE date LIKE '2024%')"
    )
    store.close()
    assert main(["--db", str(demo_db), "check", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "[提醒] 规范性文件未备案（规范性文件台账，3 条）" in out
    assert "[错误] 行政检查执法人员少于2名" in out
    assert out.index("[错误]") < out.index("[提醒]")
