"""Bulk actions on every record matching a list's filter and search (``matching``), not only loaded ids.

The table's "select all N matching" sends the list's filter and ``q``: the action must change exactly the
matching records inside the caller's row scope, with the ids path's audit rows, events and undo, and
refuse a bad filter or too many records before writing anything.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in

Client = AsyncTestClient  # type: ignore[type-arg]
PEOPLE = [
    # last name, email: three at Acme (matched by the filter), two elsewhere
    ("Adams", "adams@acme.test"),
    ("Baker", "baker@acme.test"),
    ("Clark", "clark@acme.test"),
    ("Davis", "davis@other.test"),
    ("Evans", "evans@other.test"),
]
ACME = {"field": "email", "op": "contains", "value": "@acme"}


async def _people(client: Client, headers: dict[str, str]) -> dict[str, int]:
    ids = {}
    for last_name, email in PEOPLE:
        created = await client.post(
            "/api/v1/contacts",
            json={"last_name": last_name, "emails": [{"value": email, "primary": True}]},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        ids[last_name] = created.json()["id"]
    return ids


async def _bulk(client: Client, headers: dict[str, str], **body: Any) -> Any:
    return await client.post("/api/v1/contacts/bulk", json=body, headers=headers)


async def _rows(client: Client, headers: dict[str, str], **params: Any) -> dict[str, dict[str, Any]]:
    page = await client.get(
        "/api/v1/contacts", params={"fields": "last_name,title,tags", "limit": 200, **params}, headers=headers
    )
    assert page.status_code == 200, page.text
    return {row["last_name"]: row for row in page.json()["items"]}


async def _written(database_url: str, tenant: SignedUp) -> tuple[list[tuple[str, int]], int]:
    """The contact audit rows (action, record id) and the number of contact events in the outbox."""
    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        audited = await connection.fetch(
            f"SELECT action, object_id FROM \"{schema}\".audit_events WHERE object_type = 'contact' "
            "AND action <> 'contact.created' ORDER BY id"
        )
        events = await connection.fetchval(
            f"SELECT count(*) FROM \"{schema}\".outbox_events WHERE record_type = 'contact' "
            "AND name <> 'contact.created'"
        )
    finally:
        await connection.close()
    return [(row["action"], int(row["object_id"])) for row in audited], int(events)


async def test_matching_changes_exactly_the_matching_records_with_audit_events_and_undo(
    app_client: Client, database_url: str
) -> None:
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    ids = await _people(app_client, admin)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    await _people(app_client, stranger)  # the same people (and likely the same ids) there
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    acme = [ids["Adams"], ids["Baker"], ids["Clark"]]

    updated = await _bulk(
        app_client, admin, action="update", field="title", value="Buyer", matching={"filter": ACME}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json() == {"action": "update", "requested": 3, "changed": 3}
    assert {name: row["title"] for name, row in (await _rows(app_client, admin)).items()} == {
        "Adams": "Buyer", "Baker": "Buyer", "Clark": "Buyer", "Davis": None, "Evans": None,
    }  # fmt: skip
    assert await _written(database_url, tenant) == ([("contact.updated", record_id) for record_id in acme], 3)

    # q narrows like the list's search box; the filter and q together.
    tagged = await _bulk(app_client, admin, action="tag", tags=["Q3"], matching={"filter": ACME, "q": "ba"})
    assert tagged.json() == {"action": "tag", "requested": 1, "changed": 1}
    everyone = await _bulk(app_client, admin, action="tag", tags=["Q3", "All"], matching={})
    assert everyone.json() == {"action": "tag", "requested": 5, "changed": 5}
    tags = {name: row["tags"] for name, row in (await _rows(app_client, admin)).items()}
    assert tags == {name: ["All", "Q3"] for name, _ in PEOPLE}
    untagged = await _bulk(
        app_client, admin, action="untag", tags=["q3"],
        matching={"filter": {"and": [ACME, {"field": "tag", "op": "eq", "value": "all"}]}},
    )  # fmt: skip
    assert untagged.json() == {"action": "untag", "requested": 3, "changed": 3}
    tags = {name: row["tags"] for name, row in (await _rows(app_client, admin)).items()}
    assert tags == {"Adams": ["All"], "Baker": ["All"], "Clark": ["All"], "Davis": ["All", "Q3"],
                    "Evans": ["All", "Q3"]}  # fmt: skip

    # Delete what matches; a record deleted earlier stays deleted when the bulk delete is undone.
    assert (await _bulk(app_client, admin, action="delete", ids=[ids["Evans"]])).json()["changed"] == 1
    deleted = await _bulk(app_client, admin, action="delete", matching={"filter": ACME})
    assert deleted.status_code == 200, deleted.text
    assert {key: deleted.json()[key] for key in ("requested", "changed")} == {"requested": 3, "changed": 3}
    assert set(await _rows(app_client, admin)) == {"Davis"}
    undone = await _bulk(
        app_client, admin, action="restore",
        matching={"filter": ACME, "deleted_at": deleted.json()["deleted_at"]},
    )  # fmt: skip
    assert undone.json() == {"action": "restore", "requested": 3, "changed": 3}
    assert set(await _rows(app_client, admin)) == {"Adams", "Baker", "Clark", "Davis"}
    audited, events = await _written(database_url, tenant)
    assert [entry for entry in audited if entry[0] in ("contact.deleted", "contact.restored")] == [
        ("contact.deleted", ids["Evans"]),
        *[("contact.deleted", record_id) for record_id in acme],
        *[("contact.restored", record_id) for record_id in acme],
    ]
    assert events == len(audited)

    # The other workspace: untouched by all of it, and its own "everything" is only its own.
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    theirs = await _rows(app_client, stranger)
    assert {name: (row["title"], row["tags"]) for name, row in theirs.items()} == {
        name: (None, []) for name, _ in PEOPLE
    }
    assert await _written(database_url, other) == ([], 0)
    crossed = await _bulk(app_client, stranger, action="delete", matching={})
    assert crossed.json()["changed"] == 5
    assert await _rows(app_client, stranger) == {}
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    assert set(await _rows(app_client, admin)) == {"Adams", "Baker", "Clark", "Davis"}


async def test_matching_stays_inside_the_members_row_scope(
    app_client: Client, mail_sink: MailSink, database_url: str
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    rep_id = str(await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member"))
    ids = await _people(app_client, admin)
    given = await _bulk(app_client, admin, action="assign", owner_id=rep_id, ids=[ids["Adams"], ids["Davis"]])
    assert given.json()["changed"] == 2

    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    everything = await _bulk(app_client, rep, action="update", field="title", value="Mine", matching={})
    assert everything.json() == {"action": "update", "requested": 2, "changed": 2}
    at_acme = await _bulk(app_client, rep, action="tag", tags=["Rep"], matching={"filter": ACME})
    assert at_acme.json() == {"action": "tag", "requested": 1, "changed": 1}  # Adams; not Baker or Clark
    refused = await _bulk(app_client, rep, action="delete", matching={"filter": ACME})
    assert refused.status_code == 403  # members may not delete

    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    rows = await _rows(app_client, admin)
    assert {name: (row["title"], row["tags"]) for name, row in rows.items()} == {
        "Adams": ("Mine", ["Rep"]), "Baker": (None, []), "Clark": (None, []), "Davis": ("Mine", []),
        "Evans": (None, []),
    }  # fmt: skip


async def test_matching_refuses_bad_filters_and_too_many_records_before_writing(
    app_client: Client, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    ids = await _people(app_client, admin)
    tag = {"action": "tag", "tags": ["X"]}

    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"matching": {"filter": {"field": "nope", "op": "eq", "value": 1}}}, 422, "matching.filter.field"),
        ({"matching": {"filter": {"field": "email", "op": "gt", "value": "a"}}}, 422, "matching.filter.op"),
        ({"matching": {"filter": {"and": [ACME, {"field": "company", "op": "eq", "value": "x"}]}}}, 422,
         "matching.filter.and.1"),
        ({"matching": {"filter": {"or": []}}}, 422, "matching.filter.or"),
        ({"matching": {"filter": ACME}, "ids": [ids["Adams"]]}, 422, "matching"),
        ({}, 422, "ids"),
        ({"matching": {"filter": ACME, "deleted_at": "2026-01-01T00:00:00Z"}}, 422, "matching.deleted_at"),
    ]  # fmt: skip
    for extra, status, field in cases:
        answer = await _bulk(app_client, admin, **tag, **extra)
        assert answer.status_code == status, (extra, answer.text)
        problem = answer.json()
        assert problem["type"].endswith("validation-error"), problem
        assert problem["errors"][0]["field"] == field, (extra, problem)
    too_long = await _bulk(app_client, admin, **tag, matching={"q": "x" * 201})
    assert too_long.status_code == 422, too_long.text  # the body's own limits (as the list's q)
    assert "matching.q" in json.dumps(too_long.json()), too_long.text

    # More records than the limit: refused with a 422 naming "matching", nothing tagged or deleted.
    monkeypatch.setattr("rapport.crm.bulk.MAX_MATCHING", 4)
    for body in (tag, {"action": "delete"}, {"action": "update", "field": "title", "value": "Y"}):
        over = await _bulk(app_client, admin, **body, matching={})
        assert over.status_code == 422, over.text
        assert over.json()["errors"] == [
            {"field": "matching", "message": "at most 4 records; narrow the filter"}
        ]
    rows = await _rows(app_client, admin)
    assert {name: (row["title"], row["tags"]) for name, row in rows.items()} == {
        name: (None, []) for name, _ in PEOPLE
    }
    assert await _written(database_url, tenant) == ([], 0)
    within = await _bulk(app_client, admin, **tag, matching={"filter": ACME})
    assert within.json() == {"action": "tag", "requested": 3, "changed": 3}
