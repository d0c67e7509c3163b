"""Ed25519 keys for tests: one fixed suite key (checkpoints on the shared database verify across runs), and fresh ones."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SUITE_SEED = hashlib.sha256(b"sales-ledger-test-signing-key").digest()  # tests only; production reads a file


def write_key(path: Path, key: Ed25519PrivateKey) -> str:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    os.chmod(path, 0o600)
    return str(path)


def suite_signing_key(path: Path) -> str:
    """The suite's fixed signing key written to `path`; returns the path for Settings(signing_key_file=...)."""
    return write_key(path, Ed25519PrivateKey.from_private_bytes(SUITE_SEED))


def public_key_file(private_path: str, path: Path) -> str:
    key = serialization.load_pem_private_key(Path(private_path).read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return str(path)
