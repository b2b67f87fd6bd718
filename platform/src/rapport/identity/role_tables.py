"""Per-tenant access tables: custom roles, teams and who is in them (every tenant schema)."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigSerial, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

__all__ = ["CustomRole", "Team", "TeamMember"]


class CustomRole(Table, tablename="roles"):
    """A role defined by the tenant's admins; the built-in roles live in code (``rapport.identity.roles``)."""

    id = BigSerial(primary_key=True)
    key = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    description = Varchar(length=500, default="")
    permissions = JSONB(default={})
    """``{"objects": {"<object type or *>": {"ops": [...], "scope": "own|team|all", "fields": {...}}}}``"""
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Team(Table, tablename="teams"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=100, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TeamMember(Table, tablename="team_members"):
    """A member of a team; row scope ``team`` covers records owned by anyone sharing a team with you."""

    id = BigSerial(primary_key=True)
    team = ForeignKey(references=Team, on_delete=OnDelete.cascade, null=False)
    user_id = UUID(index=True)

    unique_team_user = Unique([team, user_id])
