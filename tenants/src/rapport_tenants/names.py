"""Names a tenant is known by: its slug (a DNS label), its schema, the host names it is served on."""

from __future__ import annotations

import re
import uuid

__all__ = [
    "RESERVED_SLUGS",
    "SCHEMA_NAME_PATTERN",
    "TEMPLATE_SCHEMA",
    "check_schema_name",
    "schema_name_for",
    "search_path_for",
    "slug_problem",
]

SCHEMA_NAME_PATTERN = re.compile(r"^t_[0-9a-f]{32}$")
TEMPLATE_SCHEMA = "tenant_template"
"""The schema every tenant schema is a copy of; ``rapport migrate`` keeps it current."""
EXTENSIONS_SCHEMA = "ext"

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "app", "apps", "auth", "login", "signup", "sso", "oauth", "account",
        "accounts", "billing", "dashboard", "docs", "help", "support", "status", "mail", "email", "smtp",
        "static", "assets", "cdn", "files", "media", "blog", "marketplace", "partners", "dev", "staging",
        "test", "internal", "system", "root", "rapport", "control", "public", "template", "ws", "webhooks",
    }
)  # fmt: skip


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be a workspace address, or None when it can (uniqueness is checked elsewhere)."""
    if not slug:
        return "is required"
    if len(slug) > 63:
        return "must be at most 63 characters (a DNS label)"
    if len(slug) < 3:
        return "must be at least 3 characters"
    if not _SLUG.match(slug):
        return (
            "may contain only lowercase letters, digits and hyphens, "
            "and must start and end with a letter or digit"
        )
    if "--" in slug[2:4]:
        return "must not have hyphens in the third and fourth places (reserved for punycode)"
    if slug in RESERVED_SLUGS:
        return "is reserved"
    return None


def schema_name_for(tenant_id: uuid.UUID) -> str:
    """The PostgreSQL schema of a tenant: ``t_`` and the id's 32 hex digits (always a safe identifier)."""
    return check_schema_name(f"t_{tenant_id.hex}")


def check_schema_name(name: str) -> str:
    """Return ``name`` if it is a tenant schema name (``t_`` + 32 hex digits); raise ValueError otherwise.

    Every schema name that reaches SQL text goes through this check first.
    """
    if not SCHEMA_NAME_PATTERN.match(name):
        raise ValueError(f"invalid tenant schema name {name!r}")
    return name


def search_path_for(schema_name: str) -> str:
    """The transaction-local ``search_path`` of a tenant: its schema, then the shared extensions."""
    if schema_name != TEMPLATE_SCHEMA:
        check_schema_name(schema_name)
    return f'"{schema_name}", {EXTENSIONS_SCHEMA}'
