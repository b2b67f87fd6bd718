"""Side effects of automation actions that need the database or a job: round-robin, recipients, mail."""

from __future__ import annotations

import uuid

from rapport.kernel.db import transaction_connection

__all__ = ["next_in_team", "recipient", "send_mail_later"]


async def next_in_team(rule_id: int, team_id: int, *, advance: bool) -> uuid.UUID | None:
    """The team member whose turn it is (members in a stable order), moving the rule's turn on."""
    members: list[uuid.UUID] = [
        row["user_id"]
        for row in await transaction_connection().fetch(
            "SELECT tm.user_id FROM team_members tm "
            "JOIN memberships m ON m.user_id = tm.user_id AND m.active "
            "WHERE tm.team = $1 ORDER BY tm.user_id",
            team_id,
        )
    ]
    if not members:
        return None
    sql = (
        "UPDATE automation_rules SET round_robin_position = round_robin_position + 1 WHERE id = $1 "
        "RETURNING round_robin_position - 1"
        if advance
        else "SELECT round_robin_position FROM automation_rules WHERE id = $1"
    )
    position: int = await transaction_connection().fetchval(sql, rule_id)
    return members[position % len(members)]


async def recipient(to: str, owner_id: object) -> str | None:
    """``owner`` is the record owner's address; anything else is an address already."""
    if to != "owner":
        return to
    if not isinstance(owner_id, uuid.UUID):
        return None
    email: str | None = await transaction_connection().fetchval(
        "SELECT email FROM control.users WHERE id = $1", owner_id
    )
    return email


def send_mail_later(to: str, subject: str, body: str) -> None:
    from rapport.automation.jobs import send_mail

    send_mail.send(to, subject, body)
