"""``import``, ``export`` and ``template``: the command-line face of ``app.core.io``."""

from __future__ import annotations

import sys

from app.cli.common import open_store
from app.cli.errors import CliError
from app.core import catalog
from app.core.io import ReadError, export_ledger, import_file, write_template

MAX_LISTED = 1000  # error lines printed before "…还有 N 处"


def _ledger(args) -> catalog.Ledger:
    return catalog.get(args.ledger)


def cmd_import(args) -> int:
    lg = _ledger(args)
    store = open_store(args)
    try:
        try:
            result = import_file(store, lg.id, args.file, dry_run=args.dry_run)
        except ReadError as exc:
            raise CliError(str(exc), 2) from None
    finally:
        store.close()
    if result.errors:
        for err in result.errors[:MAX_LISTED]:
            print(err, file=sys.stderr)
        if result.error_total > MAX_LISTED:
            print(f"…还有 {result.error_total - MAX_LISTED} 处错误未列出", file=sys.stderr)
        what = f"{result.bad_rows} 行有问题" if result.bad_rows else "表头有问题"
        print(
            f"错误：{what}（共 {result.error_total} 处），没有导入任何数据。请修改后重新导入。",
            file=sys.stderr,
        )
        return 2
    if result.count == 0:
        raise CliError("文件中没有数据行，没有导入任何数据", 2)
    if args.dry_run:
        print(f"检查通过：{result.count} 行可以导入{lg.name}（未写入）。")
    else:
        print(f"已导入 {result.count} 行到{lg.name}。")
    return 0


def _with_store(args, work):
    """Run ``work(store)`` on the opened database, a file problem becoming one Chinese line."""
    store = open_store(args)
    try:
        return work(store)
    except ReadError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()


def cmd_export(args) -> int:
    lg = _ledger(args)
    n = _with_store(args, lambda store: export_ledger(store, lg.id, args.file, year=args.year, full_id=args.full_id))
    what = f"{args.year}年" if args.year else "全部"
    print(f"已导出{lg.name}{what} {n} 行到 {args.file}")
    return 0


def cmd_template(args) -> int:
    lg = _ledger(args)
    _with_store(args, lambda store: write_template(store, lg.id, args.file))
    print(f"已生成{lg.name}模板：{args.file}")
    return 0
