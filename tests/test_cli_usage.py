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
