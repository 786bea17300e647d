"""Costs a pack file can set (issue 19, item 4): its scrypt parameters are bounded to what
the program writes (n = 2^17 as the database key, 2^15 of earlier versions) and anything else
is refused before any key is derived; its body is decompressed a piece at a time, refused
beyond what the header's row counts allow."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.demo.generator import fill
from app.core.exchange import container
from app.core.exchange.container import MAGIC
from app.core.exchange.pack import make_pack
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
PW = "数据包密码2024"


@pytest.fixture
def pack(tmp_path) -> Path:
    s = Store.open(tmp_path / "src.db")
    fill(s, 2024)
    s.set_setting("office", "司法所")
    out = make_pack(s, tmp_path / "p.fzpack", ["key_persons", "visits"], password=PW).path
    s.close()
    return out


def _header(path: Path) -> dict:
    return container.read(path).header


def _rewrite_header(path: Path, change) -> Path:
    """The pack with its header changed and the checksum made to match (a crafted file)."""
    data = path.read_bytes()
    (size,) = struct.unpack_from(">I", data, len(MAGIC))
    start = len(MAGIC) + 4
    header = json.loads(data[start : start + size])
    change(header)
    raw = json.dumps(header, ensure_ascii=False).encode("utf-8")
    body = data[start + size : -32]
    out = MAGIC + struct.pack(">I", len(raw)) + raw + body
    crafted = path.with_name("crafted.fzpack")
    crafted.write_bytes(out + hashlib.sha256(out).digest())
    return crafted


def _merge(db: Path, pack: Path, capsys, password: str = PW) -> tuple[int, str]:
    code = main(["--db", str(db), "merge", str(pack), "--password", password, "--dry-run"])
    return code, capsys.readouterr().err


def test_packs_are_written_with_the_database_keys_cost(pack):
    kdf = _header(pack)["kdf"]
    assert (kdf["n"], kdf["r"], kdf["p"]) == (2**17, 8, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"n": 2**22},
        {"n": 2**16},
        {"n": 2**20},
        {"r": 64},
        {"p": 16},
        {"n": "131072"},
        {"p": True},
        {"salt": "00"},
        {"name": "argon2"},
    ],
    ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()),
)
def test_other_scrypt_parameters_are_refused_before_deriving(pack, tmp_path, monkeypatch, capsys, change):
    crafted = _rewrite_header(pack, lambda h: h["kdf"].update(change))

    def no_derivation(*args, **kwargs):
        raise AssertionError("a key was derived from parameters the pack chose")

    monkeypatch.setattr(container, "scrypt", no_derivation)
    code, err = _merge(tmp_path / "b.db", crafted, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "加密参数" in lines[0], err


def test_a_pack_asking_for_n_2_22_is_one_line_from_the_command(pack, tmp_path):
    crafted = _rewrite_header(pack, lambda h: h["kdf"].update(n=2**22))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(tmp_path / "b.db"), "merge", str(crafted), "--password", PW],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "加密参数" in done.stderr


def test_a_pack_of_an_earlier_version_still_merges(tmp_path, monkeypatch, capsys):
    s = Store.open(tmp_path / "src.db")
    fill(s, 2024)
    s.set_setting("office", "司法所")
    monkeypatch.setitem(container.SCRYPT, "n", 2**15)  # as earlier versions wrote
    old = make_pack(s, tmp_path / "old.fzpack", ["key_persons", "visits"], password=PW).path
    s.close()
    monkeypatch.undo()
    assert _header(old)["kdf"]["n"] == 2**15
    code, err = _merge(tmp_path / "b.db", old, capsys)
    assert code == 0, err


def _bomb(path: Path, rows: int, image_bytes: int) -> Path:
    header = {
        "created_at": "2024-12-31T00:00:00",
        "office": "司法所",
        "town": "",
        "county": "",
        "level": "town",
        "schema": SCHEMA_VERSION,
        "program": "0.1.0",
        "ledgers": {"disputes": rows},
    }
    container.write(path, header, b"SQLite format 3\x00" + bytes(image_bytes), None)
    return path


def test_a_body_far_bigger_than_its_row_counts_is_refused_while_decompressing(tmp_path, monkeypatch, capsys):
    bomb = _bomb(tmp_path / "bomb.fzpack", 1, 96 * 1024 * 1024)  # 96 MiB of zeros: ~100 KB of zlib
    assert bomb.stat().st_size < 1024 * 1024

    def whole(*args, **kwargs):
        raise AssertionError("decompressed in one piece, with no limit")

    monkeypatch.setattr(container.zlib, "decompress", whole)
    code, err = _merge(tmp_path / "b.db", bomb, capsys, password="")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "记录数" in lines[0], err
    # the limit follows the header's counts: the same body is in bounds for a big enough pack
    box = container.read(_bomb(tmp_path / "fine.fzpack", 2000, 96 * 1024 * 1024))
    assert len(container.open_body(box, None)) == 16 + 96 * 1024 * 1024


@pytest.mark.parametrize("counts", [{"disputes": -1}, {"disputes": "9"}, {"disputes": 10**9}, []])
def test_row_counts_that_make_no_sense_are_refused(pack, tmp_path, capsys, counts):
    crafted = _rewrite_header(pack, lambda h: h.update(ledgers=counts))
    with pytest.raises(container.PackError):
        container.open_body(container.read(crafted), PW)
