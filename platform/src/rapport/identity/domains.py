"""Verified email domains and "enforce SSO".

A tenant admin claims a domain and publishes ``rapport-verification=<token>`` as a TXT record at
``_rapport-challenge.<domain>``; ``verify`` looks it up (dnspython, through ``RAPPORT_DNS_NAMESERVERS`` or the
system's resolvers). Once verified, and when the workspace has an identity provider, ``enforce`` turns
password sign-in off for everyone whose email is in that domain; they sign in through SSO. Owners keep
their password (break-glass, so a broken IdP cannot lock the workspace out); their password sign-ins are
audited like every other.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.resolver
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.tables import SsoDomain, SsoProvider
from rapport.kernel.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationFailed

__all__ = [
    "SsoRequired",
    "claim_domain",
    "enforced_for",
    "list_domains",
    "remove_domain",
    "set_enforce",
    "txt_name",
    "verify_domain",
]

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CHALLENGE_PREFIX = "_rapport-challenge."
MAX_DOMAINS = 50


class SsoRequired(ForbiddenError):
    type_slug = "sso-required"
    title = "Single sign-on is required"


def txt_name(domain: str) -> str:
    return CHALLENGE_PREFIX + domain


def _txt_value(token: str) -> str:
    return f"rapport-verification={token}"


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "domain": row["domain"],
        "txt_name": txt_name(row["domain"]),
        "txt_value": _txt_value(row["token"]),
        "verified": row["verified_at"] is not None,
        "verified_at": row["verified_at"],
        "enforce": row["enforce"],
        "created_at": row["created_at"],
    }


def normalize(domain: str) -> str:
    cleaned = domain.strip().lower().rstrip(".")
    if not _DOMAIN.match(cleaned):
        raise ValidationFailed(
            f"{domain!r} is not a domain name.", errors=[FieldError("domain", "is not a domain name")]
        )
    return cleaned


async def claim_domain(tenant: TenantContext, actor: Actor, domain: str) -> dict[str, Any]:
    """Start verifying ``domain``: the TXT record to publish."""
    domain = normalize(domain)
    row = SsoDomain(id=uuid.uuid4(), tenant_id=tenant.id, domain=domain, token=secrets.token_urlsafe(24))
    async with tenant_transaction(tenant):
        taken = await SsoDomain.count().where(SsoDomain.tenant_id == tenant.id)
        if taken >= MAX_DOMAINS:
            raise ConflictError(f"A workspace may claim at most {MAX_DOMAINS} domains.")
        if await SsoDomain.exists().where((SsoDomain.tenant_id == tenant.id) & (SsoDomain.domain == domain)):
            raise ConflictError(f"{domain} is claimed already in this workspace.")
        await SsoDomain.insert(row)
        await audit.record(actor, "sso_domain.claimed", "sso_domain", row.id, {"domain": (None, domain)})
    return _out(row.to_dict())


async def list_domains(tenant: TenantContext) -> list[dict[str, Any]]:
    rows = await SsoDomain.select().where(SsoDomain.tenant_id == tenant.id).order_by(SsoDomain.domain)
    return [_out(row) for row in rows]


async def _domain(tenant: TenantContext, domain_id: uuid.UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await SsoDomain.select()
        .where((SsoDomain.id == domain_id) & (SsoDomain.tenant_id == tenant.id))
        .first()
    )
    if row is None:
        raise NotFoundError("There is no such domain in this workspace.")
    return row


async def _txt_records(name: str, nameservers: list[str]) -> list[str]:
    resolver = dns.asyncresolver.Resolver(configure=not nameservers)
    if nameservers:
        hosts = [server.rsplit(":", 1) if server.count(":") == 1 else [server] for server in nameservers]
        resolver.nameservers = [parts[0] for parts in hosts]
        resolver.port = int(hosts[0][1]) if len(hosts[0]) == 2 else 53
    resolver.lifetime = 5.0
    try:
        answer = await resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise ConflictError(f"The DNS lookup of {name} failed ({type(exc).__name__}); try again.") from None
    return [b"".join(record.strings).decode(errors="replace") for record in answer]


async def verify_domain(
    tenant: TenantContext, actor: Actor, domain_id: uuid.UUID, nameservers: list[str]
) -> dict[str, Any]:
    """Look the TXT record up; mark the domain verified when it carries this domain's token."""
    row = await _domain(tenant, domain_id)
    if row["verified_at"] is None:
        records = await _txt_records(txt_name(row["domain"]), nameservers)
        if _txt_value(row["token"]) not in records:
            raise ValidationFailed(
                f"No TXT record {_txt_value(row['token'])!r} at {txt_name(row['domain'])} yet; "
                "DNS changes can take a while to show.",
                errors=[FieldError("domain", "TXT record not found")],
            )
        row["verified_at"] = dt.datetime.now(dt.UTC)
        async with tenant_transaction(tenant):
            await SsoDomain.update({SsoDomain.verified_at: row["verified_at"]}).where(
                SsoDomain.id == domain_id
            )
            await audit.record(
                actor, "sso_domain.verified", "sso_domain", domain_id, {"domain": (None, row["domain"])}
            )
    return _out(row)


async def set_enforce(
    tenant: TenantContext, actor: Actor, domain_id: uuid.UUID, enforce: bool
) -> dict[str, Any]:
    row = await _domain(tenant, domain_id)
    if enforce and row["verified_at"] is None:
        raise ConflictError(f"Verify {row['domain']} before enforcing single sign-on for it.")
    if enforce and not await SsoProvider.exists().where(SsoProvider.tenant_id == tenant.id):
        raise ConflictError("Add an identity provider before enforcing single sign-on.")
    async with tenant_transaction(tenant):
        await SsoDomain.update({SsoDomain.enforce: enforce}).where(SsoDomain.id == domain_id)
        await audit.record(
            actor,
            "sso_domain.enforce_changed",
            "sso_domain",
            domain_id,
            {"enforce": (row["enforce"], enforce)},
        )
    return _out({**row, "enforce": enforce})


async def remove_domain(tenant: TenantContext, actor: Actor, domain_id: uuid.UUID) -> None:
    row = await _domain(tenant, domain_id)
    async with tenant_transaction(tenant):
        await SsoDomain.delete().where(SsoDomain.id == domain_id)
        await audit.record(
            actor, "sso_domain.removed", "sso_domain", domain_id, {"domain": (row["domain"], None)}
        )


async def enforced_for(tenant: TenantContext, email: str) -> bool:
    """Whether password sign-in is off for ``email`` in this tenant (its domain verified and enforced)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return bool(
        await SsoDomain.exists().where(
            (SsoDomain.tenant_id == tenant.id)
            & (SsoDomain.domain == domain)
            & SsoDomain.verified_at.is_not_null()
            & (SsoDomain.enforce == True)  # noqa: E712 - Piccolo builds SQL from the comparison
        )
    )
