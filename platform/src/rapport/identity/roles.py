"""Administering access: custom roles, teams, and members' roles, teams and active flag.

Built-in roles are defined in code and cannot be changed; admins create custom roles (optionally
starting from a built-in one) and give them to members. Every change is audited in its transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity import audit
from rapport.identity.access import BUILTIN_ROLES, RoleSpec, parse_permissions
from rapport.identity.audit import Actor
from rapport.identity.principal import Principal
from rapport.identity.role_tables import CustomRole, Team, TeamMember
from rapport.identity.tables import Membership, Role
from rapport.kernel.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = [
    "create_role",
    "create_team",
    "delete_role",
    "delete_team",
    "get_role",
    "list_members",
    "list_roles",
    "list_teams",
    "role_exists",
    "update_member",
    "update_role",
    "update_team",
]

ROLE_KEY = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def _custom(row: Mapping[str, Any]) -> RoleSpec:
    return RoleSpec.custom(row["key"], row["name"], row["description"], row["permissions"])


async def list_roles(tenant: TenantContext) -> list[RoleSpec]:
    """The built-in roles, then the custom ones by name."""
    async with tenant_transaction(tenant):
        rows = await CustomRole.select().order_by(CustomRole.name)
    return [*BUILTIN_ROLES.values(), *(_custom(row) for row in rows)]


async def get_role(tenant: TenantContext, key: str) -> RoleSpec:
    if key in BUILTIN_ROLES:
        return BUILTIN_ROLES[key]
    async with tenant_transaction(tenant):
        row = await CustomRole.select().where(CustomRole.key == key).first()
    if row is None:
        raise NotFoundError(f"No role {key!r}.")
    return _custom(row)


async def role_exists(key: str) -> bool:
    """Whether ``key`` is a built-in role or a custom role of the current tenant transaction."""
    return key in BUILTIN_ROLES or await CustomRole.exists().where(CustomRole.key == key)


def _permissions_document(permissions: Any, based_on: str | None, kinds: Mapping[str, ObjectType]) -> str:
    if permissions is None:
        if based_on is None:
            raise ValidationFailed(
                "Give the role permissions, or a role to start from.",
                errors=[FieldError("permissions", "required unless based_on names a role")],
            )
        if based_on not in BUILTIN_ROLES:
            raise ValidationFailed(
                "A custom role can start from a built-in role.",
                errors=[FieldError("based_on", f"must be one of: {', '.join(BUILTIN_ROLES)}")],
            )
        return json.dumps(BUILTIN_ROLES[based_on].permissions_json())
    rules = parse_permissions(permissions, kinds)
    return json.dumps({"objects": {kind: rule.to_json() for kind, rule in rules.items()}})


async def create_role(
    tenant: TenantContext,
    actor: Actor,
    kinds: Mapping[str, ObjectType],
    *,
    key: str,
    name: str,
    description: str = "",
    permissions: Any = None,
    based_on: str | None = None,
) -> RoleSpec:
    if not ROLE_KEY.match(key):
        raise ValidationFailed(
            "The role key is not valid.",
            errors=[
                FieldError(
                    "key", "2 to 32 characters: lowercase letters, digits and '-', starting with a letter"
                )
            ],
        )
    if key in BUILTIN_ROLES:
        raise ConflictError(
            f"{key!r} is a built-in role.", errors=[FieldError("key", "taken by a built-in role")]
        )
    document = _permissions_document(permissions, based_on, kinds)
    async with tenant_transaction(tenant):
        if await CustomRole.exists().where(CustomRole.key == key):
            raise ConflictError(
                f"A role {key!r} exists already.", errors=[FieldError("key", "already taken")]
            )
        await CustomRole.insert(CustomRole(key=key, name=name, description=description, permissions=document))
        await audit.record(
            actor, "role.created", "role", key, {"name": (None, name), "permissions": (None, document)}
        )
    return await get_role(tenant, key)


def _refuse_builtin(key: str) -> None:
    if key in BUILTIN_ROLES:
        raise ConflictError(
            f"The built-in role {key!r} cannot be changed; create a custom role based on it instead."
        )


async def update_role(
    tenant: TenantContext,
    actor: Actor,
    kinds: Mapping[str, ObjectType],
    key: str,
    changes: Mapping[str, Any],
) -> RoleSpec:
    """Change a custom role's name, description or permissions; members holding it are affected at once."""
    _refuse_builtin(key)
    values: dict[str, Any] = {name: changes[name] for name in ("name", "description") if name in changes}
    if "permissions" in changes:
        values["permissions"] = _permissions_document(changes["permissions"], None, kinds)
    async with tenant_transaction(tenant):
        before = await CustomRole.select().where(CustomRole.key == key).first()
        if before is None:
            raise NotFoundError(f"No role {key!r}.")
        if "permissions" in values:
            before["permissions"] = json.dumps(json.loads(before["permissions"]))
        diff = {name: (before[name], value) for name, value in values.items() if before[name] != value}
        if diff:
            await CustomRole.update(
                {
                    **{getattr(CustomRole, name): value for name, value in values.items()},
                    CustomRole.updated_at: _now(),
                }
            ).where(CustomRole.key == key)
            await audit.record(actor, "role.updated", "role", key, diff)
    return await get_role(tenant, key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def delete_role(tenant: TenantContext, actor: Actor, key: str) -> None:
    """Delete a custom role no member holds and no pending invitation offers."""
    _refuse_builtin(key)
    async with tenant_transaction(tenant) as transaction:
        row = await CustomRole.select(CustomRole.name).where(CustomRole.key == key).first()
        if row is None:
            raise NotFoundError(f"No role {key!r}.")
        holders = await Membership.count().where(Membership.role == key)
        invited = await transaction.connection.fetchval(
            "SELECT count(*) FROM control.action_tokens WHERE tenant_id = $1 AND role = $2 "
            "AND used_at IS NULL AND expires_at > now()",
            tenant.id,
            key,
        )
        if holders or invited:
            raise ConflictError(
                f"The role {key!r} is in use ({holders} members, {invited} pending invitations); "
                "give them another role first.",
                members=holders,
                invitations=invited,
            )
        await CustomRole.delete().where(CustomRole.key == key)
        await audit.record(actor, "role.deleted", "role", key, {"name": (row["name"], None)})


# --- teams -------------------------------------------------------------------------------------------


async def list_teams(tenant: TenantContext) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant) as transaction:
        rows = await transaction.connection.fetch(
            "SELECT t.id, t.name, t.created_at, "
            "array_remove(array_agg(m.user_id ORDER BY m.user_id), NULL) AS members "
            "FROM teams t LEFT JOIN team_members m ON m.team = t.id GROUP BY t.id ORDER BY t.name"
        )
    return [dict(row) for row in rows]


