"""Small pieces the store's modules share: the error type, timestamps, uids, file URIs."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.core.ledgers.catalog import Ledger


class StoreError(Exception):
    """A store problem with a message a clerk can act on."""


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def next_stamp(previous: str | None) -> str:
    """``updated_at`` for a write: now, but at least a second after the row's previous time,
    so a row's time never runs backwards on one PC (office PCs' clocks drift, and a merged
    row may carry another PC's later clock)."""
    stamp = now()
    if not previous or previous < stamp:
        return stamp
    try:
        after = dt.datetime.fromisoformat(previous) + dt.timedelta(seconds=1)
    except ValueError:
        return stamp
    return after.isoformat(timespec="seconds")


def year_bounds(year: int) -> tuple[str, str]:
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def uuid7_strings() -> Iterator[str]:
    """UUIDs (RFC 9562 version 7, "monotonic random") for one batch of inserts.

    A 48-bit millisecond timestamp, 42 random bits, and a counter that starts at a random
    31-bit value: unique across PCs and batches like uuid4, but ascending within a batch, so
    the ``uid`` index is appended to instead of written at random places (and formatting is
    ~10x cheaper than ``str(uuid.uuid4())``).
    """
    ms = int(dt.datetime.now().timestamp() * 1000) & (2**48 - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand & 0xFFF
    rand_b_hi = (rand >> 12) & (2**30 - 1)  # the top 30 of rand_b's 62 bits; the counter is the rest
    counter = (rand >> 42) & (2**31 - 1)
    high = (0b10 << 30) | rand_b_hi  # variant bits + 30 random bits = 8 hex digits
    t = f"{ms:012x}"
    h = f"{high:08x}"
    prefix = f"{t[:8]}-{t[8:]}-7{rand_a:03x}-{h[:4]}-{h[4:]}"
    while True:
        yield f"{prefix}{counter:08x}"
        counter += 1


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier (a ledger's column)."""
    return f'"{name}"'


def plain_values(lg: Ledger, values: dict[str, Any]) -> dict[str, Any]:
    """A row's field values for the audit log (``Store.audit`` masks the personal ones)."""
    return {k: values[k] for k in values if lg.has_field(k)}


def copy_file(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)
