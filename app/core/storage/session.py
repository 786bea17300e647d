"""The open connection and its transactions, shared by the store's parts.

``Store`` keeps its rows, settings and audit log in collaborators that all write through one
``Session``: when the file is swapped under the store (a password set or cleared) the store
gives the session its new connection, and every part writes to the new file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from app.core.storage import dbapi
from app.core.storage.common import StoreError
from app.core.storage.faults import fault_message


class Session:
    """One connection (replaceable) and IMMEDIATE transactions over it."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction; nested calls join the outer one."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (disk full, I/O error): only roll back
                # what is still open, so the original error is the one reported.
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except dbapi.Error:
                        pass
                raise
        except dbapi.OperationalError as exc:
            fault = fault_message(exc)  # disk full, read-only folder, lost share: say what to do
            if fault is None:
                raise
            raise StoreError(fault) from exc
