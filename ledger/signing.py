"""Ed25519 checkpoint keys: loaded from files named by the configuration, never a built-in default."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.chain import key_id
from ledger.errors import Invalid, Unavailable
from ledger.settings import Settings


class SigningKeyMissing(Unavailable):
    """No signing key is configured (LEDGER_SIGNING_KEY_FILE), so no checkpoint can be signed."""

    title = "Signing key not configured"
    code = "signing-key-missing"


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The key's id as checkpoints name it (see ledger.chain.key_id)."""
    return key_id(raw_public(public_key))


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_private_key(path: str) -> Ed25519PrivateKey:
    """An unencrypted PKCS#8 PEM Ed25519 private key; anything else is a configuration error."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise Invalid(f"cannot read the signing key {path}: {error}",
                      errors={"LEDGER_SIGNING_KEY_FILE": ["an unencrypted PEM Ed25519 private key"]}) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise Invalid(f"{path} is not an Ed25519 key", errors={"LEDGER_SIGNING_KEY_FILE": ["an Ed25519 key"]})
    return key


def load_public_key(pem: bytes, source: str = "public key") -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as error:
        raise Invalid(f"cannot read {source}: {error}", errors={"public_key": ["a PEM Ed25519 public key"]}) from None
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid(f"{source} is not an Ed25519 key", errors={"public_key": ["an Ed25519 key"]})
    return key


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured signing key; refusing (503) rather than inventing one when none is configured."""
    if not settings.signing_key_file:
        raise SigningKeyMissing("no signing key is configured: set LEDGER_SIGNING_KEY_FILE "
                                "(create one with `ledger keys generate --out PATH`)")
    return load_private_key(settings.signing_key_file)


def trusted_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Public keys a verify accepts checkpoints from, by key id: the signing key's and LEDGER_VERIFY_KEY_FILES."""
    keys: dict[str, Ed25519PublicKey] = {}
    if settings.signing_key_file:
        public = load_private_key(settings.signing_key_file).public_key()
        keys[key_id_of(public)] = public
    for path in (p.strip() for p in settings.verify_key_files.split(",")):
        if path:
            try:
                public = load_public_key(Path(path).read_bytes(), path)
            except OSError as error:
                raise Invalid(f"cannot read {path}: {error}",
                              errors={"LEDGER_VERIFY_KEY_FILES": ["readable PEM public keys"]}) from None
            keys[key_id_of(public)] = public
    return keys


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    return key.sign(message)


def verify(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def generate_key_file(path: str | Path) -> Ed25519PrivateKey:
    """A new private key written to `path` readable by its owner only (0600); refuses to overwrite."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # O_EXCL: an existing key is never silently replaced (checkpoints signed with it would become unverifiable)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key
