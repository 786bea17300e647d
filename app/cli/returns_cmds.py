"""``returns --period P --out FILE.xlsx [--name N]... [--for 单位] [--ytd] [--town T]``: the
returns of section 3b.

``--for`` writes the returns one office takes (司法局, 综治, 党政办: declared with each return);
``--ytd`` adds each return's 年度累计 columns.  ``--town`` is for a county database (planned);
a town's database holds one town, so the option only checks that it names this town and
fails otherwise.
"""

from __future__ import annotations

from pathlib import Path

from app.cli.common import open_store
from app.cli.errors import CliError
from app.cli.period_args import period_of


def cmd_returns(args) -> int:
    from app.core.returns.definitions import choose
    from app.core.returns.xlsx import export

    period = period_of(args)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise CliError("报表文件名应以 .xlsx 结尾", code=2)
    try:
        chosen = choose(args.name or None, args.recipient)
    except KeyError as exc:
        raise CliError(str(exc.args[0]), code=2) from None
    store = open_store(args)
    try:
        town = str(store.setting("town") or "")
        if args.town and args.town.strip() != town:
            raise CliError(f"本数据库是{town}的台账，没有“{args.town}”的数据", code=2)
        try:
            path = export(store, period, out, [r.key for r in chosen], ytd=args.ytd)
        except PermissionError as exc:
            raise CliError(f"无法写入 {out}：文件可能正在 Excel/WPS 中打开，请关闭后重试。") from exc
    finally:
        store.close()
    titles = "、".join(r.title for r in chosen)
    whom = f"报送{args.recipient.strip()}的" if args.recipient else ""
    print(f"已生成{town}{period.label}{whom}报表（{titles}）：{path}")
    return 0
