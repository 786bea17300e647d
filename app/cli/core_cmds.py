"""``ledgers`` and ``settings``."""

from __future__ import annotations

import json

from app.cli.common import open_store
from app.cli.errors import CliError
from app.core import catalog

# settings the command line accepts, with their types
SETTABLE = {
    "county": str,
    "town": str,
    "office": str,
    "issuer": str,
    "villages": list,
    "font_scheme": str,
    "backup_dir": str,
}
FONT_SCHEMES = ("gb2312", "windows")


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
        if key not in SETTABLE:
            raise CliError(f"没有设置项“{key}”，可设置：{'、'.join(SETTABLE)}")
        if key == "font_scheme" and value not in FONT_SCHEMES:
            raise CliError(f"font_scheme 只能是 {' 或 '.join(FONT_SCHEMES)}")
        parsed = (
            [v for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
            if SETTABLE[key] is list
            else value.strip()
        )
        store.set_setting(key, parsed)
    for key, value in store.settings().items():
        if isinstance(value, list):
            value = "、".join(map(str, value))
        print(f"{key}={value}")
    return 0
