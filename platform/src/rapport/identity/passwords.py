"""Password hashing (argon2id through argon2-cffi) and the password policy (length, zxcvbn estimate)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "hash_password",
    "hash_password_sync",
    "password_problem",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
MIN_SCORE = 3
MAX_PASSWORD_LENGTH = 256
_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults


def password_problem(password: str, context: Sequence[str] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None.

    Length first, then zxcvbn's estimate, which knows the common and breached password lists, keyboard
    patterns and dates, and the ``context`` words (the email, the organization): score 3 of 4 is required.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    estimate = zxcvbn(password, user_inputs=_context_words(context))
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"]["warning"]
        return "is too easy to guess" + (
            f": {warning[0].lower()}{warning[1:].rstrip('.')}" if warning else ""
        )
    return None


def _context_words(context: Sequence[str]) -> list[str]:
    """The inputs and their words ("Acme Widgets", "ann@acme.example" → "acme", "widgets", "ann", …)."""
    words = {item.lower() for item in context if item}
    words |= {part.lower() for item in context for part in re.split(r"[^A-Za-z0-9]+", item) if len(part) >= 3}
    return sorted(words)


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, computed off the event loop."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)
