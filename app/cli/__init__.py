"""The command line of DESIGN.md section 5: a thin face over ``app.core``.

The parser is the stable contract; each group of commands lives in its own module, and every
failure becomes one Chinese line and a non-zero exit (``--debug`` shows the traceback).
The window is not the command line's business: ``app.__main__`` (the program's entry) adds
the window's options to this parser and opens the window when no command is given.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import traceback
from collections.abc import Callable

from app.cli.errors import CliError

# command -> (module in app.cli, function)
HANDLERS = {
    "ledgers": ("core_cmds", "cmd_ledgers"),
    "settings": ("core_cmds", "cmd_settings"),
    "import": ("io_cmds", "cmd_import"),
    "export": ("io_cmds", "cmd_export"),
    "template": ("io_cmds", "cmd_template"),
    "demo": ("figure_cmds", "cmd_demo"),
    "figures": ("figure_cmds", "cmd_figures"),
    "returns": ("returns_cmds", "cmd_returns"),
    "check": ("check_cmds", "cmd_check"),
    "report": ("report_cmds", "cmd_report"),
    "paragraph": ("report_cmds", "cmd_paragraph"),
    "backup": ("safety_cmds", "cmd_backup"),
    "restore": ("safety_cmds", "cmd_restore"),
    "pack": ("pack_cmds", "cmd_pack"),
    "merge": ("pack_cmds", "cmd_merge"),
    "password": ("safety_cmds", "cmd_password"),
}


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse passes prefix="" when it builds a subcommand's prog: keep that empty
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


# argparse's own complaints, in Chinese
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), "参数 {0} 应为整数，收到“{1}”"),
    (re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.+)\)"), "参数 {0} 不能是“{1}”，可选：{2}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
)


def translate_argparse(message: str) -> str:
    for pattern, text in _ARGPARSE_MESSAGES:
        m = pattern.fullmatch(message)
        if m:
            return text.format(*m.groups())
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{translate_argparse(message)}（用 -h 查看帮助）\n")


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(
        prog="fazhi-cli" if getattr(sys, "frozen", False) else "python -m app",  # the installed program
        description="法治台账：乡镇法治工作台账与年度法治政府建设情况报告。不带命令时打开窗口。",
        formatter_class=ChineseHelpFormatter,
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    p.add_argument("--db", metavar="PATH", help="数据库文件（默认在用户数据文件夹中）")
    p.add_argument("--debug", action="store_true", help="出错时显示详细的错误信息")
    p._optionals.title = "选项"
    sub = p.add_subparsers(dest="command", metavar="命令", title="命令")

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(
            name, help=help_text, description=help_text, add_help=False, formatter_class=ChineseHelpFormatter
        )
        sp.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
        sp._optionals.title = "选项"
        sp._positionals.title = "参数"
        return sp

    sp = cmd("ledgers", "列出所有台账及其字段")
    sp.add_argument("--json", action="store_true", help="以 JSON 输出")

    sp = cmd("settings", "查看或修改设置，如 county=丰都县 town=武平镇 office=司法所 issuer=…")
    sp.add_argument("pairs", nargs="*", metavar="KEY=VALUE", help="要修改的设置项")

    sp = cmd("import", "从 .xlsx/.xls/.ods/.csv 导入台账（全部成功才写入；--skip-bad 先导入能读的行）")
    sp.add_argument("ledger", nargs="?", metavar="LEDGER", help="台账 id 或台账名称（不写时按各工作表的表头识别）")
    sp.add_argument("file", metavar="FILE", help="要导入的文件")
    sp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    sp.add_argument("--sheet", metavar="NAME", help="只导入这个工作表")
    sp.add_argument("--map", action="append", default=[], metavar="列=字段", help="指明某列是哪个字段（或“不导入”）")
    sp.add_argument("--map-value", action="append", default=[], metavar="字段=原值:选项", help="指明某个值对应的选项")
    sp.add_argument("--keep-duplicates", action="store_true", help="与已有记录完全相同的行也导入")
    sp.add_argument("--fill", action="append", default=[], metavar="字段=值", help="表格缺少的列：每行都填这个值")
    sp.add_argument("--skip-bad", action="store_true", help="有问题的行不导入，其余照常导入")
    sp.add_argument("--rejects", metavar="OUT.xlsx", help="有问题的行另存到这里（默认：原文件旁的“…（未导入）.xlsx”）")

    sp = cmd("export", "导出台账到 .xlsx 或 .csv")
    sp.add_argument("ledger", metavar="LEDGER", help="台账 id 或台账名称")
    sp.add_argument("file", metavar="FILE", help="导出到的文件")
    sp.add_argument("--year", type=int, help="只导出某一年")
    sp.add_argument("--full-id", action="store_true", help="导出完整身份证号（默认打码）")

    sp = cmd("template", "生成带表头和下拉选项的空白 .xlsx 模板")
    sp.add_argument("ledger", metavar="LEDGER", help="台账 id 或台账名称")
    sp.add_argument("file", metavar="FILE", help="模板文件")

    sp = cmd("demo", "填入演示数据（重现参考报告中的各项数字）")
    sp.add_argument("--year", type=int, default=2024, help="演示数据的年份（默认 2024）")

    from app.cli.period_args import add_period_options

    sp = cmd("figures", "计算某年（或某月、某季度、任意时段）的各项统计数字")
    add_period_options(sp, year=True)
    sp.add_argument("--json", action="store_true", help="以 JSON 输出")
    sp.add_argument("--town", metavar="T", help="乡镇（本数据库只有一个乡镇时只作核对）")

    sp = cmd("returns", "生成某月、某季度或某时段的统计报表（.xlsx，每张报表一个工作表）")
    add_period_options(sp)
    sp.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
    sp.add_argument("--name", action="append", metavar="N", help="只生成这张报表（可多次使用；默认全部）")
    sp.add_argument(
        "--for", dest="recipient", metavar="单位", help="只生成报送这个单位的报表：司法局、综治或党政办（默认全部）"
    )
    sp.add_argument("--ytd", action="store_true", help="每张报表加上年度累计（1月1日至统计时段末）各栏")
    sp.add_argument("--town", metavar="T", help="乡镇（本数据库只有一个乡镇时只作核对）")

    sp = cmd("check", "列出会影响报告的数据质量问题")
    sp.add_argument("--year", type=int, required=True, help="年份")

    sp = cmd("report", "生成年度法治政府建设情况报告（.docx）")
    sp.add_argument("--year", type=int, required=True, help="年份")
    sp.add_argument("--out", required=True, metavar="FILE.docx", help="输出文件")
    sp.add_argument("--charts", metavar="DIR", help="同时把图表保存为 PNG 到此文件夹")
    sp.add_argument("--no-charts", action="store_true", help="不附图表（报告中没有图片，也没有附件）")

    sp = cmd("paragraph", "查看或改写年度报告一、二部分的段落（数字写作〔study.sessions〕等）")
    sp.add_argument("--year", type=int, required=True, help="年份（改写从这一年起沿用）")
    sp.add_argument("id", nargs="?", metavar="ID", help="段落编号，或 fact.名称 的本单位情况（不写则列出全部段落）")
    how = sp.add_mutually_exclusive_group()
    how.add_argument("--set", metavar="TEXT", help="新的段落文字")
    how.add_argument("--file", metavar="FILE", help="从 UTF-8 文本文件读入新的段落文字")
    how.add_argument("--reset", action="store_true", help="这一年恢复默认文字")

    sp = cmd("backup", "备份数据库")
    sp.add_argument("--to", metavar="FILE", help="备份到此文件（默认在备份文件夹中）")

    sp = cmd("restore", "从备份恢复数据库（先自动备份当前数据）")
    sp.add_argument("file", metavar="FILE", help="备份文件")

    sp = cmd("pack", "生成数据包，把台账带到本镇其他科室的电脑上合并")
    sp.add_argument("--out", required=True, metavar="FILE", help="数据包文件")
    sp.add_argument("--ledgers", metavar="ID,ID...", help="只打包这些台账（id 或台账名称，逗号分隔；默认全部）")
    sp.add_argument("--password", metavar="PW", help="数据包密码（含个人信息的台账时必须设置）")
    sp.add_argument("--no-password", action="store_true", help="明确选择不加密")

    sp = cmd("merge", "合并其他科室的数据包（按记录编号合并，全部成功才写入）")
    sp.add_argument("file", metavar="FILE", help="数据包文件")
    sp.add_argument("--dry-run", action="store_true", help="只显示将新增、更新、删除多少条和冲突，不写入")
    sp.add_argument("--password", metavar="PW", help="数据包密码")
    sp.add_argument("--allow-other-town", action="store_true", help="允许合并其他乡镇的数据包")

    sp = cmd("password", "设置或清除数据库密码（设了密码，数据库和备份加密保存）")
    sp.add_argument("action", choices=["set", "clear"], metavar="set|clear", help="set 设置或修改，clear 清除")
    return p


def main(
    argv: list[str] | None = None,
    *,
    parser: argparse.ArgumentParser | None = None,
    without_command: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Run one command: its failures are one Chinese line and a non-zero exit.

    ``parser``: the entry's (this one with the window's options added); ``without_command``:
    what runs when no command is given (the entry opens the window), under the same guard.
    Without it, no command shows the help."""
    args = (parser or build_parser()).parse_args(argv)
    try:
        if args.command is None:
            if without_command is None:
                (parser or build_parser()).print_help()
                return 0
            return without_command(args)
        module_name, func_name = HANDLERS[args.command]
        module = importlib.import_module(f"app.cli.{module_name}")
        return int(getattr(module, func_name)(args) or 0)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception as exc:
        from app.core.ledgers.privacy import mask_ids_in_text  # an error line never shows a whole ID

        if args.debug:
            print(mask_ids_in_text(traceback.format_exc()), file=sys.stderr, end="")
        if not isinstance(exc, CliError):
            _log_error(exc, args.command)
        print(f"错误：{mask_ids_in_text(describe_error(exc))}", file=sys.stderr)
        if isinstance(exc, CliError):
            return exc.code
        from app.core.paths import UnsafeOutputPath
        from app.core.storage.dbapi import KeyFileMissing, PasswordRequired

        return 2 if isinstance(exc, (PasswordRequired, KeyFileMissing, UnsafeOutputPath)) else 1
    finally:
        if "app.cli.common" in sys.modules:  # a writing command's lock ends with it
            sys.modules["app.cli.common"].release_locks()


def _log_error(exc: BaseException, command: str | None) -> None:
    """A failure's traceback in ``logs/app.log`` for the technician (masked, best effort)."""
    try:
        import logging

        from app.core.ledgers.privacy import log_to_file
        from app.core.paths import logs_dir

        if log_to_file(logs_dir() / "app.log") is not None:
            logging.getLogger("app.cli").error("命令 %s 出错：%s", command, exc, exc_info=exc)
    except Exception:
        pass


def describe_error(exc: BaseException) -> str:
    from app.core.error_text import describe_error as describe

    return describe(exc, hint="（加 --debug 查看详情）")
