"""Identity API: sign in and out, who am I and where else, API keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.identity.apikeys import create_api_key, list_api_keys, revoke_api_key
from rapport.identity.audit import Actor
from rapport.identity.credentials import csrf_token_for
from rapport.identity.middleware import SESSION_COOKIE
from rapport.identity.principal import Principal
from rapport.identity.recovery import change_password
from rapport.identity.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    LoginRequest,
    Me,
    MySession,
    MyTenant,
    RecoveryCodes,
    SessionOut,
    SessionsEnded,
    TotpChallenge,
    TotpCode,
    TotpEnrollment,
    TotpLogin,
)
from rapport.identity.sessions import (
    SESSION_LIFETIME,
    SignedIn,
    TotpRequired,
    finish_totp_sign_in,
    list_sessions,
    revoke_other_sessions,
    revoke_session,
    sign_in,
    sign_out,
)
from rapport.identity.tenants import tenants_of
from rapport.identity.totp import confirm_totp, disable_totp, has_totp, start_totp
from rapport.kernel.clients import client_ip, user_agent
from rapport.kernel.settings import Environment, Settings
from rapport.tenancy.middleware import provide_tenant

__all__ = [
    "ApiKeyController",
    "AuthController",
    "MeController",
    "TotpController",
    "provide_principal",
    "provide_tenant",
    "signed_in_response",
]


async def provide_principal(
    request: Request[Any, Any, Any], tenant: NamedDependency[TenantContext]
) -> Principal:
    """The ``principal`` dependency. It takes ``tenant`` only to be resolved after it: Litestar resolves
    independent dependencies concurrently, a task each, which costs more than these lookups."""
    del tenant
    principal: Principal = request.user
    return principal


def _session_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=settings.env is Environment.PRODUCTION,
        samesite="lax",
    )


def signed_in_response(
    request: Request[Any, Any, Any], tenant: TenantContext, signed_in: SignedIn
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    body = SessionOut(
        user_id=signed_in.user_id,
        email=signed_in.email,
        role=signed_in.role,
        tenant=tenant.slug,
        csrf_token=_csrf(request, signed_in.session_id),
    )
    cookie = _session_cookie(settings, signed_in.token, int(SESSION_LIFETIME.total_seconds()))
    return Response(body, cookies=[cookie])


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(max_length=1024)]


def _actor(request: Request[Any, Any, Any], principal: Principal) -> Actor:
    return Actor.of(principal, client_ip(request))


def _csrf(request: Request[Any, Any, Any], session_id: uuid.UUID | None) -> str:
    settings: Settings = request.app.state.settings
    return csrf_token_for(settings.secret_key.get_secret_value(), str(session_id))


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login", exclude_from_auth=True, status_code=HTTP_200_OK, summary="Sign in with email and password"
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[LoginRequest],
    ) -> Response[SessionOut | TotpChallenge]:
        result = await sign_in(
            request.app.state.redis,
            tenant,
            data.email,
            data.password,
            client_ip(request),
            user_agent(request),
        )
        if isinstance(result, TotpRequired):
            return Response(TotpChallenge(challenge=result.challenge))
        return signed_in_response(request, tenant, result)

    @post(
        "/login/totp",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
        summary="Second step of a sign-in: a TOTP or recovery code for the challenge",
    )
    async def login_totp(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[TotpLogin],
    ) -> Response[SessionOut]:
        result = await finish_totp_sign_in(
            request.app.state.redis, request.app.state.keyring, tenant, data.challenge, data.code,
            client_ip(request), user_agent(request),
        )  # fmt: skip
        return signed_in_response(request, tenant, result)

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="Sign out (ends this session)")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
    ) -> Response[None]:
        if principal.session_id is not None:
            await sign_out(tenant, _actor(request, principal), principal.session_id)
        settings: Settings = request.app.state.settings
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[_session_cookie(settings, "", 0)])

    @get("/session", summary="The current session and its CSRF token")
    async def session(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
    ) -> SessionOut:
        return SessionOut(
            user_id=principal.user_id,
            email=principal.email,
            role=principal.role,
            tenant=tenant.slug,
            csrf_token=_csrf(request, principal.session_id),
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", summary="Who is calling, in this workspace")
    async def me(self, principal: NamedDependency[Principal], tenant: NamedDependency[TenantContext]) -> Me:
        return Me(
            user_id=principal.user_id,
            email=principal.email,
            role=principal.role,
            tenant=tenant.slug,
            via=principal.via,
            totp_enabled=await has_totp(principal.user_id),
        )

    @get("/tenants", summary="Every workspace the caller belongs to (for the tenant switcher)")
    async def tenants(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
    ) -> list[MyTenant]:
        settings: Settings = request.app.state.settings
        return [
            MyTenant(
                id=row["id"], slug=row["slug"], name=row["display_name"],
                url=settings.tenant_url(row["slug"]), current=row["id"] == tenant.id,
            )
            for row in await tenants_of(principal.user_id)
        ]  # fmt: skip

    @post(
        "/password",
        status_code=HTTP_204_NO_CONTENT,
        summary="Change your password (ends your other sessions)",
    )
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[PasswordChange],
    ) -> None:
        await change_password(
            request.app.state.redis, tenant, principal, _actor(request, principal), data.current_password,
            data.new_password,
        )  # fmt: skip

    @get("/sessions", summary="Your signed-in browsers on this workspace")
    async def sessions(self, principal: NamedDependency[Principal]) -> list[MySession]:
        return [
            MySession(**row, current=row["id"] == principal.session_id)
            for row in await list_sessions(principal)
        ]

    @delete(
        "/sessions",
        status_code=HTTP_200_OK,
        summary="Sign out your other sessions on this workspace",
    )
    async def end_other_sessions(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
    ) -> SessionsEnded:
        return SessionsEnded(ended=await revoke_other_sessions(tenant, principal, _actor(request, principal)))

    @delete("/sessions/{session_id:uuid}", summary="Sign one of your sessions out")
    async def end_session(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        session_id: FromPath[uuid.UUID],
    ) -> None:
        await revoke_session(tenant, principal, _actor(request, principal), session_id)


class TotpController(Controller):
    """Your TOTP second factor: enrol, confirm (get recovery codes), turn off."""

    path = "/api/v1/me/totp"
    tags = ["me"]

    @post("/", status_code=HTTP_201_CREATED, summary="Start enrolling an authenticator app")
    async def start(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
    ) -> TotpEnrollment:
        secret, uri = await start_totp(
            request.app.state.keyring, tenant, principal, _actor(request, principal)
        )
        return TotpEnrollment(secret=secret, otpauth_uri=uri)

    @post("/confirm", status_code=HTTP_200_OK, summary="Confirm with a code; returns recovery codes (once)")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[TotpCode],
    ) -> RecoveryCodes:
        codes = await confirm_totp(
            request.app.state.keyring, tenant, principal, _actor(request, principal), data.code
        )
        return RecoveryCodes(recovery_codes=codes)

    @post(
        "/disable", status_code=HTTP_204_NO_CONTENT, summary="Turn TOTP off (needs a code or a recovery code)"
    )
    async def disable(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[TotpCode],
    ) -> None:
        await disable_totp(
            request.app.state.keyring, tenant, principal, _actor(request, principal), data.code
        )


class ApiKeyController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api keys"]

    @post("/", status_code=HTTP_201_CREATED, summary="Create an API key (the key is shown once)")
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[ApiKeyCreate],
    ) -> ApiKeyCreated:
        actor = _actor(request, principal)
        created = await create_api_key(tenant, principal, actor, data.name, data.scopes, data.expires_at)
        return ApiKeyCreated(key=created.key, api_key=ApiKeyOut(**created.record))

    @get("/", summary="API keys (yours; owners and admins see the workspace's)")
    async def list(self, principal: NamedDependency[Principal]) -> list[ApiKeyOut]:
        return [ApiKeyOut(**row) for row in await list_api_keys(principal)]

    @delete("/{key_id:uuid}", summary="Revoke an API key")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tenant: NamedDependency[TenantContext],
        key_id: FromPath[uuid.UUID],
    ) -> None:
        await revoke_api_key(tenant, principal, _actor(request, principal), key_id)
