"""The program's entry: it chooses the face, the window or the command line.

``python -m app``, the ``fazhi-taizhang`` script and both bundle executables start here.
The command line's parser reads the arguments, with the window's options added, so ``--help``
lists every command and how the window opens.  With no command the window opens; with one,
the command line runs it.  Only the face that is wanted is imported: a command never loads Qt.
"""

from __future__ import annotations

import argparse
import sys

from app import cli


def build_parser() -> argparse.ArgumentParser:
    parser = cli.build_parser()
    window = parser.add_argument_group("窗口（不带命令时打开）")
    window.add_argument(
        "--check-window",
        action="store_true",
        help="检查安装：打开窗口，逐一打开各页，显示“窗口已打开”后退出（有页面打不开时显示原因，退出码非零）",
    )
    return parser


def open_window(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui  # Qt only when the window is wanted

    return run_gui(args.db, check=args.check_window)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, parser=build_parser(), without_command=open_window)


if __name__ == "__main__":
    sys.exit(main())
