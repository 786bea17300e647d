"""The database's shape: one table per ledger from the catalog, its indexes, and the
schema versions with their migrations.

Version 1: ledger tables, settings, audit.  Version 2: per-year report texts, and an audit
log that refuses edits.  Version 3: each row records the office that created it and the one
that last changed it (``created_office``, ``updated_office``: data packs, DESIGN.md section
5).  Version 4: each row may be 待补充 (``incomplete``: JSON {field key: the text the imported cell
held}, NULL when complete; DESIGN.md section 5).  Each migration step runs in the transaction that bumps
``user_version``; ``Store.migrate_from`` copies the file first.
"""

from __future__ import annotations

import sqlite3

from . import catalog
from .catalog import Field, Ledger

SCHEMA_VERSION = 4
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


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS report_texts (year INTEGER NOT NULL, section TEXT NOT NULL,"
        " text TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (year, section))"
    )
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
        " BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END"
    )
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
        " BEGIN SELECT RAISE(ABORT, '操作日志不可删除'); END"
    )


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


MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _add_incomplete_column}

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
    conn.execute(f'CREATE INDEX "{name}" ON "{lg.id}"({", ".join(map(_q, cols))})')


def cover_index_name(lg: Ledger) -> str:
    return f"{lg.id}_{lg.date_field}_cover"


def _q(name: str) -> str:
    return f'"{name}"'
