"""The bundle has no ``_hashlib`` (no OpenSSL libcrypto), so ``hashlib.scrypt`` is missing
there: passwords, recovery codes and packs must derive their keys without it, and get the
same keys as standard scrypt (files made by earlier versions still open)."""

import hashlib

from app.core.storage import kdf, keys


def test_scrypt_without_hashlib_scrypt_gives_standard_keys(monkeypatch):
    salt = b"s" * 16
    standard = hashlib.scrypt("法治台账".encode(), salt=salt, n=2**10, r=8, p=1, dklen=64)
    monkeypatch.delattr(hashlib, "scrypt")
    assert kdf.scrypt("法治台账", salt, 2**10, 8, 1, 64) == standard
    wrapped = keys._wrap(b"k" * 32, "密码")  # the real cost (N=2^17), still without hashlib.scrypt
    assert keys._unwrap(wrapped, "密码") == b"k" * 32
