"""Per-tenant single sign-on with OpenID Connect: authorization code + PKCE, state and nonce, ID-token checks.

Discovery, the token request and the JWKS go through authlib's OAuth 2 client; the ID token is verified with
joserfc (the JOSE library authlib now builds on): signature from the provider's JWKS, issuer, audience,
expiry and the nonce of this login. People join just in time with the provider's default role when their
verified email is in an allowed domain.
"""

from __future__ import annotations

import secrets
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from rapport_tenants.context import TenantContext, tenant_transaction
from redis.asyncio import Redis

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.sessions import SignedIn, start_session
from rapport.identity.sso import SsoFailed, check_domain, join_just_in_time, remember_state, take_state
from rapport.identity.tables import SsoIdentity, SsoProvider
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.keyring import KeyRing

with warnings.catch_warnings():  # authlib announces a move to httpx2; its httpx client is current here
    warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

__all__ = [
    "OidcLogin",
    "begin_login",
    "create_provider",
    "delete_provider",
    "finish_login",
    "list_providers",
    "provider_metadata",
]

HTTP_TIMEOUT = 10.0
CALLBACK_PATH = "api/v1/auth/sso/callback"


@dataclass(frozen=True, slots=True)
class OidcLogin:
    authorization_url: str


async def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document; its issuer must be the configured one."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.get(url)
            response.raise_for_status()
            metadata: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ValidationFailed(
            f"The identity provider's discovery document could not be read: {exc}",
            errors=[FieldError("issuer", "has no readable /.well-known/openid-configuration")],
        ) from None
    if metadata.get("issuer") != issuer:
        raise ValidationFailed(
            "The discovery document names another issuer.", errors=[FieldError("issuer", "does not match")]
        )
    return metadata


async def _provider(tenant: TenantContext, provider_id: uuid.UUID) -> dict[str, Any]:
    row = (
        await SsoProvider.select()
        .where((SsoProvider.id == provider_id) & (SsoProvider.tenant_id == tenant.id))
        .first()
    )
    if row is None:
        raise NotFoundError("There is no such identity provider in this workspace.")
    return row


def _client(provider: dict[str, Any], keyring: KeyRing, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider["client_id"],
        client_secret=keyring.decrypt(provider["client_secret_encrypted"]),
        scope="openid email profile",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


async def begin_login(
    redis: Redis, keyring: KeyRing, tenant: TenantContext, provider_id: uuid.UUID, redirect_uri: str
) -> OidcLogin:
    """The provider's authorization URL, with a fresh state, nonce and PKCE verifier remembered 10 minutes."""
    provider = await _provider(tenant, provider_id)
    metadata = await provider_metadata(provider["issuer"])
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    client = _client(provider, keyring, redirect_uri)
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    remembered = {"provider_id": str(provider_id), "nonce": nonce, "verifier": verifier}
    await remember_state(redis, "sso", tenant, state, remembered)
    return OidcLogin(authorization_url=url)


async def _verified_claims(
    provider: dict[str, Any], metadata: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        keys = KeySet.import_key_set((await client.get(metadata["jwks_uri"])).json())
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256"])
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": provider["issuer"]},
            aud={"essential": True, "value": provider["client_id"]},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise SsoFailed(f"The identity provider's ID token was refused: {exc}") from None
    return dict(token.claims)


def _check_email(provider: dict[str, Any], claims: dict[str, Any]) -> str:
    email = str(claims.get("email", "")).strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise SsoFailed("The identity provider did not vouch for an email address.")
    return check_domain(provider, email)


async def finish_login(
    redis: Redis, keyring: KeyRing, tenant: TenantContext, code: str, state: str, redirect_uri: str, ip: str,
    user_agent: str,
) -> SignedIn:  # fmt: skip
    """Exchange the code (with the PKCE verifier), verify the ID token, find or create the member, sign in."""
    remembered = await take_state(redis, "sso", tenant, state)
    provider = await _provider(tenant, uuid.UUID(remembered["provider_id"]))
    metadata = await provider_metadata(provider["issuer"])
    try:
        token = await _client(provider, keyring, redirect_uri).fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=remembered["verifier"]
        )
    except Exception as exc:  # authlib raises its OAuth errors and httpx's; either way the login failed
        raise SsoFailed(f"The identity provider refused the code: {exc}") from None
    claims = await _verified_claims(provider, metadata, str(token.get("id_token", "")), remembered["nonce"])
    email = _check_email(provider, claims)
    user_id, role = await join_just_in_time(tenant, provider, str(claims["sub"]), email, ip)
    return await start_session(
        tenant, user_id, email, role, ip, user_agent, {"sso": (None, provider["name"])}
    )


async def create_provider(
    keyring: KeyRing, tenant: TenantContext, actor: Actor, name: str, issuer: str, client_id: str,
    client_secret: str, allowed_domains: list[str], default_role: str,
) -> uuid.UUID:  # fmt: skip
    """Register an OIDC provider after reading its discovery document (so a typo fails now, not at login)."""
    await provider_metadata(issuer)
    provider_id = uuid.uuid4()
    domains = sorted({domain.strip().lower() for domain in allowed_domains if domain.strip()})
    async with tenant_transaction(tenant):
        await SsoProvider.insert(
            SsoProvider(
                id=provider_id, tenant_id=tenant.id, kind="oidc", name=name, issuer=issuer,
                client_id=client_id, client_secret_encrypted=keyring.encrypt(client_secret),
                allowed_domains=domains, default_role=default_role,
            )
        )  # fmt: skip
        changes = {"name": (None, name), "issuer": (None, issuer), "client_id": (None, client_id)}
        await audit.record(actor, "sso_provider.created", "sso_provider", provider_id, changes)
    return provider_id


async def list_providers(tenant: TenantContext) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await SsoProvider.select(
        SsoProvider.id, SsoProvider.name, SsoProvider.kind, SsoProvider.issuer, SsoProvider.client_id,
        SsoProvider.allowed_domains, SsoProvider.default_role, SsoProvider.created_at,
    ).where(SsoProvider.tenant_id == tenant.id).order_by(SsoProvider.created_at)  # fmt: skip
    return rows


async def delete_provider(tenant: TenantContext, actor: Actor, provider_id: uuid.UUID) -> None:
    async with tenant_transaction(tenant):
        deleted = (
            await SsoProvider.delete()
            .where((SsoProvider.id == provider_id) & (SsoProvider.tenant_id == tenant.id))
            .returning(SsoProvider.id)
        )
        if not deleted:
            raise NotFoundError("There is no such identity provider in this workspace.")
        await SsoIdentity.delete().where(SsoIdentity.provider_id == provider_id)
        await audit.record(actor, "sso_provider.deleted", "sso_provider", provider_id)