async def _check_members(user_ids: Sequence[uuid.UUID]) -> None:
    known = (
        {
            row["user_id"]
            for row in await Membership.select(Membership.user_id).where(
                Membership.user_id.is_in(list(user_ids))
            )
        }
        if user_ids
        else set()
    )
    unknown = [str(user_id) for user_id in user_ids if user_id not in known]
    if unknown:
        raise ValidationFailed(
            "Only members of this workspace can join a team.",
            errors=[FieldError("members", f"not members: {', '.join(unknown)}")],
        )


async def _set_team_members(team_id: int, user_ids: Sequence[uuid.UUID]) -> None:
    await TeamMember.delete().where(TeamMember.team == team_id)
    if user_ids:
        await TeamMember.insert(
            *(TeamMember(team=team_id, user_id=user_id) for user_id in dict.fromkeys(user_ids))
        )


async def create_team(
    tenant: TenantContext, actor: Actor, name: str, members: Sequence[uuid.UUID]
) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        if await Team.exists().where(Team.name == name):
            raise ConflictError(
                f"A team {name!r} exists already.", errors=[FieldError("name", "already taken")]
            )
        await _check_members(members)
        inserted = await Team.insert(Team(name=name)).returning(Team.id)
        team_id = inserted[0]["id"]
        await _set_team_members(team_id, members)
        await audit.record(
            actor,
            "team.created",
            "team",
            team_id,
            {"name": (None, name), "members": (None, sorted(map(str, members)))},
        )
    return await _team(tenant, team_id)


async def _team(tenant: TenantContext, team_id: int) -> dict[str, Any]:
    for team in await list_teams(tenant):
        if team["id"] == team_id:
            return team
    raise NotFoundError(f"No team {team_id}.")


async def update_team(
    tenant: TenantContext, actor: Actor, team_id: int, name: str | None, members: Sequence[uuid.UUID] | None
) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        before = await Team.select(Team.name).where(Team.id == team_id).first()
        if before is None:
            raise NotFoundError(f"No team {team_id}.")
        old_members = sorted(
            str(row["user_id"])
            for row in await TeamMember.select(TeamMember.user_id).where(TeamMember.team == team_id)
        )
        diff: dict[str, tuple[Any, Any]] = {}
        if name is not None and name != before["name"]:
            if await Team.exists().where((Team.name == name) & (Team.id != team_id)):
                raise ConflictError(
                    f"A team {name!r} exists already.", errors=[FieldError("name", "already taken")]
                )
            await Team.update({Team.name: name}).where(Team.id == team_id)
            diff["name"] = (before["name"], name)
        if members is not None and sorted(map(str, set(members))) != old_members:
            await _check_members(members)
            await _set_team_members(team_id, members)
            diff["members"] = (old_members, sorted(map(str, set(members))))
        if diff:
            await audit.record(actor, "team.updated", "team", team_id, diff)
    return await _team(tenant, team_id)


