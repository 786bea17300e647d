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

MAGIC = b"FZTB-PACK\x00"
FORMAT = 1  # this file layout; a newer one is refused
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~0.1 s and 32 MiB on an office PC
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


def open_body(box: Container, password: str | None) -> bytes:
    """The pack's SQLite bytes: decrypted (with ``password``) and decompressed."""
    body = box.body
    if box.encrypted:
        if not password:
            raise PasswordNeeded("这个数据包设有密码，请输入密码（命令行用 --password）。")
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            kdf, cipher = box.header["kdf"], box.header["cipher"]
            key = _key(password, bytes.fromhex(kdf["salt"]), kdf)
            body = AESGCM(key).decrypt(bytes.fromhex(cipher["nonce"]), body, box.prefix)
        except InvalidTag:
            raise WrongPassword("数据包密码不正确，请向生成数据包的同事核对密码。") from None
        except (KeyError, ValueError, TypeError):
            raise PackError("数据包已损坏（加密参数无法读取），请重新生成或重新拷贝。") from None
    try:
        return zlib.decompress(body)
    except zlib.error:
        raise PackError("数据包已损坏（内容无法解压），请重新生成或重新拷贝。") from None
