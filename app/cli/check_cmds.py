"""``check``: data-quality findings before a report.  Findings are not failures: exit 0."""

from __future__ import annotations

from app.cli.common import open_store
from app.core import checks
from app.core.ledgers import catalog

SEVERITY = {"error": "错误", "warning": "提醒"}


def cmd_check(args) -> int:
    store = open_store(args)
    try:
        found = checks.run(store, args.year)
    finally:
        store.close()
    if not found:
        print(f"{args.year}年数据检查：未发现问题。")
        return 0
    errors = sum(f.severity == "error" for f in found)
    print(f"{args.year}年数据检查：发现 {len(found)} 类问题（错误 {errors} 类，提醒 {len(found) - errors} 类）。")
    for f in found:
        where = [catalog.get(f.ledger).name] if f.ledger else []
        where += [f"{f.count} 条"] if f.count else []
        print(f"\n[{SEVERITY[f.severity]}] {f.title}" + (f"（{'，'.join(where)}）" if where else ""))
        for line in f.detail.splitlines():
            print(f"  {line}")
    return 0
