"""The pack's SQLite image, attached to the store's connection as schema ``pk``.

Packing and merging run as SQL between the ledger tables and ``pk`` (set-based: joins by
uid, never a query per row).  ``pk`` is an in-memory database, attached unencrypted (``KEY
''``: an encrypted store's own key must not apply to it), so the pack's plain text never
touches the disk here.  Python's ``sqlite3`` moves the image in and out whole
(``serialize``/``deserialize``); a connection without them (SQLCipher's, for a database
with a password) has the rows copied through a plain in-memory connection instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

BATCH = 5000


@contextmanager
def attached(conn, payload: bytes | None = None) -> Iterator[None]:
    """``pk`` attached to ``conn`` for the block: empty, or holding the image ``payload``."""
    conn.execute("ATTACH DATABASE ':memory:' AS pk KEY ''")
    try:
        if payload is not None:
            _load(conn, payload)
        yield
    finally:
        conn.execute("DETACH DATABASE pk")


def image(conn) -> bytes:
    """The SQLite file of ``pk`` as bytes."""
    if _whole_images(conn):
        return conn.serialize(name="pk")
    plain = sqlite3.connect(":memory:")
    try:
        tables = conn.execute("SELECT name, sql FROM pk.sqlite_master WHERE type = 'table'").fetchall()
        for name, sql in tables:
            plain.execute(sql)
            cur = conn.execute(f'SELECT * FROM pk."{name}"')
            _copy(cur, plain, f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(cur.description))})')
        plain.commit()
        return plain.serialize()
    finally:
        plain.close()


def _load(conn, payload: bytes) -> None:
    if _whole_images(conn):
        conn.deserialize(payload, name="pk")
        return
    plain = sqlite3.connect(":memory:")
    try:
        plain.deserialize(payload)
        tables = plain.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        for name, sql in tables:
            conn.execute(sql.replace("CREATE TABLE ", "CREATE TABLE pk.", 1))
            cur = plain.execute(f'SELECT * FROM "{name}"')
            _copy(cur, conn, f'INSERT INTO pk."{name}" VALUES ({", ".join("?" * len(cur.description))})')
    finally:
        plain.close()


def _copy(cur, dest, sql: str) -> None:
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            return
        dest.executemany(sql, rows)


def _whole_images(conn) -> bool:
    """Python's own connection moves the image whole; SQLCipher's (a database with a
    password) has no ``serialize``/``deserialize``."""
    return isinstance(conn, sqlite3.Connection)
