"""``report --year Y --out FILE.docx [--charts DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import open_store
from app.cli.errors import CliError


def cmd_report(args) -> int:
    from app.core.report.build import STAGE_LABELS, build_report

    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise CliError("报告文件名应以 .docx 结尾")
    store = open_store(args)
    try:
        shown: set[str] = set()

        def progress(stage: str, fraction: float) -> None:
            if stage not in shown and stage != "done":
                shown.add(stage)
                print(f"{STAGE_LABELS.get(stage, stage)}……", file=sys.stderr, flush=True)

        try:
            path = build_report(store, args.year, out, charts_dir=args.charts, progress=progress)
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
