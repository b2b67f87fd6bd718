"""Who is calling: the authenticated user in the request's tenant, and how they authenticated."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    email: str
    tenant_id: uuid.UUID
    role: str
    via: str
    """``session`` (a browser cookie, CSRF-checked) or ``api_key`` (a bearer key with scopes)."""
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
