"""Mappings a clerk gives for one ledger's spreadsheets, and remembering them.

``--map 原列名=字段`` (or a choice in the window) says which field an unrecognised column is,
or 不导入; ``--map-value 字段=原值:选项`` which option an unrecognised value stands for;
``--fill 字段=值`` one value for every row of a column the sheet lacks.  A mapping used in a
successful import is kept in the settings table (``import_mapping.<ledger id>``, JSON), so
next year's file of the same shape imports untouched; values the clerk confirms in the window
are kept at once (``remember``), even if the import is then cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.io.headers import column_names
from app.core.ledgers.catalog import Field, Ledger
from app.core.storage.store import Store

from .headers import norm_label

SETTING_PREFIX = "import_mapping."
NOT_IMPORTED = ("不导入", "-", "忽略")  # what ``--map 列=不导入`` may say


@dataclass
class Mapping:
    """One ledger's mapping: column text -> field key (``None``: 不导入), per field key
    {value as written: option}, and per field key the value for every row of a sheet that
    has no such column (``fills``; an empty value stops a remembered fill)."""

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    fills: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns) or any(self.values.values()) or bool(self.fills)

    def merged(self, other: Mapping | None) -> Mapping:
        """This mapping with ``other``'s entries on top."""
        if other is None:
            return Mapping(dict(self.columns), {k: dict(v) for k, v in self.values.items()}, dict(self.fills))
        values = {k: dict(v) for k, v in self.values.items()}
        for key, pairs in other.values.items():
            values.setdefault(key, {}).update(pairs)
        fills = {k: v for k, v in {**self.fills, **other.fills}.items() if v}
        return Mapping({**self.columns, **other.columns}, values, fills)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items() if v},
        }
        if self.fills:
            out["fills"] = dict(self.fills)
        return out

    @classmethod
    def from_json(cls, data: Any) -> Mapping:
        if not isinstance(data, dict):
            return cls()
        cols = data.get("columns") or {}
        vals = data.get("values") or {}
        fills = data.get("fills") or {}
        return cls(
            {str(k): (None if v is None else str(v)) for k, v in cols.items()},
            {str(k): {str(a): str(b) for a, b in v.items()} for k, v in vals.items() if isinstance(v, dict)},
            {str(k): str(v) for k, v in fills.items() if v} if isinstance(fills, dict) else {},
        )


def remembered(store: Store, ledger_id: str) -> Mapping:
    """The mapping kept from earlier imports into the ledger."""
    return Mapping.from_json(store.setting(SETTING_PREFIX + ledger_id))


def remember(store: Store, ledger_id: str, used: Mapping) -> None:
    """Keep ``used`` (on top of what was kept) for the next import; no write if nothing new.
    A fill given empty forgets the remembered one."""
    if not used:
        return
    old = remembered(store, ledger_id)
    new = old.merged(used)
    for key, value in used.fills.items():
        if not value:
            new.fills.pop(key, None)
    if new.to_json() != old.to_json():
        store.set_setting(SETTING_PREFIX + ledger_id, new.to_json())


def parse_fill_specs(
    ledger: Ledger, specs: Iterable[str], check: Callable[[str, str], str] | None = None, strict: bool = True
) -> dict[str, str]:
    """``字段=值`` (字段 by label, key or alias): that value for every row of a sheet without
    the column.  ``check(key, value)`` raises ``ValueError`` when the field cannot take it."""
    out: dict[str, str] = {}
    for spec in specs:
        name, value = _split(spec, "=", "字段=值")
        f = find_field(ledger, name)
        if f is None:
            if strict:
                raise ValueError(f"{ledger.name}没有字段“{name}”。字段有：" + "、".join(x.label for x in ledger.fields))
            continue
        if check is not None:
            try:
                check(f.key, value)
            except ValueError as exc:
                raise ValueError(f"--fill {f.label}={value}：{exc}") from None
        out[f.key] = value
    return out


def find_field(ledger: Ledger, name: str) -> Field | None:
    """A field by its key, label or alias (as a header cell would name it)."""
    key = column_names(ledger).get(norm_label(name))
    return ledger.field(key) if key else None


def _split(spec: str, sep: str, what: str) -> tuple[str, str]:
    for s in (sep, {"=": "＝", ":": "："}[sep]):
        if s in spec:
            a, b = spec.rsplit(s, 1) if sep == ":" else spec.split(s, 1)
            if a.strip() and b.strip():
                return a.strip(), b.strip()
    raise ValueError(f"“{spec}”的写法不对，应写成 {what}")


def parse_column_specs(ledger: Ledger, specs: Iterable[str], strict: bool = True) -> dict[str, str | None]:
    """``原列名=字段`` (字段 by label, key or alias; 不导入 to drop the column).  A field the
    ledger lacks is a ``ValueError`` when ``strict``, else left out (for other ledgers)."""
    out: dict[str, str | None] = {}
    for spec in specs:
        column, target = _split(spec, "=", "原列名=字段")
        if target in NOT_IMPORTED:
            out[column] = None
            continue
        f = find_field(ledger, target)
        if f is None:
            if strict:
                raise ValueError(
                    f"{ledger.name}没有字段“{target}”。字段有：" + "、".join(x.label for x in ledger.fields)
                )
            continue
        out[column] = f.key
    return out


def parse_value_specs(
    ledger: Ledger,
    specs: Iterable[str],
    choices: Callable[[str], tuple[str, ...]],
    strict: bool = True,
) -> dict[str, dict[str, str]]:
    """``字段=原值:选项``: the option must be one of the field's (``choices(key)``)."""
    out: dict[str, dict[str, str]] = {}
    for spec in specs:
        name, rest = _split(spec, "=", "字段=原值:选项")
        written, option = _split(rest, ":", "字段=原值:选项")
        f = find_field(ledger, name)
        if f is None or f.kind != "choice":
            if strict:
                raise ValueError(f"{ledger.name}没有可选值字段“{name}”")
            continue
        allowed = choices(f.key)
        if option not in allowed:
            raise ValueError(f"“{option}”不是{f.label}的可选值，可选：" + "、".join(allowed))
        out.setdefault(f.key, {})[written] = option
    return out
