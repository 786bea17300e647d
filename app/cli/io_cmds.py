"""``import``, ``export`` and ``template``: the command-line face of ``app.core.io``."""

from __future__ import annotations

import sys

from app.cli.common import open_store
from app.cli.errors import CliError
from app.core.io.exporter import export_ledger
from app.core.io.importer import import_file
from app.core.io.mapping import Mapping, parse_column_specs, parse_fill_specs, parse_value_specs
from app.core.io.readers import ReadError
from app.core.io.template import write_template
from app.core.ledgers import catalog

MAX_LISTED = 1000  # error lines printed before "…还有 N 处"


def _ledger(args) -> catalog.Ledger:
    return catalog.get(args.ledger)


def _fill_check(store, lg: catalog.Ledger):
    """``check(key, value)`` for ``--fill``: the value must be one the field takes."""
    plan = dict((f.key, conv) for f, conv in store.validator(lg.id).plan)

    def check(key: str, value: str) -> None:
        plan[key](value)

    return check


def _mappings(store, lg: catalog.Ledger | None, args) -> dict[str, Mapping]:
    """``--map``, ``--map-value`` and ``--fill`` for the named ledger, or for every ledger
    that has the field when none is named."""
    if not args.map and not args.map_value and not args.fill:
        return {}
    out: dict[str, Mapping] = {}
    try:
        for one in [lg] if lg else catalog.LEDGERS:
            cols = parse_column_specs(one, args.map, strict=lg is not None)
            vals = parse_value_specs(
                one, args.map_value, lambda key, one=one: store.choices(one.id, key), lg is not None
            )
            fills = parse_fill_specs(one, args.fill, _fill_check(store, one), strict=lg is not None)
            if cols or vals or fills:
                out[one.id] = Mapping(cols, vals, fills)
    except ValueError as exc:
        raise CliError(str(exc), 2) from None
    if not out:
        raise CliError("--map / --map-value / --fill 中的字段不属于任何台账", 2)
    return out


def incomplete_lines(result) -> list[str]:
    """Per ledger: how many new rows come in 待补充, and which fields they lack."""
    by: dict[str, tuple[catalog.Ledger, int, dict[str, int]]] = {}
    for s in result.sheets:
        if not s.incomplete:
            continue
        lg, n, fields = by.get(s.ledger.id, (s.ledger, 0, {}))
        for key, k in s.incomplete_fields.items():
            if k > 0:
                fields[key] = fields.get(key, 0) + k
        by[s.ledger.id] = (lg, n + s.incomplete, fields)
    lines = []
    for lg, n, fields in by.values():
        lacking = "、".join(f"{lg.field(k).label} {c} 行" for k, c in fields.items())
        lines.append(f"{lg.name} {n} 行待补充（{lacking}）")
    return lines


def _by_ledger(result) -> str:
    counts: dict[str, int] = {}
    for s in result.sheets:
        counts[s.ledger.name] = counts.get(s.ledger.name, 0) + s.count
    if len(counts) == 1:
        return f"到{next(iter(counts))}"
    return "（" + "，".join(f"{name} {n} 行" for name, n in counts.items()) + "）"


def cmd_import(args) -> int:
    lg = _ledger(args) if args.ledger else None
    store = open_store(args)
    try:
        mappings = _mappings(store, lg, args)
        try:
            result = import_file(
                store, lg.id if lg else None, args.file, dry_run=args.dry_run, sheet=args.sheet,
                mappings=mappings, keep_duplicates=args.keep_duplicates, skip_bad=args.skip_bad,
                rejects=args.rejects,
            )  # fmt: skip
        except (ReadError, OSError) as exc:
            raise CliError(str(exc), 2) from None
    finally:
        store.close()
    if (lg is None or result.several) and result.sheets:
        print("导入计划（工作表 → 台账）：")
        for line in result.plan_lines():
            print(f"  {line}")
    for warning in result.warnings():
        print(f"注意：{warning}", file=sys.stderr)
    if any(s.skipped_columns for s in result.sheets):
        print("（可用 --map 原列名=字段 指明这些列，或 --map 原列名=不导入）", file=sys.stderr)
    if result.errors:
        for err in result.errors[:MAX_LISTED]:
            print(err, file=sys.stderr)
        if result.error_total > MAX_LISTED:
            print(f"…还有 {result.error_total - MAX_LISTED} 处错误未列出", file=sys.stderr)
    if result.errors and (result.fatal or not args.skip_bad):
        what = f"{result.bad_rows} 行有问题" if result.bad_rows and not result.fatal else "表头有问题"
        rest = ""
        if result.bad_rows and not result.fatal and result.valid_count:
            rest = f"（加 --skip-bad 可先导入其余 {result.valid_count} 行，有问题的行另存为一个表格）"
        print(
            f"错误：{what}（共 {result.error_total} 处），没有导入任何数据。请修改后重新导入{rest}。",
            file=sys.stderr,
        )
        return 2
    if result.bad_rows and args.skip_bad:
        if result.rejects_file is not None:
            print(f"{result.bad_rows} 行有问题，没有导入，已另存到 {result.rejects_file}（改正后可再导入）。")
        else:
            print(f"{result.bad_rows} 行有问题，将不导入（未写入）。")
    if not (result.count or result.duplicates or result.updated or result.unchanged or result.completed):
        if result.bad_rows:
            raise CliError("文件中没有可以导入的行，没有导入任何数据", 2)
        raise CliError("文件中没有数据行，没有导入任何数据", 2)
    if args.dry_run:
        print(f"检查通过：{result.count} 行可以导入{_by_ledger(result)}（未写入）。")
    else:
        print(f"已导入 {result.count} 行{_by_ledger(result)}。")
    lines = incomplete_lines(result)
    if lines:
        year = " --year 年份" if not args.dry_run else ""
        print("其中待补充（缺少必填项或取值认不出，已导入并保留原文）：" + "；".join(lines) + "。")
        if not args.dry_run:
            print(f"可在台账页筛选“待补充”逐条补全，或用 check{year} 查看。")
    if result.updated or result.unchanged:
        verb = "将修改" if args.dry_run else "已修改"
        print(f"按记录编号{verb} {result.updated} 条记录（{result.unchanged} 条没有变化）。")
    if result.completed:
        verb = "将补全" if args.dry_run else "已补全"
        print(f"{verb} {result.completed} 条此前导入的待补充记录（同一记录，这次读到了更多内容，没有重复导入）。")
    if result.duplicates:
        print(f"{result.duplicates} 条与已有记录完全相同，没有重复导入（要导入请加 --keep-duplicates）。")
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
