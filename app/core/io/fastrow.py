"""The import hot path: one generated function that converts a row of cells.

``compile_row`` writes (and ``exec``s) a small function specialised to the file's columns:
it reads the present cells, converts each with ``Validator.clean``'s per-field logic and
returns the values in ``ledger.keys`` order, or raises ``RowInvalid`` at the first problem
(the caller then runs ``Validator.clean`` on the row for the exact reasons, so only the
conditions are repeated here; the property tests hold the two to the same answers).  Generating the
code removes a Python call per cell: text cells are stripped inline, and for kinds whose
values repeat (dates, choices, numbers, references, ID numbers) a per-column memo dict —
keyed by ``str``, ``float`` and date cells only, so ``True``/``1``/``1.0`` never share an
entry — answers most cells with one ``dict.get``.  The catalog's cross-field rules are
written in as conditions too.  The generated source uses only column positions and names
made here; no cell content ever becomes code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.validation import EMPTY_MARKS, RULES, is_blank

CACHED_KINDS = frozenset({"date", "int", "decimal", "choice", "ref", "idcard"})
TEXT_KINDS = frozenset({"text", "longtext"})
CACHE_LIMIT = 20_000  # distinct values memoised per column
# cell types that may key the memo: no two of them compare equal across types (unlike
# True == 1 == 1.0, and an int naming a referenced row id directly while 1.0 does not)
MEMO_KEY_TYPES = frozenset({str, float, dt.date, dt.datetime})


class RowInvalid(Exception):
    """A cell did not convert; the row needs ``Validator.clean`` for the reasons."""


def cell_converter(f: Field, conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``Validator.clean``'s logic for one field, raising ``RowInvalid`` on any problem."""
    required, min_value, max_value = f.required, f.min_value, f.max_value

    def convert(value: Any) -> Any:
        if value is None or (isinstance(value, str) and is_blank(value)):
            if required:
                raise RowInvalid
            return None
        try:
            v = conv(value)
        except ValueError:
            raise RowInvalid from None
        if v == "" or v is None:
            if required:
                raise RowInvalid
            return None
        if min_value is not None and v < min_value:
            raise RowInvalid
        if max_value is not None and v > max_value:
            raise RowInvalid
        return v

    return convert


def _memo(convert: Callable[[Any], Any], cache: dict[Any, Any]) -> Callable[[Any], Any]:
    def miss(value: Any) -> Any:
        v = convert(value)  # raises RowInvalid: failures are not memoised
        if value.__class__ in MEMO_KEY_TYPES and len(cache) < CACHE_LIMIT:
            cache[value] = v
        return v

    return miss


def _rule_lines(ledger: Ledger, var: dict[str, str], env: dict[str, Any]) -> list[str]:
    """``raise RowInvalid`` when a cross-field rule fails.  Only the predicate is written
    here; the reasons come from ``validation.RULES`` when the caller re-checks the row.  A
    rule kind not known here is called through ``RULES`` with a dict of the row."""
    lines: list[str] = []
    for n, rule in enumerate(ledger.rules):
        vals = [var.get(k, "None") for k in rule.fields]
        if rule.kind == "le":
            a, b = vals
            cond = f"({a} is not None and ({b} is None and {a} > 0 or {b} is not None and {a} > {b}))"
        elif rule.kind == "date_order":
            start, end = vals
            cond = f"({start} and {end} and {end} < {start})"
        elif rule.kind == "required_when":
            target, trigger = vals
            env[f"when{n}"] = frozenset(rule.when)
            cond = f"({trigger} in when{n} and {target} in (None, ''))"
        elif rule.kind == "min_names":
            (value,) = vals
            cond = f"({value} and len({value}.split('、')) < {ledger.field(rule.fields[0]).min_count})"
        else:
            env[f"rule{n}"], env[f"r{n}"], env["_ledger"] = RULES[rule.kind], rule, ledger
            row = "{" + ", ".join(f"{k!r}: {var.get(k, 'None')}" for k in ledger.keys) + "}"
            cond = f"(rule{n}(_ledger, r{n}, {row}) is not None)"
        lines += [f"    if {cond}:", "        raise RowInvalid"]
    return lines


def compile_row(
    ledger: Ledger, plan: dict[str, Callable[[Any], Any]], present: list[tuple[Field, int]]
) -> Callable[[list[Any]], list[Any]]:
    """A function ``cells -> values`` (in ``ledger.keys`` order) for a file whose columns
    are ``present`` (field, cell position); absent fields come out as None.  It raises
    ``RowInvalid`` when a cell or a cross-field rule fails."""
    env: dict[str, Any] = {
        "EMPTY_MARKS": EMPTY_MARKS,
        "RowInvalid": RowInvalid,
        "_MISS": object(),
        "_KEYS": MEMO_KEY_TYPES,
    }
    lines = ["def convert_row(cells):"]
    at = {f.key: i for f, i in present}
    out = []
    var: dict[str, str] = {}
    for n, f in enumerate(ledger.fields):
        if f.key not in at:
            out.append("None")
            continue
        x, v = f"x{n}", f"v{n}"
        out.append(v)
        var[f.key] = v
        lines.append(f"    {x} = cells[{at[f.key]}]")
        convert = cell_converter(f, plan[f.key])
        if f.kind in TEXT_KINDS:
            env[f"f{n}"] = convert
            blank = "raise RowInvalid" if f.required else f"{v} = None"
            lines += [
                f"    if {x}.__class__ is str:",
                f"        {v} = {x}.strip()",  # str.strip() also strips U+3000, as _text does
                f"        if {v} in EMPTY_MARKS:",
                f"            {blank}",
                "    else:",
                f"        {v} = f{n}({x})",
            ]
        elif f.kind in CACHED_KINDS:
            cache: dict[Any, Any] = {}
            env[f"m{n}"] = cache
            env[f"f{n}"] = _memo(convert, cache)
            lines += [
                f"    {v} = m{n}.get({x}, _MISS) if {x}.__class__ in _KEYS else _MISS",
                f"    if {v} is _MISS:",
                f"        {v} = f{n}({x})",
            ]
        else:
            env[f"f{n}"] = convert
            lines.append(f"    {v} = f{n}({x})")
    lines += _rule_lines(ledger, var, env)
    lines.append(f"    return [{', '.join(out)}]")
    exec("\n".join(lines), env)
    return env["convert_row"]
