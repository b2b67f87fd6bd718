"""Permissions: what a member's role lets them do with each object type.

A role grants, per object type (or ``*`` for every type it does not name): operations (create, read,
update, delete, export), a row scope (own, team, all) and field rules (hidden, read-only). Enforcement
lives in one place: guards (:func:`requires_permission`) check the operation, and the query layer
(:mod:`rapport.identity.records`) applies the row scope and field rules through :class:`Access`, so lists,
record pages, search, export, the API and later webhooks and plugins all obey the same rule.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from rapport_tenants.context import TenantContext
from rapport_tenants.names import check_schema_name

from rapport.identity.principal import Principal
from rapport.identity.tables import Membership
from rapport.kernel.errors import FieldError, ForbiddenError, ValidationFailed
from rapport.kernel.objects import ObjectType
from rapport.kernel.ratelimit import TENANT_SCOPE_KEY

__all__ = [
    "ANY_OBJECT",
    "BUILTIN_ROLES",
    "OPS",
    "Access",
    "FieldRule",
    "ObjectRule",
    "PermissionDenied",
    "RoleSpec",
    "Scope",
    "access_columns",
    "access_from_row",
    "access_of",
    "load_access",
    "parse_permissions",
    "provide_access",
    "requires_permission",
]

OPS = ("create", "read", "update", "delete", "export")
READ_OPS = frozenset({"read", "export"})
ANY_OBJECT = "*"
ACCESS_STATE_KEY = "rapport_access"


class Scope(StrEnum):
    OWN = "own"
    TEAM = "team"
    ALL = "all"


class FieldRule(StrEnum):
    HIDDEN = "hidden"
    READ_ONLY = "read_only"


class PermissionDenied(ForbiddenError):
    type_slug = "permission-denied"
    title = "Your role does not allow this"


@dataclass(frozen=True, slots=True)
class ObjectRule:
    """What a role may do with one object type."""

    ops: frozenset[str] = frozenset()
    scope: Scope = Scope.OWN
    fields: Mapping[str, FieldRule] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ops": [op for op in OPS if op in self.ops],
            "scope": self.scope.value,
            "fields": {name: rule.value for name, rule in sorted(self.fields.items())},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ObjectRule:
        return cls(
            ops=frozenset(op for op in raw.get("ops", ()) if op in OPS),
            scope=Scope(raw.get("scope", Scope.OWN)),
            fields={name: FieldRule(rule) for name, rule in (raw.get("fields") or {}).items()},
        )


NO_ACCESS = ObjectRule()
ALL_OPS = frozenset(OPS)


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """A role: built in (defined here, alike in every tenant) or custom (a row in the tenant's ``roles``)."""

    key: str
    name: str
    description: str = ""
    builtin: bool = False
    admin: bool = False
    """Administers the workspace (members, roles, SSO, audit log). Only the owner and admin roles do."""
    objects: Mapping[str, ObjectRule] = field(default_factory=dict)

    def rule(self, kind: str) -> ObjectRule:
        return self.objects.get(kind) or self.objects.get(ANY_OBJECT) or NO_ACCESS

    def permissions_json(self) -> dict[str, Any]:
        return {"objects": {kind: rule.to_json() for kind, rule in sorted(self.objects.items())}}

    @classmethod
    def custom(cls, key: str, name: str, description: str, permissions: Any) -> RoleSpec:
        raw = json.loads(permissions) if isinstance(permissions, str) else permissions
        objects = {kind: ObjectRule.from_json(rule) for kind, rule in (raw or {}).get("objects", {}).items()}
        return cls(key=key, name=name, description=description, objects=objects)


def _builtin(key: str, name: str, description: str, rule: ObjectRule, admin: bool = False) -> RoleSpec:
    return RoleSpec(key, name, description, builtin=True, admin=admin, objects={ANY_OBJECT: rule})


_EVERYTHING = ObjectRule(ALL_OPS, Scope.ALL)
BUILTIN_ROLES: dict[str, RoleSpec] = {
    spec.key: spec
    for spec in (
        _builtin("owner", "Owner", "Everything, including the workspace itself.", _EVERYTHING, admin=True),
        _builtin("admin", "Admin", "Everything; administers people, roles and SSO.", _EVERYTHING, admin=True),
        _builtin(
            "manager", "Manager", "Every operation on the records of their teams.",
            ObjectRule(ALL_OPS, Scope.TEAM),
        ),
        _builtin(
            "member", "Member", "Creates records; reads and edits their own.",
            ObjectRule(frozenset({"create", "read", "update"}), Scope.OWN),
        ),
        _builtin(
            "read-only", "Read-only", "Reads every record; changes nothing.",
            ObjectRule(frozenset({"read"}), Scope.ALL),
        ),
    )
}  # fmt: skip


def parse_permissions(raw: Any, kinds: Mapping[str, ObjectType]) -> dict[str, ObjectRule]:
    """Check a role's permissions document against the known object types; every problem at once."""
    errors: list[FieldError] = []
    if not isinstance(raw, Mapping) or not isinstance(raw.get("objects"), Mapping):
        raise ValidationFailed(
            "The permissions are not valid.",
            errors=[FieldError("permissions.objects", "must be an object keyed by object type")],
        )
    rules: dict[str, ObjectRule] = {}
    for kind, rule in raw["objects"].items():
        path = f"permissions.objects.{kind}"
        if kind != ANY_OBJECT and kind not in kinds:
            errors.append(
                FieldError(path, f"unknown object type; known: {', '.join(sorted(kinds)) or 'none'}")
            )
            continue
        if not isinstance(rule, Mapping):
            errors.append(FieldError(path, "must be an object with ops, scope and fields"))
            continue
        problems = _rule_problems(rule, kinds.get(kind))
        errors.extend(FieldError(f"{path}.{where}", message) for where, message in problems)
        if not problems:
            rules[kind] = ObjectRule.from_json(rule)
    if errors:
        raise ValidationFailed("The permissions are not valid.", errors=errors)
    return rules


def _rule_problems(rule: Mapping[str, Any], kind: ObjectType | None) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    unknown_keys = set(rule) - {"ops", "scope", "fields"}
    if unknown_keys:
        problems.append((sorted(unknown_keys)[0], "unknown key; use ops, scope and fields"))
    ops = rule.get("ops", [])
    if not isinstance(ops, list) or any(op not in OPS for op in ops):
        problems.append(("ops", f"must be a list of: {', '.join(OPS)}"))
    if rule.get("scope", Scope.OWN) not in {scope.value for scope in Scope}:
        problems.append(("scope", "must be one of: own, team, all"))
    fields = rule.get("fields", {})
    if not isinstance(fields, Mapping):
        return [*problems, ("fields", "must map field names to hidden or read_only")]
    for name, value in fields.items():
        if value not in {rule.value for rule in FieldRule}:
            problems.append((f"fields.{name}", "must be hidden or read_only"))
        elif kind is None:
            problems.append((f"fields.{name}", "field rules need a named object type, not *"))
        elif name not in kind.fields:
            problems.append((f"fields.{name}", f"{kind.label} has no field {name!r}"))
    return problems


@dataclass(frozen=True, slots=True)
class Access:
    """One member's permissions in the request's tenant, with the people their row scope ``team`` covers."""

    user_id: uuid.UUID
    role: RoleSpec
    teammates: frozenset[uuid.UUID]
    """The member and everyone who shares a team with them."""
    scopes: frozenset[str] | None = None
    """An API key's scopes (``read``, ``write``); None for a browser session."""

    def allows(self, kind: str, op: str) -> bool:
        if op not in self.role.rule(kind).ops:
            return False
        if self.scopes is None:
            return True
        return ("read" if op in READ_OPS else "write") in self.scopes

    def require(self, kind: ObjectType | str, op: str) -> None:
        name = kind if isinstance(kind, str) else kind.name
        if not self.allows(name, op):
            label = name if isinstance(kind, str) else kind.label
            raise PermissionDenied(
                f"The role {self.role.name} may not {op} {label}.", object_type=name, op=op
            )

    def hidden(self, kind: str) -> frozenset[str]:
        rules = self.role.rule(kind).fields
        return frozenset(name for name, rule in rules.items() if rule is FieldRule.HIDDEN)

    def read_only(self, kind: str) -> frozenset[str]:
        """Fields this member may not set: hidden ones included."""
        return frozenset(self.role.rule(kind).fields)

    def visible_columns(self, kind: ObjectType) -> list[Any]:
        hidden = kind.columns_of(self.hidden(kind.name))
        return [column for column in kind.table._meta.columns if column._meta.name not in hidden]

    def row_filter(self, kind: ObjectType) -> Any | None:
        """A Piccolo ``where`` clause limiting rows to this member's scope; None when they see every row."""
        scope = self.role.rule(kind.name).scope
        owner = kind.column(kind.owner_field)
        if scope is Scope.ALL:
            return None
        if scope is Scope.TEAM and len(self.teammates) > 1:
            return owner.is_in(sorted(self.teammates))
        return owner == self.user_id

    def scope_owners(self, kind: ObjectType) -> frozenset[uuid.UUID] | None:
        """The owners whose records this member sees (for hand-written SQL); None when they see all."""
        scope = self.role.rule(kind.name).scope
        if scope is Scope.ALL:
            return None
        return self.teammates if scope is Scope.TEAM else frozenset({self.user_id})

    def may_own(self, kind: ObjectType, owner_id: uuid.UUID | None) -> bool:
        """Whether a record owned by ``owner_id`` is within this member's row scope."""
        scope = self.role.rule(kind.name).scope
        if scope is Scope.ALL:
            return True
        return owner_id in (self.teammates if scope is Scope.TEAM else {self.user_id})

    def check_fields(self, kind: ObjectType, names: Iterable[str], *, writing: bool) -> None:
        """Refuse a write to read-only or hidden fields, or a filter, sort or search on hidden ones."""
        closed = self.read_only(kind.name) if writing else self.hidden(kind.name)
        refused = sorted({kind.field_of(name) for name in names} & closed)
        if refused:
            verb = "change" if writing else "use"
            raise PermissionDenied(
                f"The role {self.role.name} may not {verb} these {kind.label} fields: {', '.join(refused)}.",
                errors=[FieldError(name, "not allowed for your role") for name in refused],
            )

    def redact(self, kind: ObjectType, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` without the columns hidden from this member."""
        hidden = kind.columns_of(self.hidden(kind.name))
        return {key: value for key, value in row.items() if key not in hidden}


def access_columns(schema: str, role: str, user_id: str) -> str:
    """SQL for the two columns an :class:`Access` is built from (see :func:`access_from_row`).

    ``role`` and ``user_id`` are SQL expressions (a parameter placeholder or a joined column), so the
    sign-in lookups can fetch the member's access in the statement that checks their credential.
    ``schema`` must have passed ``check_schema_name``.
    """
    return (
        "(SELECT json_build_object('name', name, 'description', description, 'permissions', permissions) "
        f'FROM "{schema}".roles WHERE key = {role}) AS access_custom, '
        f'ARRAY(SELECT DISTINCT mate.user_id FROM "{schema}".team_members mine '
        f'JOIN "{schema}".team_members mate ON mate.team = mine.team WHERE mine.user_id = {user_id}) '
        "AS access_mates"
    )


def access_from_row(principal: Principal, row: Mapping[str, Any]) -> Access:
    """The principal's :class:`Access` from a row holding :func:`access_columns`."""
    role = BUILTIN_ROLES.get(principal.role)
    if role is None:
        custom = row["access_custom"]
        custom = json.loads(custom) if isinstance(custom, str) else custom
        role = (
            RoleSpec.custom(principal.role, custom["name"], custom["description"], custom["permissions"])
            if custom
            else RoleSpec(principal.role, principal.role)  # a role that no longer exists grants nothing
        )
    return Access(
        user_id=principal.user_id,
        role=role,
        teammates=frozenset({principal.user_id, *row["access_mates"]}),
        scopes=principal.scopes if principal.via == "api_key" else None,
    )


async def load_access(tenant: TenantContext, principal: Principal) -> Access:
    """The principal's permissions in ``tenant``: their role's rules and their teammates.

    One statement on the tenant's schema-qualified tables (no transaction of its own). Requests get it
    from the statement that checked their session or key instead (see ``AuthMiddleware``).
    """
    schema = check_schema_name(tenant.schema_name)
    columns = access_columns(schema, "{}", "{}")
    rows = await Membership.raw(f"SELECT {columns}", principal.role, principal.user_id)
    return access_from_row(principal, rows[0])


async def access_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Access:
    """The calling member's :class:`Access`, loaded once per request."""
    state = connection.scope.setdefault("state", {})
    cached: Access | None = state.get(ACCESS_STATE_KEY)
    if cached is None:
        cached = await load_access(state[TENANT_SCOPE_KEY], connection.user)
        state[ACCESS_STATE_KEY] = cached
    return cached


async def provide_access(
    request: ASGIConnection[Any, Any, Any, Any], principal: NamedDependency[Principal]
) -> Access:
    """The ``access`` dependency; after ``principal`` (see ``provide_principal``) for the same reason."""
    del principal
    return await access_of(request)


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Coroutine[Any, Any, None]]


def requires_permission(kind: str, op: str) -> Guard:
    """A guard: the member's role must allow ``op`` on object type ``kind``."""
    if op not in OPS:
        raise ValueError(f"unknown operation {op!r}")

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        (await access_of(connection)).require(kind, op)

    guard.__name__ = f"requires_{op}_{kind}"
    return guard
