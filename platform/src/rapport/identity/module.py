"""The ``identity`` module's registration (entry point ``rapport.modules: identity``)."""

from rapport.identity.access_controllers import (
    AccessController,
    MemberController,
    RoleController,
    TeamController,
)
from rapport.identity.audit_controllers import AuditController
from rapport.identity.controllers import ApiKeyController, AuthController, MeController, TotpController
from rapport.identity.email_controllers import EmailLinkController, InvitationController
from rapport.identity.sso_controllers import SsoDomainController, SsoLoginController, SsoProviderController
from rapport.kernel.modules import Module

__all__ = ["module"]

module = Module(
    name="identity",
    route_handlers=[
        AuthController,
        EmailLinkController,
        MeController,
        TotpController,
        ApiKeyController,
        InvitationController,
        SsoProviderController,
        SsoDomainController,
        SsoLoginController,
        AuditController,
        AccessController,
        RoleController,
        TeamController,
        MemberController,
    ],
    piccolo_apps=["rapport.identity.piccolo_app"],
    tenant_piccolo_apps=["rapport.identity.tenant_piccolo_app"],
    depends_on=("tenancy",),
)
