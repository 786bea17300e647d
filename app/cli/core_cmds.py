"""``ledgers`` and ``settings``."""

from __future__ import annotations

import json

from app.cli.common import open_store
from app.cli.errors import CliError
from app.core.ledgers import catalog

# settings the command line accepts, with their types
SETTABLE = {
    "province": str,
    "city": str,
    "county": str,
    "town": str,
    "office": str,
    "issuer": str,
    "phone": str,
    "villages": list,
    "backup_dir": str,
}
# kept by the program for itself (remembered import columns, the first-run flag): not
# listed by ``settings``, which shows what a clerk sets
INTERNAL_PREFIXES = ("import_mapping.",)
INTERNAL_KEYS = frozenset({"setup_done"})


def setting_line(key: str, value) -> str:
    """``key=value`` as a clerk reads it: text as is, a list joined by 、, anything else JSON."""
    if value is None:
        text = ""
    elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        text = "、".join(map(str, value))
    elif isinstance(value, str):
        text = value
    else:  # a dict, a number, true/false
        text = json.dumps(value, ensure_ascii=False)
    return f"{key}={text}"


def report_setting(key: str, value: str) -> str:
    """``report.font_scheme=windows``, ``report.recipient=丰都县人民政府`` and the per-year
    ``report.2024.date=2025-01-20``: checked, and returned as stored."""
    from app.core.report.fonts import SCHEME_NAMES
    from app.core.storage.settings import REPORT_SETTINGS

    name = key.split(".", 1)[1]
    if name not in REPORT_SETTINGS:
        return report_year_setting(key, value)
    value = value.strip()
    if name == "font_scheme" and value not in SCHEME_NAMES:
        raise CliError(
            f"report.font_scheme 只能是 {'、'.join(SCHEME_NAMES)}"
            "（auto：按本机已装字体；gb2312：公文标准字体；windows：Windows 自带字体）"
        )
    if name == "recipient":
        value = value.rstrip("：:").strip()  # the colon is the layout's
    return value


def report_year_setting(key: str, value: str) -> str:
    """``report.2024.date=2025-01-20`` and the like: checked, and returned as stored."""
    from app.core.ledgers.validation import parse_date
    from app.core.storage.settings import REPORT_YEAR_SETTINGS

    parts = key.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) != 4 or parts[2] not in REPORT_YEAR_SETTINGS:
        from app.core.storage.settings import REPORT_SETTINGS

        names = "、".join(
            [f"report.{n}（{label}）" for n, label in REPORT_SETTINGS.items()]
            + [f"report.年份.{n}（{label}）" for n, label in REPORT_YEAR_SETTINGS.items()]
        )
        raise CliError(f"没有设置项“{key}”，报告的设置项为：{names}")
    value = value.strip()
    if parts[2] == "date" and value:
        try:
            value = parse_date(value)
        except ValueError:
            raise CliError(f"成文日期应写成 2025-01-20，收到“{value}”") from None
    return value


def cmd_ledgers(args) -> int:
    data = catalog.describe()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for lg in data:
        print(f"{lg['name']}（{lg['id']}，{lg['group']}）")
        for f in lg["fields"]:
            mark = "*" if f["required"] else " "
            extra = f"：{'、'.join(f['choices'])}" if f.get("choices") else ""
            print(f"  {mark}{f['label']} [{f['type']}]{extra}")
    return 0


def cmd_settings(args) -> int:
    store = open_store(args)
    for pair in args.pairs:
        if "=" not in pair:
            raise CliError(f"设置项应写成 KEY=VALUE，收到“{pair}”")
        key, value = pair.split("=", 1)
        key = key.strip()
        if key.startswith("report."):
            store.set_setting(key, report_setting(key, value))
            continue
        if key not in SETTABLE:
            from app.core.storage.settings import REPORT_SETTINGS

            report_keys = [f"report.{n}" for n in REPORT_SETTINGS]
            known = "、".join(
                [*SETTABLE, *report_keys, "report.年份.basis_title", "report.年份.basis_no", "report.年份.date"]
            )
            raise CliError(f"没有设置项“{key}”，可设置：{known}")
        parsed = (
            [v for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
            if SETTABLE[key] is list
            else value.strip()
        )
        store.set_setting(key, parsed)
    for key, value in store.settings().items():
        if key not in INTERNAL_KEYS and not key.startswith(INTERNAL_PREFIXES):
            print(setting_line(key, value))
    return 0
