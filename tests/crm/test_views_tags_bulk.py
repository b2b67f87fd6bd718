"""Saved views (personal and shared), tags (filter, list field) and bulk actions (set-based, scoped)."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in


async def _contacts(client: AsyncTestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    page = await client.get("/api/v1/contacts", params=params, headers=headers)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


async def test_views_tags_and_bulk_actions(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    mail_sink: MailSink,
    database_url: str,
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    rep_id = str(await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member"))
    ids = []
    for name in ("Adams", "Baker", "Clark", "Davis"):
        created = await app_client.post("/api/v1/contacts", json={"last_name": name}, headers=admin)
        ids.append(created.json()["id"])

    # Tags: bulk add, filter, list field, remove.
    tagged = await app_client.post(
        "/api/v1/contacts/bulk",
        json={"ids": ids[:3], "action": "tag", "tags": ["VIP", "2026"]},
        headers=admin,
    )
    assert tagged.json() == {"action": "tag", "requested": 3, "changed": 3}
    again = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids[:3], "action": "tag", "tags": ["vip"]}, headers=admin
    )
    assert again.json()["changed"] == 0  # case-insensitive names, one tagging per record
    vip = {"field": "tag", "op": "eq", "value": "vip"}
    assert [c["last_name"] for c in await _contacts(app_client, admin, filter=json.dumps(vip))] == [
        "Adams", "Baker", "Clark"
    ]  # fmt: skip
    not_vip = await _contacts(app_client, admin, filter=json.dumps({**vip, "op": "ne"}))
    assert [c["last_name"] for c in not_vip] == ["Davis"]
    with_tags = await _contacts(app_client, admin, fields="last_name,tags")
    assert {c["last_name"]: c["tags"] for c in with_tags} == {
        "Adams": ["2026", "VIP"], "Baker": ["2026", "VIP"], "Clark": ["2026", "VIP"], "Davis": []
    }  # fmt: skip
    assert [
        t["name"] for t in (await app_client.get("/api/v1/tags", params={"q": "v"}, headers=admin)).json()
    ] == ["VIP"]
    untagged = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": [ids[0]], "action": "untag", "tags": ["VIP"]}, headers=admin
    )
    assert untagged.json()["changed"] == 1

    # Views: saved, checked, applied; shared ones are seen by others and changed only by author or admin.
    bad = await app_client.post(
        "/api/v1/views",
        json={"object_type": "contact", "name": "Bad", "filter": {"field": "nope", "op": "eq", "value": 1}},
        headers=admin,
    )
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "filter.field")
    bad_sort = await app_client.post(
        "/api/v1/views", json={"object_type": "contact", "name": "Bad", "sort": "emails"}, headers=admin
    )
    assert bad_sort.status_code == 422
    view = await app_client.post(
        "/api/v1/views",
        json={"object_type": "contact", "name": "VIPs", "shared": True, "filter": vip, "sort": "-last_name",
              "columns": ["last_name", "title"]},
        headers=admin,
    )  # fmt: skip
    assert view.status_code == 201, view.text
    applied = await _contacts(app_client, admin, view=view.json()["id"])
    assert applied == [
        {"id": ids[2], "last_name": "Clark", "title": None},
        {"id": ids[1], "last_name": "Baker", "title": None},
    ]
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    mine = await app_client.post(
        "/api/v1/views", json={"object_type": "contact", "name": "Mine"}, headers=rep
    )
    assert mine.status_code == 201
    seen = await app_client.get("/api/v1/views", params={"object_type": "contact"}, headers=rep)
    assert [v["name"] for v in seen.json()] == ["VIPs", "Mine"]
    admin_sees = await app_client.get("/api/v1/views", params={"object_type": "contact"}, headers=admin)
    assert [v["name"] for v in admin_sees.json()] == ["VIPs"]  # another person's private view stays theirs
    assert (
        await app_client.patch(f"/api/v1/views/{view.json()['id']}", json={"name": "Mine now"}, headers=rep)
    ).status_code == 403
    assert (await app_client.delete(f"/api/v1/views/{mine.json()['id']}", headers=admin)).status_code == 404

    # Bulk: assign, update a field, delete and restore; the member's scope limits what they touch.
    refused = await app_client.post(
        "/api/v1/contacts/bulk",
        json={"ids": ids, "action": "update", "field": "last_name", "value": "X"},
        headers=admin,
    )
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "field")
    titled = await app_client.post(
        "/api/v1/contacts/bulk",
        json={"ids": ids, "action": "update", "field": "title", "value": "Buyer"},
        headers=admin,
    )
    assert titled.json()["changed"] == 4
    assigned = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids[:2], "action": "assign", "owner_id": rep_id}, headers=admin
    )
    assert assigned.json()["changed"] == 2
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    by_rep = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids, "action": "update", "field": "title", "value": "Champion"},
        headers=rep,
    )  # fmt: skip
    assert by_rep.json() == {"action": "update", "requested": 4, "changed": 2}  # only their own two
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    deleted = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids[2:], "action": "delete"}, headers=admin
    )
    assert deleted.json()["changed"] == 2
    assert len(await _contacts(app_client, admin)) == 2
    restored = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids, "action": "restore"}, headers=admin
    )
    assert restored.json()["changed"] == 2
    assert [c["title"] for c in await _contacts(app_client, admin, sort="id")] == [
        "Champion",
        "Champion",
        "Buyer",
        "Buyer",
    ]
    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        audited = await connection.fetch(
            f'SELECT action, object_id, changes FROM "{schema}".audit_events WHERE action IN '
            "('contact.deleted', 'contact.restored') ORDER BY id"
        )
        events = await connection.fetchval(
            f'SELECT count(*) FROM "{schema}".outbox_events '
            "WHERE name IN ('contact.deleted', 'contact.restored')"
        )
    finally:
        await connection.close()
    assert [(row["action"], int(row["object_id"])) for row in audited] == [
        ("contact.deleted", ids[2]), ("contact.deleted", ids[3]), ("contact.restored", ids[2]),
        ("contact.restored", ids[3]),
    ]  # fmt: skip
    assert events == 4

    other = await sign_up(app_client)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    crossed = await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": ids, "action": "delete"}, headers=stranger
    )
    assert crossed.json()["changed"] == 0
    assert (
        await app_client.get("/api/v1/views", params={"object_type": "contact"}, headers=stranger)
    ).json() == []
    assert (await app_client.get("/api/v1/tags", headers=stranger)).json() == []
    assert (
        await app_client.get("/api/v1/contacts", params={"view": view.json()["id"]}, headers=stranger)
    ).status_code == 404


async def test_views_keep_custom_field_and_tag_columns(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    """The web app's column chooser saves ``custom.<key>`` and ``tags`` columns; lists read them."""
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    tier = {"object_type": "contact", "key": "tier", "label": "Tier", "type": "text"}
    assert (await app_client.post("/api/v1/custom-fields", json=tier, headers=admin)).status_code == 201
    notes = {"object_type": "contact", "key": "notes", "label": "Notes", "type": "long_text"}
    assert (await app_client.post("/api/v1/custom-fields", json=notes, headers=admin)).status_code == 201
    created = await app_client.post(
        "/api/v1/contacts", json={"last_name": "Gold", "custom": {"tier": "gold"}}, headers=admin
    )
    await app_client.post(
        "/api/v1/contacts/bulk", json={"ids": [created.json()["id"]], "action": "tag", "tags": ["VIP"]},
        headers=admin,
    )  # fmt: skip
    columns = ["last_name", "custom.tier", "custom.notes", "tags"]
    view = await app_client.post(
        "/api/v1/views", json={"object_type": "contact", "name": "Tiers", "columns": columns}, headers=admin
    )
    assert view.status_code == 201, view.text
    assert view.json()["columns"] == columns
    page = await app_client.get("/api/v1/contacts", params={"view": view.json()["id"]}, headers=admin)
    assert page.status_code == 200, page.text
    assert page.json()["items"] == [
        {"id": created.json()["id"], "last_name": "Gold", "custom": {"tier": "gold"}, "tags": ["VIP"]}
    ]
    unknown = await app_client.patch(
        f"/api/v1/views/{view.json()['id']}", json={"columns": ["custom.nope"]}, headers=admin
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "columns")
    # The other workspace has no such field, and does not see this view.
    elsewhere = await app_client.post(
        "/api/v1/views",
        json={"object_type": "contact", "name": "Tiers", "columns": columns},
        headers=stranger,
    )
    assert elsewhere.status_code == 422
    foreign = await app_client.get("/api/v1/contacts", params={"view": view.json()["id"]}, headers=stranger)
    assert foreign.status_code == 404