async def delete_team(tenant: TenantContext, actor: Actor, team_id: int) -> None:
    async with tenant_transaction(tenant):
        before = await Team.select(Team.name).where(Team.id == team_id).first()
        if before is None:
            raise NotFoundError(f"No team {team_id}.")
        await Team.delete().where(Team.id == team_id)
        await audit.record(actor, "team.deleted", "team", team_id, {"name": (before["name"], None)})


# --- members -----------------------------------------------------------------------------------------

_MEMBERS_SQL = """
SELECT m.id, m.user_id, u.email, m.role, m.active, m.created_at,
       array_remove(array_agg(tm.team ORDER BY tm.team), NULL) AS teams
FROM memberships m
JOIN control.users u ON u.id = m.user_id
LEFT JOIN team_members tm ON tm.user_id = m.user_id
WHERE ($1::bigint IS NULL OR m.id > $1) AND ($2::uuid IS NULL OR m.user_id = $2)
GROUP BY m.id, u.email
ORDER BY m.id
LIMIT $3
"""


async def list_members(
    tenant: TenantContext, after: int | None = None, limit: int = 50, user_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Members in joining order (keyset on the membership id), with their email, role and team ids."""
    async with tenant_transaction(tenant) as transaction:
        rows = await transaction.connection.fetch(_MEMBERS_SQL, after, user_id, limit)
    return [dict(row) for row in rows]


async def update_member(
    tenant: TenantContext,
    actor: Actor,
    principal: Principal,
    user_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """Change a member's role, active flag or teams. Only owners grant or take the owner role, and the
    workspace always keeps one active owner."""
    async with tenant_transaction(tenant):
        before = (
            await Membership.select(Membership.role, Membership.active)
            .where(Membership.user_id == user_id)
            .first()
        )
        if before is None:
            raise NotFoundError("No such member in this workspace.")
        role = changes.get("role", before["role"])
        active = changes.get("active", before["active"])
        if role != before["role"] and not await role_exists(role):
            raise ValidationFailed("No such role.", errors=[FieldError("role", f"unknown role {role!r}")])
        touches_owner = Role.OWNER.value in {role, before["role"]} and (role, active) != (
            before["role"],
            before["active"],
        )
        if touches_owner and principal.role != Role.OWNER.value:
            raise ForbiddenError("Only an owner can give or take the owner role, or deactivate an owner.")
        if (
            before["role"] == Role.OWNER.value
            and before["active"]
            and (role != Role.OWNER.value or not active)
        ):
            owners = await Membership.count().where(
                (Membership.role == Role.OWNER.value) & (Membership.active.eq(True))
            )
            if owners <= 1:
                raise ConflictError("The workspace needs an active owner; make someone else owner first.")
        diff = {
            name: (before[name], value)
            for name, value in (("role", role), ("active", active))
            if before[name] != value
        }
        if diff:
            await Membership.update({Membership.role: role, Membership.active: active}).where(
                Membership.user_id == user_id
            )
        if "teams" in changes:
            diff.update(await _set_member_teams(user_id, changes["teams"]))
        if diff:
            await audit.record(actor, "membership.updated", "user", user_id, diff)
    (member,) = await list_members(tenant, user_id=user_id)
    return member


async def _set_member_teams(user_id: uuid.UUID, team_ids: Sequence[int]) -> dict[str, tuple[Any, Any]]:
    wanted = sorted(set(team_ids))
    known = (
        {row["id"] for row in await Team.select(Team.id).where(Team.id.is_in(wanted))} if wanted else set()
    )
    unknown = [team_id for team_id in wanted if team_id not in known]
    if unknown:
        raise ValidationFailed("No such team.", errors=[FieldError("teams", f"unknown team ids: {unknown}")])
    current = sorted(
        row["team"] for row in await TeamMember.select(TeamMember.team).where(TeamMember.user_id == user_id)
    )
    if current == wanted:
        return {}
    await TeamMember.delete().where(TeamMember.user_id == user_id)
    if wanted:
        await TeamMember.insert(*(TeamMember(team=team_id, user_id=user_id) for team_id in wanted))
    return {"teams": (current, wanted)}
