"""Single sign-on routes: providers for owners and admins; the browser's start and callback legs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_201_CREATED, HTTP_303_SEE_OTHER
from rapport_tenants.context import TenantContext

from rapport.identity import domains, saml
from rapport.identity.audit import Actor
from rapport.identity.controllers import signed_in_response
from rapport.identity.guards import requires_role
from rapport.identity.oidc import (
    CALLBACK_PATH,
    begin_login,
    create_provider,
    delete_provider,
    finish_login,
    list_providers,
)
from rapport.identity.principal import Principal
from rapport.identity.sso import provider_kind
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip, user_agent
from rapport.kernel.settings import Settings

__all__ = ["SsoDomainController", "SsoLoginController", "SsoProviderController"]


class SsoProviderCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    issuer: Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=500)]
    client_id: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    client_secret: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    allowed_domains: Annotated[list[str], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    default_role: Role = Role.MEMBER


class SamlProviderCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    metadata_xml: Annotated[str, msgspec.Meta(min_length=1, max_length=500_000)]
    allowed_domains: Annotated[list[str], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    default_role: Role = Role.MEMBER


class SamlPost(msgspec.Struct):
    """What the identity provider's auto-submitted form posts to our ACS."""

    SAMLResponse: Annotated[str, msgspec.Meta(max_length=saml.MAX_RESPONSE_BYTES)]
    RelayState: Annotated[str, msgspec.Meta(max_length=200)] = ""


class DomainClaim(msgspec.Struct, forbid_unknown_fields=True):
    domain: Annotated[str, msgspec.Meta(min_length=1, max_length=253)]


class DomainChange(msgspec.Struct, forbid_unknown_fields=True):
    enforce: bool


class SsoDomainOut(msgspec.Struct):
    id: uuid.UUID
    domain: str
    txt_name: str
    txt_value: str
    verified: bool
    verified_at: Any
    enforce: bool
    created_at: Any


class SsoProviderOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: str
    issuer: str
    client_id: str
    allowed_domains: list[str]
    default_role: str
    created_at: Any


class SsoChoice(msgspec.Struct):
    id: uuid.UUID
    name: str
    start_url: str


def _base(request: Request[Any, Any, Any], tenant: TenantContext) -> str:
    settings: Settings = request.app.state.settings
    return settings.tenant_url(tenant.slug)


def _callback(request: Request[Any, Any, Any], tenant: TenantContext) -> str:
    return _base(request, tenant) + CALLBACK_PATH


def _signed_in_redirect(request: Request[Any, Any, Any], tenant: TenantContext, signed_in: Any) -> Redirect:
    response = signed_in_response(request, tenant, signed_in)
    return Redirect(_base(request, tenant), status_code=HTTP_303_SEE_OTHER, cookies=response.cookies)


class SsoProviderController(Controller):
    path = "/api/v1/sso/providers"
    tags = ["sso"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]

    @post("/", status_code=HTTP_201_CREATED, summary="Add an OpenID Connect provider (checks its discovery)")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[SsoProviderCreate],
    ) -> dict[str, uuid.UUID]:
        actor = Actor.of(principal, client_ip(request))
        provider_id = await create_provider(
            request.app.state.keyring, tenant, actor, data.name, data.issuer,
            data.client_id, data.client_secret, data.allowed_domains, data.default_role.value,
        )  # fmt: skip
        return {"id": provider_id}

    @post("/saml", status_code=HTTP_201_CREATED, summary="Add a SAML 2.0 identity provider from its metadata")
    async def create_saml(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[SamlProviderCreate],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        provider_id = await saml.create_provider(
            tenant, actor, data.name, data.metadata_xml, data.allowed_domains, data.default_role.value
        )
        base = _base(request, tenant)
        return {
            "id": provider_id,
            "entity_id": saml.sp_entity_id(base, provider_id),
            "acs_url": base + saml.ACS_PATH,
            "metadata_url": saml.sp_entity_id(base, provider_id),
        }

    @get("/", summary="Identity providers of this workspace (secrets never shown)")
    async def list(self, tenant: NamedDependency[TenantContext]) -> list[SsoProviderOut]:
        return [SsoProviderOut(**row) for row in await list_providers(tenant)]

    @delete("/{provider_id:uuid}", summary="Remove an identity provider")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        provider_id: FromPath[uuid.UUID],
    ) -> None:
        await delete_provider(tenant, Actor.of(principal, client_ip(request)), provider_id)


