"""A pack's rows go through the validator of an import before they are merged.

A pack is a file from another PC: it may have been edited, or written by a broken program.
Every row the merge would write (a new one, or one taken over ours) must be a row our own
validator (``Store.validator``: types, options, bounds, required fields, cross-field rules)
accepts as it is; a row that is not is a conflict listed with its reason, audited, and not
written.

Set-based for speed (a pack may bring 200 000 rows): one SQL condition per ledger accepts the
rows that are certainly valid and already in their stored form (an ISO date that exists, an
option of the list, an integer within bounds, trimmed text...).  Only the rows it does not
accept, and the fields SQL cannot judge (身份证号 checksums, telephone numbers), go through
the validator in Python: there a row is refused with the validator's reasons, or, when the
validator accepts it in another spelling (2024/3/5, a value alias), its values are replaced
in the pack's image by the validator's, so what is written is what an import would write.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import EMPTY_MARKS
from app.core.storage.schema import INCOMPLETE
from app.core.storage.store import Store

# what ``str.strip()`` takes off (the validator strips text; every ``str.isspace`` character),
# trimmed in SQL the same way
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_NAME_SEPARATORS = "，,；;"  # ``validation._NAME_SPLIT`` besides 、 and spaces
_DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_TIME_GLOB = _DATE_GLOB + "T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]"  # ``store_util.now()``
# a row's own times: when it was made, last changed, deleted (None: it is not)
TIMES = {"created_at": ("创建时间", True), "updated_at": ("修改时间", True), "deleted_at": ("删除时间", False)}


def _lit(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _sql_char(ch: str) -> str:
    return f"char({ord(ch)})"


_TRIM = " || ".join(_sql_char(ch) for ch in _SPACES)
_NAME_GLOB = "'*[' || " + " || ".join(_sql_char(ch) for ch in _SPACES + _NAME_SEPARATORS) + " || ']*'"


def _text_ok(col: str) -> str:
    empty = ", ".join(_lit(v) for v in sorted(EMPTY_MARKS))
    return f"(typeof({col}) = 'text' AND {col} = trim({col}, {_TRIM}) AND {col} NOT IN ({empty}))"


def _bounds(f: Field, col: str) -> str:
    parts = []
    if f.min_value is not None:
        parts.append(f"{col} >= {_lit(f.min_value)}")
    high = f.max_value  # the catalog's upper bound (every int and decimal field declares one)
    if high is not None:
        parts.append(f"{col} <= {_lit(high)}")
    return "".join(f" AND {p}" for p in parts)


def field_ok(f: Field, col: str, choices: tuple[str, ...]) -> str:
    """SQL: ``col`` is certainly a valid, stored-form value of ``f`` (false is "not sure")."""
    if f.kind == "ref":  # a uid: ``merge._check_refs`` refuses a pack whose references lead nowhere
        ok = "1"
    elif f.kind == "date":
        ok = f"(typeof({col}) = 'text' AND {col} GLOB '{_DATE_GLOB}' AND {col} >= '0001' AND date({col}) = {col})"
    elif f.kind == "int":
        ok = f"(typeof({col}) = 'integer'{_bounds(f, col)})"
    elif f.kind == "decimal":
        ok = (
            f"(typeof({col}) IN ('integer', 'real') AND abs({col}) < 1e300 AND {col} = round({col}, 2)"
            f"{_bounds(f, col)})"
        )
    elif f.kind == "choice":
        ok = f"({col} IN ({', '.join(_lit(c) for c in choices)}))" if choices else "0"
    elif f.kind in ("text", "longtext"):
        ok = _text_ok(col)
    elif f.kind == "names":
        ok = (
            f"({_text_ok(col)} AND {col} NOT GLOB {_NAME_GLOB} AND instr({col}, '、、') = 0"
            f" AND substr({col}, 1, 1) <> '、' AND substr({col}, -1) <> '、')"
        )
    else:  # 身份证号, 联系电话: the validator's own checks, in Python
        ok = "0"
    if f.required:
        return f"({col} IS NOT NULL AND {ok})"
    return f"({col} IS NULL OR {ok})"


def rule_ok(lg: Ledger, rule, col) -> str:
    """SQL: the row certainly passes ``rule`` (``validation.RULES``)."""
    if rule.kind == "le":
        a, b = (col(k) for k in rule.fields)
        both = f"{a} IS NOT NULL AND {b} IS NOT NULL AND {a} > {b}"
        return f"NOT ({both}) AND NOT ({a} IS NOT NULL AND {b} IS NULL AND {a} > 0)"
    if rule.kind == "date_order":
        start, end = (col(k) for k in rule.fields)
        return f"NOT ({start} IS NOT NULL AND {end} IS NOT NULL AND {end} < {start})"
    if rule.kind == "required_when":
        target, trigger = (col(k) for k in rule.fields)
        return f"NOT ({trigger} IN ({', '.join(_lit(w) for w in rule.when)}) AND {target} IS NULL)"
    if rule.kind == "min_names":
        (key,) = rule.fields
        c, n = col(key), lg.field(key).min_count
        return f"({c} IS NULL OR length({c}) - length(replace({c}, '、', '')) + 1 >= {n})"
    return "0"


def row_ok_sql(store: Store, lg: Ledger, have: set[str], alias: str = "p") -> str:
    """SQL over the pack's row ``alias``: true for rows certainly valid as they are; never NULL."""

    def col(key: str) -> str:
        return f'{alias}."{key}"' if key in have else "NULL"

    parts = [field_ok(f, col(f.key), tuple(store.choices(lg.id, f.key)) if f.choices else ()) for f in lg.fields]
    parts += [f"({rule_ok(lg, rule, col)})" for rule in lg.rules]
    for key, (_label, required) in TIMES.items():
        ok = f"(typeof({col(key)}) = 'text' AND {col(key)} GLOB '{_TIME_GLOB}')"
        parts.append(ok if required else f"({col(key)} IS NULL OR {ok})")
    for key in ("created_office", "updated_office"):
        parts.append(f"({col(key)} IS NULL OR typeof({col(key)}) = 'text')")
    parts.append(f"({col(INCOMPLETE)} IS NULL)")  # a 待补充 row: its mark is judged in Python
    return "COALESCE((" + " AND ".join(parts) + "), 0)"


