"""The database's shape: one table per ledger from the catalog, its indexes, and the
schema versions with their migrations.

Version 1: ledger tables, settings, audit.  Version 2: per-year report texts, and an audit
log that refuses edits.  Version 3: each row records the office that created it and the one
that last changed it (``created_office``, ``updated_office``: data packs, DESIGN.md section
5).  Version 4: the setting ``font_scheme`` is named ``report.font_scheme``, beside the
report's other settings.  Version 5: the fields the county's return forms ask for (矛盾纠纷
涉及人数/纠纷规模/防止事项, 重点人员 衔接情况/是否安置/是否帮教), empty on old rows.  Version 6: the
audit keeps personal values masked (the entries written before are masked once).  Version 7: each row may be
待补充 (``incomplete``: JSON {field key: the text the imported cell held}, NULL when
complete; DESIGN.md section 5).  Each migration step runs in the transaction that bumps
``user_version``; ``Store.migrate_from`` copies the file first.
"""

from __future__ import annotations

import sqlite3

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.privacy import mask_ids_in_text, masked_audit_text
from app.core.storage.common import quote

SCHEMA_VERSION = 7
APP_ID = 0x4C5A5442  # "LZTB": marks the file as ours (PRAGMA application_id)

_SQL_TYPES = {
    "date": "TEXT",
    "int": "INTEGER",
    "decimal": "REAL",
    "ref": "INTEGER",
}
META_COLUMNS = (
    "id", "uid", "created_at", "updated_at", "deleted_at", "created_office", "updated_office", "incomplete",
)  # fmt: skip
# 待补充: {field key: original cell text ("" when the sheet had no such column or cell)} as JSON
INCOMPLETE = "incomplete"
OFFICE_COLUMNS = ("created_office", "updated_office")


def column_sql(f: Field) -> str:
    sql_type = _SQL_TYPES.get(f.kind, "TEXT")
    if f.kind == "ref":
        return f'"{f.key}" {sql_type} REFERENCES "{f.ref}"(id)'
    return f'"{f.key}" {sql_type}'


def ledger_table_sql(lg: Ledger) -> str:
    cols = ",\n  ".join(column_sql(f) for f in lg.fields)
    return (
        f'CREATE TABLE IF NOT EXISTS "{lg.id}" (\n'
        "  id INTEGER PRIMARY KEY,\n  uid TEXT NOT NULL UNIQUE,\n"
        f"  {cols},\n"
        "  created_at TEXT NOT NULL,\n  updated_at TEXT NOT NULL,\n  deleted_at TEXT,\n"
        "  created_office TEXT,\n  updated_office TEXT,\n  incomplete TEXT\n)"
    )


AUDIT_TRIGGERS = {
    "audit_no_update": "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END",
    "audit_no_delete": "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, '操作日志不可删除'); END",
}


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS report_texts (year INTEGER NOT NULL, section TEXT NOT NULL,"
        " text TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (year, section))"
    )
    for sql in AUDIT_TRIGGERS.values():
        conn.execute(sql)


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """The offices of each row (unknown for rows written before: NULL, read as this PC's)."""
    _add_office_columns(conn)


def _add_office_columns(conn: sqlite3.Connection) -> None:
    for lg in catalog.LEDGERS:
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{lg.id}")')}
        if not existing:
            continue  # made later by ``ensure_ledger_tables``, with the columns
        for col in OFFICE_COLUMNS:
            if col not in existing:
                conn.execute(f'ALTER TABLE "{lg.id}" ADD COLUMN "{col}" TEXT')


def _add_incomplete_column(conn: sqlite3.Connection) -> None:
    """待补充 rows (an import keeps a row whose required field it could not read, and the
    cell's text): existing rows are all complete (NULL)."""
    for lg in catalog.LEDGERS:
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{lg.id}")')}
        if existing and INCOMPLETE not in existing:
            conn.execute(f'ALTER TABLE "{lg.id}" ADD COLUMN "{INCOMPLETE}" TEXT')


def _rename_font_scheme_setting(conn: sqlite3.Connection) -> None:
    """``font_scheme`` becomes ``report.font_scheme`` (whose default is now ``auto``): an
    office that chose a scheme keeps it."""
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) SELECT 'report.font_scheme', value FROM settings"
        " WHERE key = 'font_scheme'"
    )
    conn.execute("DELETE FROM settings WHERE key = 'font_scheme'")


def _add_return_form_columns(conn: sqlite3.Connection) -> None:
    """The catalog's fields a table lacks (the return forms' facts: optional, NULL on old rows,
    which stay valid)."""
    for lg in catalog.LEDGERS:
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{lg.id}")')}
        if not existing:
            continue  # made later by ``ensure_ledger_tables``, with the columns
        for f in lg.fields:
            if f.key not in existing:
                conn.execute(f'ALTER TABLE "{lg.id}" ADD COLUMN {column_sql(f)}')


_DIGITS15 = "*" + "[0-9]" * 15 + "*"  # GLOB: a run of 15 digits somewhere (an ID, maybe)