class SsoLoginController(Controller):
    path = "/api/v1/auth/sso"
    tags = ["sso"]

    @get("/providers", exclude_from_auth=True, summary="The sign-in page's 'Sign in with …' buttons")
    async def choices(self, tenant: NamedDependency[TenantContext]) -> list[SsoChoice]:
        return [
            SsoChoice(id=row["id"], name=row["name"], start_url=f"/api/v1/auth/sso/{row['id']}/start")
            for row in await list_providers(tenant)
        ]

    @get("/{provider_id:uuid}/start", exclude_from_auth=True, summary="Go to the identity provider")
    async def start(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        provider_id: FromPath[uuid.UUID],
    ) -> Redirect:
        if await provider_kind(tenant, provider_id) == "saml":
            location = await saml.begin_login(
                request.app.state.redis, tenant, provider_id, _base(request, tenant)
            )
            return Redirect(location)
        login = await begin_login(
            request.app.state.redis,
            request.app.state.keyring,
            tenant,
            provider_id,
            _callback(request, tenant),
        )
        return Redirect(login.authorization_url)

    @get("/callback", exclude_from_auth=True, summary="The identity provider sends the browser back here")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        code: Annotated[str, QueryParameter(max_length=2000)],
        oauth_state: Annotated[str, QueryParameter(name="state", max_length=200)],
    ) -> Response[Any]:
        state_ = request.app.state
        signed_in = await finish_login(
            state_.redis, state_.keyring, tenant, code, oauth_state, _callback(request, tenant),
            client_ip(request), user_agent(request),
        )  # fmt: skip
        return _signed_in_redirect(request, tenant, signed_in)

    @post(
        "/saml/acs",
        exclude_from_auth=True,
        status_code=HTTP_303_SEE_OTHER,
        summary="SAML assertion consumer service: the identity provider's form posts the response here",
    )
    async def saml_acs(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: Annotated[SamlPost, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        signed_in = await saml.finish_login(
            request.app.state.redis, tenant, data.SAMLResponse, data.RelayState, _base(request, tenant),
            client_ip(request), user_agent(request),
        )  # fmt: skip
        return _signed_in_redirect(request, tenant, signed_in)

    @get(
        "/{provider_id:uuid}/saml/metadata",
        exclude_from_auth=True,
        media_type="application/samlmetadata+xml",
        summary="Our SAML service-provider metadata for this identity provider (entity id, ACS)",
    )
    async def saml_metadata(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        provider_id: FromPath[uuid.UUID],
    ) -> str:
        return await saml.sp_metadata(tenant, provider_id, _base(request, tenant))


class SsoDomainController(Controller):
    """Email domains this workspace proved it controls; enforcing SSO turns their password sign-in off."""

    path = "/api/v1/sso/domains"
    tags = ["sso"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]

    @post("/", status_code=HTTP_201_CREATED, summary="Claim a domain: returns the DNS TXT record to publish")
    async def claim(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[DomainClaim],
    ) -> SsoDomainOut:
        actor = Actor.of(principal, client_ip(request))
        return SsoDomainOut(**await domains.claim_domain(tenant, actor, data.domain))

    @get("/", summary="Claimed domains, their TXT records and state")
    async def list(self, tenant: NamedDependency[TenantContext]) -> list[SsoDomainOut]:
        return [SsoDomainOut(**row) for row in await domains.list_domains(tenant)]

    @post("/{domain_id:uuid}/verify", status_code=200, summary="Look the TXT record up now")
    async def verify(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        domain_id: FromPath[uuid.UUID],
    ) -> SsoDomainOut:
        settings: Settings = request.app.state.settings
        actor = Actor.of(principal, client_ip(request))
        return SsoDomainOut(**await domains.verify_domain(tenant, actor, domain_id, settings.dns_nameservers))

    @patch("/{domain_id:uuid}", summary="Enforce single sign-on for a verified domain, or stop")
    async def change(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        domain_id: FromPath[uuid.UUID],
        data: JSONBody[DomainChange],
    ) -> SsoDomainOut:
        actor = Actor.of(principal, client_ip(request))
        return SsoDomainOut(**await domains.set_enforce(tenant, actor, domain_id, data.enforce))

    @delete("/{domain_id:uuid}", summary="Forget a domain (its enforcement ends)")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        domain_id: FromPath[uuid.UUID],
    ) -> None:
        await domains.remove_domain(tenant, Actor.of(principal, client_ip(request)), domain_id)
