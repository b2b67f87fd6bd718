"""The ``identity`` module's registration (entry point ``rapport.modules: identity``)."""

from rapport.kernel.modules import Module

__all__ = ["module"]

module = Module(
    name="identity",
    piccolo_apps=["rapport.identity.piccolo_app"],
    tenant_piccolo_apps=["rapport.identity.tenant_piccolo_app"],
    depends_on=("tenancy",),
)
