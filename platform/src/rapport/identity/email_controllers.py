"""Flows that go through an emailed link: password reset, email verification, invitations."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.invitations import accept_invitation, invite, pending_invitations, revoke_invitation
from rapport.identity.principal import Principal
from rapport.identity.recovery import request_password_reset, reset_password, send_verification, verify_email
from rapport.identity.schemas import (
    Accepted,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    PasswordReset,
    PasswordResetRequest,
    TokenOnly,
)
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip

__all__ = ["EmailLinkController", "InvitationController"]


class EmailLinkController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/password-reset", exclude_from_auth=True, status_code=HTTP_202_ACCEPTED,
          summary="Email a password-reset link (same answer whether or not the account exists)")  # fmt: skip
    async def request_reset(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[PasswordResetRequest],
    ) -> dict[str, str]:
        await request_password_reset(
            request.app.state.settings, request.app.state.redis, tenant, data.email, client_ip(request)
        )
        return {"detail": "If that address has an account here, a link to reset its password is on its way."}

    @post("/password-reset/confirm", exclude_from_auth=True, status_code=HTTP_204_NO_CONTENT,
          summary="Set a new password with the link's token; ends every session")  # fmt: skip
    async def confirm_reset(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[PasswordReset],
    ) -> None:
        await reset_password(tenant, data.token, data.password, client_ip(request))

    @post("/verify-email", exclude_from_auth=True, status_code=HTTP_204_NO_CONTENT,
          summary="Confirm an email address with the link's token")  # fmt: skip
    async def verify(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[TokenOnly],
    ) -> None:
        await verify_email(tenant, data.token, client_ip(request))

    @post("/verify-email/send", status_code=HTTP_202_ACCEPTED, summary="Email me a link to verify my address")
    async def send(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
    ) -> dict[str, str]:
        await send_verification(
            request.app.state.settings, tenant, principal, Actor.of(principal, client_ip(request))
        )
        return {"detail": f"A link is on its way to {principal.email}."}


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ["invitations"]

    @post("/", status_code=HTTP_201_CREATED, guards=[requires_role(Role.OWNER, Role.ADMIN)],
          summary="Invite someone by email with a role")  # fmt: skip
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[InvitationCreate],
    ) -> dict[str, uuid.UUID]:
        invitation_id = await invite(
            request.app.state.settings,
            request.app.state.redis,
            tenant,
            principal,
            Actor.of(principal, client_ip(request)),
            data.email,
            data.role,
        )
        return {"id": invitation_id}

    @get("/", guards=[requires_role(Role.OWNER, Role.ADMIN)], summary="Pending invitations")
    async def pending(self, tenant: NamedDependency[TenantContext]) -> list[InvitationOut]:
        return [InvitationOut(**row) for row in await pending_invitations(tenant)]

    @delete(
        "/{invitation_id:uuid}",
        guards=[requires_role(Role.OWNER, Role.ADMIN)],
        summary="Revoke an invitation",
    )
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        invitation_id: FromPath[uuid.UUID],
    ) -> None:
        await revoke_invitation(tenant, Actor.of(principal, client_ip(request)), invitation_id)

    @post("/accept", exclude_from_auth=True, status_code=HTTP_201_CREATED,
          summary="Accept an invitation (new people choose a password; accounts enter theirs)")  # fmt: skip
    async def accept(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        data: JSONBody[InvitationAccept],
    ) -> Accepted:
        user_id = await accept_invitation(tenant, data.token, data.password, client_ip(request))
        return Accepted(user_id=user_id, tenant=tenant.slug)
