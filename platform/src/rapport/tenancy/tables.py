"""Tenant-schema tables of the tenancy module: the workspace's own settings (one row)."""

from __future__ import annotations

from piccolo.columns import BigSerial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["WorkspaceSettings"]


class WorkspaceSettings(Table, tablename="workspace_settings"):
    """Name and locale of the workspace, shown on its sign-in page and in the app."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=200)
    timezone = Varchar(length=64, default="UTC")
    locale = Varchar(length=16, default="en")
    created_at = Timestamptz(default=TimestamptzNow())
