"""``report --year Y --out FILE.docx [--charts DIR]``; ``paragraph --year Y [ID] [--set T | --file F | --reset]``."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import open_store
from app.cli.errors import CliError


def cmd_report(args) -> int:
    from app.core.report.build import STAGE_LABELS, ReportRefused, build_report

    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise CliError("报告文件名应以 .docx 结尾")
    if args.no_charts and args.charts:
        raise CliError("--no-charts 与 --charts 不能同时使用")
    store = open_store(args)
    try:
        shown: set[str] = set()

        def progress(stage: str, fraction: float) -> None:
            if stage not in shown and stage != "done":
                shown.add(stage)
                print(f"{STAGE_LABELS.get(stage, stage)}……", file=sys.stderr, flush=True)

        try:
            path = build_report(
                store, args.year, out, charts_dir=args.charts, progress=progress, with_charts=not args.no_charts
            )
        except ReportRefused as exc:
            raise CliError(str(exc)) from exc
        except PermissionError as exc:
            raise CliError(f"无法写入 {out}：文件可能正在 Word/WPS 中打开，请关闭后重试。") from exc
        print(f"已生成 {args.year} 年报告：{path}")
        if args.charts:
            print(f"图表已保存到：{Path(args.charts)}")
        _hint_checks(store, args.year)
    finally:
        store.close()
    return 0


def _hint_checks(store, year: int) -> None:
    """Point at data-quality findings: the report may be wrong or weak because of them."""
    try:
        from app.core import checks
    except ImportError:
        return
    findings = checks.run(store, year)
    if findings:
        print(f"提示：有 {len(findings)} 项数据质量问题可能影响报告，可运行 check --year {year} 查看。")


def cmd_paragraph(args) -> int:
    """List the paragraphs (id, whose wording, the text with its tokens) or reword/reset one."""
    from app.core.report import paragraphs

    store = open_store(args)
    try:
        ids = paragraphs.ids()
        if args.id is None:
            for para_id in ids:
                _print_paragraph(store, args.year, para_id)
            for fact in paragraphs.fact_ids():
                _print_fact(store, args.year, fact)
            return 0
        if args.id in paragraphs.fact_ids():
            return _edit_fact(store, args)
        if args.id not in ids:
            raise CliError(f"没有段落“{args.id}”，可用：{'、'.join(ids + paragraphs.fact_ids())}")
        text = args.set
        if args.file:
            try:
                text = Path(args.file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CliError(f"无法读取 {args.file}：{exc}") from exc
        try:
            if args.reset:
                paragraphs.reset(store, args.year, args.id)
            elif text is not None:
                paragraphs.save(store, args.year, args.id, text)
        except ValueError as exc:
            raise CliError(f"没有保存：{exc}") from exc
        _print_paragraph(store, args.year, args.id)
    finally:
        store.close()
    return 0


def _print_paragraph(store, year: int, para_id: str) -> None:
    from app.core.report import paragraphs

    own = paragraphs.own_text(store, year, para_id)
    whose = "默认文字" if own is None else f"本单位{own[1]}年的改写"
    print(f"[{para_id}] {paragraphs.label(para_id)}（{whose}）")
    print(own[0] if own else paragraphs.defaults()[para_id])
    print()


def _read_text(args) -> str | None:
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"无法读取 {args.file}：{exc}") from exc
    return args.set


def _edit_fact(store, args) -> int:
    """``paragraph --year Y fact.NAME --set T | --file F | --reset``: the office's own words."""
    from app.core.report import paragraphs

    name = args.id[len(paragraphs.FACT_SECTION) :]
    text = "" if args.reset else _read_text(args)
    if text is not None:
        try:
            paragraphs.save_fact(store, args.year, name, text)
        except ValueError as exc:
            raise CliError(f"没有保存：{exc}") from exc
    _print_fact(store, args.year, args.id)
    return 0


def _print_fact(store, year: int, section: str) -> None:
    from app.core.report import paragraphs, tokens

    name = section[len(paragraphs.FACT_SECTION) :]
    own = paragraphs.own_text(store, year, section)
    whose = "未填写，报告中不写" if own is None else f"本单位{own[1]}年填写"
    print(f"[{section}] 本单位情况：{tokens.FACTS[name]}（{whose}）")
    if own:
        print(own[0])
    else:
        print(f"例：{paragraphs.fact_examples().get(name, '')}")
    print()
