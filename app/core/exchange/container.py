"""The data pack's file: a plain header, a body (compressed SQLite, encrypted or not), a checksum.

Layout (all of it, in this order)::

    MAGIC                 10 bytes  b"FZTB-PACK\\x00"
    header length          4 bytes  big-endian
    header                 UTF-8 JSON: format, created_at, office, town, county, schema,
                           program, ledgers {id: rows}, encrypted, and when encrypted the
                           scrypt salt and parameters and the AES-GCM nonce
    body                   zlib(SQLite file); when encrypted, AES-256-GCM of that with the
                           magic, length and header as associated data (so they cannot be
                           altered either) and the 16-byte tag at its end
    checksum              32 bytes  SHA-256 of everything before it

The checksum tells a damaged or truncated file (any change) from a wrong password (the
checksum holds but the tag does not); the header is readable without the password, so a pack
of another town or a newer program is refused before asking for one.  The header holds no
personal data: offices, town, counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.storage.kdf import scrypt
from app.core.storage.keys import too_short

MAGIC = b"FZTB-PACK\x00"
FORMAT = 1  # this file layout; a newer one is refused
# the database key's cost (keys.SCRYPT_N): 128 MiB and about half a second on an office PC
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
# what a pack may ask for: what this version writes, and 2^15 that earlier versions wrote.
# The header is read before it is authenticated, so anything else (n = 2^22 costs 25 s and
# gigabytes) is refused before any key is derived.
ACCEPTED_N = (2**17, 2**15)
# the body's SQLite image may be at most this big, from the rows the header counts: generous
# (a row of 64 KiB is a note of 20 000 汉字) yet bounded (a few MB of zlib can ask for GiB)
ROW_BYTES = 64 * 1024
IMAGE_OVERHEAD = 16 * 1024 * 1024
MAX_ROWS = 2_000_000
_CHUNK = 1024 * 1024
_LEN = struct.Struct(">I")
_SUM = 32
MAX_HEADER = 1 << 20


class PackError(Exception):
    """A pack refused: one Chinese line, nothing changed."""


class PasswordNeeded(PackError):
    """The pack is encrypted and no password was given."""


class WrongPassword(PackError):
    pass


@dataclass
class Container:
    header: dict[str, Any]
    body: bytes  # as stored (encrypted or not)
    prefix: bytes  # magic + length + header: the associated data

    @property
    def encrypted(self) -> bool:
        return bool(self.header.get("encrypted"))


def _key(password: str, salt: bytes, params: dict[str, int]) -> bytes:
    return scrypt(password, salt, params["n"], params["r"], params["p"], 32)


def write(path: Path, header: dict[str, Any], payload: bytes, password: str | None) -> None:
    """Write ``payload`` (the pack's SQLite bytes) under ``header``; encrypted with ``password``."""
    if password is not None:
        short = too_short(password, "数据包密码")
        if short:
            raise PackError(short)
    header = dict(header, format=FORMAT, encrypted=password is not None)
    compressed = zlib.compress(payload, 6)
    if password is not None:
        salt, nonce = os.urandom(16), os.urandom(12)
        header["kdf"] = {"name": "scrypt", "salt": salt.hex(), **SCRYPT}
        header["cipher"] = {"name": "AES-256-GCM", "nonce": nonce.hex()}
    raw = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + _LEN.pack(len(raw)) + raw
    if password is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = _key(password, salt, SCRYPT)
        body = AESGCM(key).encrypt(nonce, compressed, prefix)
    else:
        body = compressed
    data = prefix + body
    data += hashlib.sha256(data).digest()
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read(path: Path) -> Container:
    """Read and check the file (magic, checksum, header); the body stays as stored."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise PackError(f"找不到数据包文件：{path}") from None
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data[: len(MAGIC)]) and data:
            raise PackError("数据包已损坏或不完整（文件被截断），请重新生成或重新拷贝。")
        raise PackError(f"这不是数据包文件：{Path(path).name}（数据包由“数据交换”或 pack 命令生成）")
    if len(data) < len(MAGIC) + _LEN.size + _SUM or hashlib.sha256(data[:-_SUM]).digest() != data[-_SUM:]:
        raise PackError("数据包已损坏或不完整（校验和不符），请重新生成或重新拷贝。")
    (size,) = _LEN.unpack_from(data, len(MAGIC))
    start = len(MAGIC) + _LEN.size
    if size > MAX_HEADER or start + size > len(data) - _SUM:
        raise PackError("数据包已损坏或不完整（文件头不完整），请重新生成或重新拷贝。")
    try:
        header = json.loads(data[start : start + size].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError
    except ValueError:
        raise PackError("数据包已损坏（文件头无法读取），请重新生成或重新拷贝。") from None
    if int(header.get("format", 0)) > FORMAT:
        raise PackError("这个数据包由更新版本的程序生成，请升级本程序后再合并。")
    return Container(header, data[start + size : -_SUM], data[: start + size])


def _crypto_params(header: dict[str, Any]) -> tuple[bytes, dict[str, int], bytes]:
    """(salt, scrypt parameters, nonce) of an encrypted pack, checked against what the
    program writes before anything is derived: ``PackError`` for anything else."""
    odd = PackError("数据包的加密参数不是本程序生成的（可能被改动过），已拒绝打开，数据没有改动。")
    kdf, cipher = header.get("kdf"), header.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict) or kdf.get("name") != "scrypt":
        raise odd
    params = {k: kdf.get(k) for k in ("n", "r", "p")}
    if any(type(v) is not int for v in params.values()):
        raise odd
    if params["n"] not in ACCEPTED_N or params["r"] != SCRYPT["r"] or params["p"] != SCRYPT["p"]:
        raise odd
    try:
        salt, nonce = bytes.fromhex(str(kdf.get("salt"))), bytes.fromhex(str(cipher.get("nonce")))
    except ValueError:
        raise odd from None
    if len(salt) != 16 or len(nonce) != 12 or cipher.get("name") not in (None, "AES-256-GCM"):
        raise odd
    return salt, params, nonce


def image_limit(header: dict[str, Any]) -> int:
    """The most bytes the body may decompress to, from the rows the header counts."""
    ledgers = header.get("ledgers")
    counts = list(ledgers.values()) if isinstance(ledgers, dict) else None
    if counts is None or any(type(n) is not int or n < 0 for n in counts) or sum(counts) > MAX_ROWS:
        raise PackError("数据包已损坏（文件头的记录数不合理），请重新生成或重新拷贝。")
    return sum(counts) * ROW_BYTES + IMAGE_OVERHEAD


def _decompress(body: bytes, limit: int) -> bytes:
    """zlib, a piece at a time, refused as soon as it would pass ``limit`` bytes."""
    d = zlib.decompressobj()
    parts: list[bytes] = []
    size = 0
    data = body
    try:
        while not d.eof:
            piece = d.decompress(data, _CHUNK)
            data = d.unconsumed_tail
            size += len(piece)
            if size > limit:
                raise PackError("数据包的内容比文件头所列的记录数大得多（可能被改动过），已拒绝打开，数据没有改动。")
            parts.append(piece)
            if not piece and not data:
                break  # the input ended before the stream did
    except zlib.error:
        raise PackError("数据包已损坏（内容无法解压），请重新生成或重新拷贝。") from None
    if not d.eof:
        raise PackError("数据包已损坏（内容无法解压），请重新生成或重新拷贝。")
    return b"".join(parts)


def open_body(box: Container, password: str | None) -> bytes:
    """The pack's SQLite bytes: decrypted (with ``password``) and decompressed.

    The costs a file could set are bounded first: the scrypt parameters must be the
    program's own (``_crypto_params``), and the decompressed image may not pass what the
    header's row counts allow (``image_limit``)."""
    body = box.body
    limit = image_limit(box.header)
    if box.encrypted:
        salt, params, nonce = _crypto_params(box.header)
        if not password:
            raise PasswordNeeded("这个数据包设有密码，请输入密码（命令行用 --password）。")
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            body = AESGCM(_key(password, salt, params)).decrypt(nonce, body, box.prefix)
        except InvalidTag:
            raise WrongPassword("数据包密码不正确，请向生成数据包的同事核对密码。") from None
    return _decompress(body, limit)
