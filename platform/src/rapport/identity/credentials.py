"""Secrets handed to clients (session tokens, API keys): made from ``secrets``, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "API_KEY_PREFIX",
    "csrf_token_for",
    "hash_token",
    "new_api_key",
    "new_session_token",
    "parse_api_key",
    "tokens_match",
]

API_KEY_PREFIX = "rpk"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256: the tokens are 256-bit random, so a fast hash is enough (no password-style stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected_hash: str, presented: str) -> bool:
    return hmac.compare_digest(expected_hash, hash_token(presented))


def new_api_key() -> tuple[str, str, str]:
    """``(key, prefix, secret)``: the key ``rpk_<prefix>_<secret>`` is shown once; the prefix finds it."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{prefix}_{secret}", prefix, secret


def parse_api_key(key: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed key, else None."""
    kind, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if kind != API_KEY_PREFIX or len(prefix) != 12 or len(secret) < 32:
        return None
    return prefix, secret


def csrf_token_for(secret_key: str, session_id: str) -> str:
    """The CSRF token of a session: an HMAC of its id (nothing to store, nothing a cookie reveals)."""
    return hmac.new(secret_key.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()
