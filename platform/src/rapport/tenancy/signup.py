"""Signup: one transaction creates the tenant, its domain, its first admin and its schema, or nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg
import structlog
from rapport_tenants.context import process_engine
from rapport_tenants.names import schema_name_for, slug_problem
from rapport_tenants.tables import Tenant, TenantStatus
from rapport_tenants.template import latest_template, provision_schema

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.members import index_membership
from rapport.identity.passwords import hash_password, password_problem, verify_password
from rapport.identity.tables import Membership, Role, User
from rapport.kernel.errors import ConflictError, FieldError, ValidationFailed
from rapport.tenancy.schemas import SignupRequest
from rapport.tenancy.tables import WorkspaceSettings

__all__ = ["SignupResult", "create_workspace", "normalize_email"]

log = structlog.get_logger(__name__)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class SignupResult:
    tenant_id: uuid.UUID
    slug: str
    name: str
    schema_name: str
    user_id: uuid.UUID
    email: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _validate(data: SignupRequest) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.organization_name.strip():
        errors.append(FieldError("organization_name", "is required"))
    problem = slug_problem(data.slug.strip().lower())
    if problem:
        errors.append(FieldError("slug", problem))
    if not _EMAIL.match(normalize_email(data.admin_email)):
        errors.append(FieldError("admin_email", "is not a valid email address"))
    problem = password_problem(data.password, [data.admin_email, data.organization_name, data.slug])
    if problem:
        errors.append(FieldError("password", problem))
    return errors


def _slug_taken(slug: str) -> ConflictError:
    return ConflictError(
        f"The address '{slug}' is taken; choose another.",
        errors=[FieldError("slug", "is already taken")],
    )


async def _existing_user(email: str, password: str) -> uuid.UUID | None:
    """An existing account with this email may create another workspace only with its own password."""
    row = await User.select(User.id, User.password_hash).where(User.email == email).first()
    if row is None:
        return None
    if row["password_hash"] and await verify_password(row["password_hash"], password):
        return uuid.UUID(str(row["id"]))
    raise ConflictError(
        "An account with this email exists. Sign in to create another workspace, "
        "or enter that account's password.",
        errors=[FieldError("admin_email", "already has an account")],
    )


async def create_workspace(
    data: SignupRequest, base_domain: str, client_ip: str | None = None
) -> SignupResult:
    """Validate, then create tenant + primary domain + owner + provisioned schema in one transaction.

    A failure at any step rolls everything back: no tenant row without a schema, no orphan schema.
    """
    errors = _validate(data)
    if errors:
        raise ValidationFailed("The signup form has errors.", errors=errors)
    slug = data.slug.strip().lower()
    name = data.organization_name.strip()
    email = normalize_email(data.admin_email)
    if await Tenant.exists().where(Tenant.slug == slug):
        raise _slug_taken(slug)
    existing_user = await _existing_user(email, data.password)
    password_hash = None if existing_user else await hash_password(data.password)
    user_id = existing_user or uuid.uuid4()
    template = await latest_template()
    tenant_id = uuid.uuid4()
    schema = schema_name_for(tenant_id)
    engine = process_engine()
    try:
        async with engine.transaction(allow_nested=False) as transaction:
            connection = transaction.connection
            await connection.execute(
                "INSERT INTO control.tenants (id, slug, display_name, status, schema_name, created_at) "
                "VALUES ($1, $2, $3, $4, $5, now())",
                tenant_id,
                slug,
                name,
                TenantStatus.ACTIVE.value,
                schema,
            )
            await connection.execute(
                "INSERT INTO control.domains (id, host, tenant_id, is_primary, created_at) "
                "VALUES ($1, $2, $3, true, now())",
                uuid.uuid4(),
                f"{slug}.{base_domain}",
                tenant_id,
            )
            if existing_user is None:
                await connection.execute(
                    "INSERT INTO control.users (id, email, password_hash, email_verified, created_at) "
                    "VALUES ($1, $2, $3, false, now())",
                    user_id,
                    email,
                    password_hash,
                )
            await index_membership(connection, user_id, tenant_id)
            await provision_schema(transaction, schema, template)
            # search_path is the new schema now: these rows land in it.
            await WorkspaceSettings.insert(WorkspaceSettings(name=name))
            await Membership.insert(Membership(user_id=user_id, role=Role.OWNER.value))
            actor = Actor(user_id, email, "signup", client_ip)
            await audit.record(
                actor, "tenant.created", "tenant", tenant_id, {"slug": (None, slug), "name": (None, name)}
            )
            await audit.record(
                actor, "membership.created", "user", user_id, {"role": (None, Role.OWNER.value)}
            )
    except asyncpg.UniqueViolationError as exc:
        # Two signups raced for the same address or email; the loser's transaction left nothing behind.
        if "email" in (exc.constraint_name or ""):
            raise ConflictError(
                "An account with this email was just created; sign in instead.",
                errors=[FieldError("admin_email", "already has an account")],
            ) from None
        raise _slug_taken(slug) from None
    log.info("tenant_created", tenant_id=str(tenant_id), slug=slug)
    return SignupResult(tenant_id, slug, name, schema, user_id, email)