def _mask_personal_data_in_audit(conn: sqlite3.Connection) -> None:
    """The audit's entries written before version 6 with their personal values masked
    (个人信息保护法: a purged person's 身份证号 must not stay readable in the log).

    The audit refuses UPDATE by trigger: the triggers are dropped, the entries rewritten and
    the triggers made again, all in the migration's transaction (killed half way, nothing
    changed).  Only entries of a ledger with personal fields, or holding a run of 15 digits,
    are read."""
    personal = [lg.id for lg in catalog.LEDGERS if any(f.personal for f in lg.fields)]
    marks = ", ".join("?" * len(personal)) or "NULL"
    rows = conn.execute(
        f"SELECT id, ledger, old, new, note FROM audit WHERE ledger IN ({marks})"
        " OR old GLOB ? OR new GLOB ? OR note GLOB ?",
        (*personal, _DIGITS15, _DIGITS15, _DIGITS15),
    ).fetchall()
    changed = []
    for rid, ledger, old, new, note in rows:
        masked = (masked_audit_text(ledger, old), masked_audit_text(ledger, new), note and mask_ids_in_text(note))
        if masked != (old, new, note):
            changed.append((*masked, rid))
    if not changed:
        return
    for name in AUDIT_TRIGGERS:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    conn.executemany("UPDATE audit SET old = ?, new = ?, note = ? WHERE id = ?", changed)
    for sql in AUDIT_TRIGGERS.values():
        conn.execute(sql)


MIGRATIONS = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _rename_font_scheme_setting,
    4: _add_return_form_columns,
    5: _mask_personal_data_in_audit,
    6: _add_incomplete_column,
}

BASE_SCHEMA_V1 = (
    "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT,"
    " action TEXT NOT NULL, ledger TEXT, row_id INTEGER, row_uid TEXT, old TEXT, new TEXT,"
    " note TEXT)",
    "CREATE INDEX IF NOT EXISTS audit_at ON audit(at)",
    "CREATE INDEX IF NOT EXISTS audit_ledger_row ON audit(ledger, row_id)",
)


def ensure_ledger_tables(conn: sqlite3.Connection) -> None:
    """Create each ledger's table, add columns the catalog gained, and the indexes (in the
    caller's transaction)."""
    for lg in catalog.LEDGERS:
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{lg.id}")')}
        if not existing:
            conn.execute(ledger_table_sql(lg))
        else:
            for f in lg.fields:
                if f.key not in existing:
                    conn.execute(f'ALTER TABLE "{lg.id}" ADD COLUMN {column_sql(f)}')
        for f in lg.fields:
            if f.key == lg.date_field:  # the cover index leads with it
                conn.execute(f'DROP INDEX IF EXISTS "{lg.id}_{f.key}"')
            elif f.indexed:
                conn.execute(f'CREATE INDEX IF NOT EXISTS "{lg.id}_{f.key}" ON "{lg.id}"("{f.key}")')
        ensure_cover_index(conn, lg)
        ensure_deleted_index(conn, lg)
        # the 待补充 rows: a partial index, so counting them costs nothing for complete rows
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "{lg.id}_incomplete" ON "{lg.id}"(id) WHERE "{INCOMPLETE}" IS NOT NULL'
        )
    ensure_dispute_return_indexes(conn)


UNCLOSED_DISPUTES_INDEX = "disputes_unclosed"
CLOSED_DISPUTES_INDEX = "disputes_closed_registered"
# a dispute that no date closes: its 状态 is not a closed one, or it has no 结案日期 (the returns'
# 期末未结 of any day takes these, however old: a partial index keeps them few to read)
UNCLOSED_DISPUTE_SQL = "(IFNULL(status, '') NOT IN ({states}) OR IFNULL(closed_on, '') = '')".format(
    states=", ".join(f"'{s}'" for s in catalog.CLOSED_DISPUTE_STATES)
)


def ensure_dispute_return_indexes(conn: sqlite3.Connection) -> None:
    """The indexes the dispute returns read their rows through (``returns.DISPUTES_IN_PLAY``):
    ``disputes_unclosed``, the disputes no 结案日期 closes, by 登记日期 (a partial index); and
    ``disputes_closed_registered`` (结案日期, 登记日期), so the rows closed after the period's
    start are narrowed to those registered by its end without reading the table."""
    conn.execute(
        f'CREATE INDEX IF NOT EXISTS "{UNCLOSED_DISPUTES_INDEX}" ON disputes(registered_on)'
        f" WHERE {UNCLOSED_DISPUTE_SQL}"
    )
    conn.execute(f'CREATE INDEX IF NOT EXISTS "{CLOSED_DISPUTES_INDEX}" ON disputes(closed_on, registered_on)')


def ensure_deleted_index(conn: sqlite3.Connection, lg: Ledger) -> None:
    """The 回收站's rows: a partial index, so live rows (every imported one) cost nothing."""
    name = f"{lg.id}_deleted"
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()
    if row and "WHERE" in row[0]:
        return
    if row:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute(f'CREATE INDEX "{name}" ON "{lg.id}"(deleted_at) WHERE deleted_at IS NOT NULL')


def ensure_cover_index(conn: sqlite3.Connection, lg: Ledger) -> None:
    """``{ledger}_{date}_cover``: the year's rows with every column the figures filter or sum.

    A figure over one year then reads only that year's index entries and never the table,
    so its cost follows the year, not the size of the ledger.  Rebuilt when the catalog's
    columns change.
    """
    if not lg.date_field:
        return
    cols = [lg.date_field, "deleted_at"] + [
        f.key for f in lg.fields if f.key != lg.date_field and f.kind in ("choice", "int", "decimal", "date", "ref")
    ]
    name = cover_index_name(lg)
    have = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')]
    if have == cols:
        return
    if have:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute(f'CREATE INDEX "{name}" ON "{lg.id}"({", ".join(map(quote, cols))})')


def cover_index_name(lg: Ledger) -> str:
    return f"{lg.id}_{lg.date_field}_cover"
