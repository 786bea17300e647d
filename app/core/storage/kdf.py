"""scrypt, the one key-derivation function of the program (passwords, recovery codes, packs).

Through ``cryptography`` rather than ``hashlib.scrypt``: the bundle leaves out Python's
``_hashlib`` (and with it OpenSSL's libcrypto) to stay small, and ``hashlib.scrypt`` exists
only with it, while ``cryptography`` carries its own OpenSSL and is needed for the data
packs' AES-GCM anyway.
"""

from __future__ import annotations


def scrypt(secret: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=length, n=n, r=r, p=p).derive(secret.encode("utf-8"))
