"""The command line's import / export / template: exit codes, one Chinese line per failure,
every bad row printed."""

import subprocess
import sys

from app.cli import main
from app.core.storage.store import Store
from tests.fixtures.sheets import write_csv

HEAD = ["日期", "形式", "对象", "主题", "参加人数", "考试合格人数"]
GOOD = [["2024-03-05", "党委会", "领导班子", "宪法学习", "20", "18"], ["2024-04-10", "其他", "其他", "民法典", "", ""]]


def _run(db, *args):
    return main(["--db", str(db), *map(str, args)])


def _count(db, ledger="study_sessions"):
    s = Store.open(db)
    try:
        return s.count(ledger), len(s.audit_entries())
    finally:
        s.close()


def test_import_ok_and_dry_run(db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [HEAD, *GOOD])
    assert _run(db_path, "import", "学法培训台账", path, "--dry-run") == 0
    assert "检查通过：2 行" in capsys.readouterr().out
    assert _count(db_path) == (0, 0)
    assert _run(db_path, "import", "study_sessions", path) == 0
    assert "已导入 2 行到学法培训台账" in capsys.readouterr().out
    assert _count(db_path) == (2, 1)


def test_bad_rows_exit_2_and_every_error_is_printed(db_path, tmp_path, capsys):
    rows = [
        HEAD,
        GOOD[0],
        ["2024-13-01", "党委会", "领导班子", "x", "", ""],
        GOOD[1],
        ["2024-01-01", "茶话会", "其他", "", "", ""],
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    assert _run(db_path, "import", "study_sessions", path) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [  # row 5 (an unknown 形式, no 主题) is readable: 待补充, not an error
        "第3行 日期：“2024-13-01”不是有效日期",
        "错误：1 行有问题（共 1 处），没有导入任何数据。请修改后重新导入"
        "（加 --skip-bad 可先导入其余 3 行，有问题的行另存为一个表格）。",
    ]
    assert _count(db_path) == (0, 0)
    assert _run(db_path, "import", "study_sessions", path, "--dry-run") == 2


def test_header_problems_exit_2(db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [["日期", "主题", "联系人", "主题"], ["2024-01-01", "x", "y", "z"]])
    assert _run(db_path, "import", "study_sessions", path) == 2
    err = capsys.readouterr().err
    assert "注意：这些列认不出是学法培训台账的哪一项，没有导入：“联系人”" in err  # named even when rows fail
    assert "第1行 表头：“主题”列出现了两次" in err
    assert _run(db_path, "import", "study_sessions", path, "--skip-bad") == 2  # no row can be read


def test_failures_are_one_chinese_line(db_path, tmp_path, capsys):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "empty.csv").write_text("日期,形式,对象,主题\n", encoding="utf-8")
    cases = [
        (("import", "没有这个台账", tmp_path / "a.csv"), "没有名为“没有这个台账”的台账"),
        (("import", "study_sessions", tmp_path / "missing.csv"), "找不到文件"),
        (("import", "study_sessions", tmp_path / "a.pdf"), "不支持的文件类型"),
        (("import", "study_sessions", tmp_path / "empty.csv"), "没有数据行"),
        (("export", "study_sessions", tmp_path / "a.pdf"), "不支持导出"),
        (("template", "study_sessions", tmp_path / "t.csv"), ".xlsx"),
        (("export", "study_sessions", tmp_path / "no" / "such" / "dir" / "a.csv"), "文件夹不存在"),
    ]
    for args, expected in cases:
        code = _run(db_path, *args)
        err = capsys.readouterr().err
        assert code != 0, args
        assert len(err.strip().splitlines()) == 1 and err.startswith("错误：") and expected in err, (args, err)
        assert "Traceback" not in err


def test_export_and_template_commands(db_path, tmp_path, capsys):
    rows = [HEAD, *GOOD, ["2023-12-31", "其他", "其他", "去年", "", ""]]
    assert _run(db_path, "import", "study_sessions", write_csv(tmp_path / "a.csv", rows)) == 0
    out = tmp_path / "导出.csv"
    assert _run(db_path, "export", "学法培训台账", out, "--year", "2024") == 0
    assert "已导出学法培训台账2024年 2 行" in capsys.readouterr().out
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert _run(db_path, "export", "study_sessions", tmp_path / "全部.xlsx") == 0
    assert _run(db_path, "template", "study_sessions", tmp_path / "模板.xlsx") == 0
    assert "已生成学法培训台账模板" in capsys.readouterr().out
    assert (tmp_path / "全部.xlsx").stat().st_size > 0 and (tmp_path / "模板.xlsx").stat().st_size > 0


def test_full_id_export_is_audited(db_path, tmp_path, capsys):
    path = write_csv(
        tmp_path / "p.csv",
        [["姓名", "身份证号", "类别", "列管日期"], ["张三", "11010519491231002X", "社区矫正对象", "2024-01-01"]],
    )
    assert _run(db_path, "import", "key_persons", path) == 0
    assert _run(db_path, "export", "key_persons", tmp_path / "m.csv") == 0
    assert "11010519491231002X" not in (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert _run(db_path, "export", "key_persons", tmp_path / "f.csv", "--full-id") == 0
    assert "11010519491231002X" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    s = Store.open(db_path)
    assert [e["action"] for e in s.audit_entries()][:2] == ["reveal", "import"]
    s.close()


def test_real_process_exit_code_and_stderr(db_path, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEAD, ["2024-13-01", "党委会", "领导班子", "x", "", ""]], encoding="gbk")
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db_path), "import", "study_sessions", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 2
    assert "第2行 日期：“2024-13-01”不是有效日期" in proc.stderr and "Traceback" not in proc.stderr


def test_a_long_error_list_is_cut_with_a_count(db_path, tmp_path, capsys, monkeypatch):
    import app.cli.io_cmds as io_cmds

    monkeypatch.setattr(io_cmds, "MAX_LISTED", 3)
    rows = [HEAD] + [["2024-13-01", "党委会", "领导班子", "x", "", ""] for _ in range(10)]
    assert _run(db_path, "import", "study_sessions", write_csv(tmp_path / "a.csv", rows)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [f"第{n}行 日期：“2024-13-01”不是有效日期" for n in (2, 3, 4)]
    assert err[3:] == ["…还有 7 处错误未列出", "错误：10 行有问题（共 10 处），没有导入任何数据。请修改后重新导入。"]
    path = write_csv(tmp_path / "h.csv", [["日期", "主题", "主题"], ["2024-01-01", "x", "y"]])
    assert _run(db_path, "import", "study_sessions", path) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("错误：表头有问题（共 1 处）")