def _time_errors(times: dict[str, Any], offices: list[Any]) -> list[str]:
    """The row's own times and offices, as the validator would judge them."""
    errors = []
    for key, (label, required) in TIMES.items():
        value = times.get(key)
        if value is None:
            if required:
                errors.append(f"数据包中的{label}为空")
            continue
        try:
            dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            errors.append(f"数据包中的{label}“{value}”无效")
    if any(v is not None and not isinstance(v, str) for v in offices):
        errors.append("数据包中的科室名称无效")
    return errors


def _declared_missing(mark: Any) -> frozenset[str]:
    """The fields a pack row's 待补充 mark (``incomplete``: JSON {field: original text}) names."""
    if not isinstance(mark, str) or not mark:
        return frozenset()
    try:
        fields = json.loads(mark)
    except ValueError:
        return frozenset()
    return frozenset(fields) if isinstance(fields, dict) else frozenset()


def refuse_invalid(store: Store, lg: Ledger, m: str, have: set[str]) -> int:
    """Mark in ``m`` (``merge._classify``'s table) the rows to be written that the validator
    refuses: ``bad`` set, ``reason`` the validator's words, not taken; rewrite in the pack
    image the rows it accepts in another spelling.  Returns how many were refused."""
    conn = store.conn
    refused = _refuse_references_to_refused(conn, lg, m, have)
    keys = [f.key for f in lg.fields if f.key in have]
    meta = [k for k in (*TIMES, "created_office", "updated_office", INCOMPLETE) if k in have]
    cols = ", ".join(f'p."{k}"' for k in (*keys, *meta))
    suspects = conn.execute(
        f'SELECT p.rowid, {cols} FROM {m} m JOIN pk."{lg.id}" p ON p.uid = m.uid'
        f" WHERE (m.our_id IS NULL OR m.take) AND NOT m.bad AND NOT {row_ok_sql(store, lg, have)}"
    ).fetchall()
    if not suspects:
        return refused
    validator = store.validator(lg.id)
    refs = {f.key for f in lg.fields if f.kind == "ref"}
    bad: list[tuple[str, int]] = []
    fixed: list[list[Any]] = []
    for rowid, *values in suspects:
        raw = dict(zip(keys, values[: len(keys)], strict=True))
        own = dict(zip(meta, values[len(keys) :], strict=True))
        # a reference holds a uid, resolved by the merge: the validator sees "some row"
        given = {k: (0 if k in refs and v is not None else v) for k, v in raw.items()}
        clean, errors = validator.clean(given)
        lacking = _declared_missing(own.get(INCOMPLETE))
        # a 待补充 row travels as it is: a field its own mark names may be empty, nothing more
        errors = [e for e in errors if not (e.key in lacking and raw.get(e.key) is None)]
        problems = [str(e) for e in errors] + _time_errors(own, [own.get("created_office"), own.get("updated_office")])
        if own.get(INCOMPLETE) is not None and not lacking:
            problems.append("数据包中的待补充标记无效")
        if problems:
            bad.append((mask_ids_in_text("；".join(problems)), rowid))
            continue
        changed = [k for k in keys if k not in refs and (clean[k] != raw[k] or type(clean[k]) is not type(raw[k]))]
        if changed:
            fixed.append([*(clean[k] for k in changed), rowid, changed])
    for *values, rowid, changed in fixed:
        sets = ", ".join(f'"{k}" = ?' for k in changed)
        conn.execute(f'UPDATE pk."{lg.id}" SET {sets} WHERE rowid = ?', (*values, rowid))
    conn.executemany(
        f"UPDATE {m} SET bad = 1, take = 0, conflict = 0, reason = ?"
        f' WHERE uid = (SELECT uid FROM pk."{lg.id}" WHERE rowid = ?)',
        bad,
    )
    return refused + len(bad)


def _refuse_references_to_refused(conn, lg: Ledger, m: str, have: set[str]) -> int:
    """A row pointing at a new row of the pack that was refused (a 走访记录 of a 重点人员 whose
    row is invalid) is refused too: its reference would lead nowhere."""
    refused = 0
    for f in lg.fields:
        if f.kind != "ref" or f.key not in have:
            continue
        theirs = f"m_{f.ref}"
        if not conn.execute("SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = ?", (theirs,)).fetchone():
            continue
        cur = conn.execute(
            f"UPDATE {m} SET bad = 1, take = 0, conflict = 0, reason = ?"
            " WHERE NOT bad AND (our_id IS NULL OR take) AND uid IN ("
            f'  SELECT p.uid FROM pk."{lg.id}" p JOIN temp."{theirs}" r ON r.uid = p."{f.key}"'
            "  WHERE r.bad AND r.our_id IS NULL)",
            (f"{f.label}所指的{catalog.get(f.ref).name}记录数据无效",),
        )
        refused += cur.rowcount
    return refused
