"""The command line's own complaints (missing or wrong arguments) are one Chinese line."""

import pytest

from app.cli import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["import"], "错误：缺少参数：FILE"),
        (["figures", "--year", "x"], "错误：参数 --year 应为整数，收到“x”"),
        (["ledgers", "extra"], "错误：无法识别的参数：extra"),
        (["report", "--year", "2024"], "错误：缺少参数：--out"),
    ],
)
def test_argument_errors_are_chinese_with_exit_code_2(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "error:" not in err
    usage = err.splitlines()[0]
    assert usage.startswith("用法：") and usage.count("用法：") == 1, usage


def test_help_lists_every_command_and_how_the_window_opens(capsys):
    from app.__main__ import main as entry
    from app.cli import HANDLERS

    with pytest.raises(SystemExit) as exit_info:
        entry(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：")
    assert all(f"\n    {command} " in out for command in HANDLERS), out
    assert "不带命令时打开窗口" in out and "--check-window" in out


def test_the_command_line_loads_no_window_code(db_path):
    """The entry chooses the face: a command runs without importing ``app.ui`` or Qt."""
    import ast
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in (root / "app" / "cli").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "app.ui" or n.startswith(("app.ui.", "PySide6")) for n in names), path
    script = (
        "import sys; from app.__main__ import main; code = main(['--db', sys.argv[1], 'ledgers']);"
        " print(sorted(m for m in sys.modules if m.startswith(('app.ui', 'PySide6')))); sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", script, str(db_path)], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"
