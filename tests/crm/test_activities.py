"""Activities and notes linked to records, and the record timeline: validation, sanitizing, permissions."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import invite_member as invite
from tests.factories import sign_up
from tests.probe.fixtures import sign_in


async def _timeline(client: AsyncTestClient, path: str, headers: dict[str, str], limit: int) -> list[Any]:  # type: ignore[type-arg]
    """Every item, page by page."""
    items: list[Any] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = await client.get(path, params=params, headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


async def test_activities_and_notes_validate_and_fill_the_timeline(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    mail_sink: MailSink,
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    rep_email = f"rep@{tenant.slug}.example"
    await invite(app_client, mail_sink, admin, rep_email, "member")
    hide_title = {"ops": ["read"], "scope": "all", "fields": {"title": "hidden"}}
    viewer_role = {"objects": {"*": {"ops": ["read"], "scope": "all", "fields": {}}, "contact": hide_title}}
    created_role = await app_client.post(
        "/api/v1/roles", json={"key": "viewer", "name": "Viewer", "permissions": viewer_role}, headers=admin
    )
    assert created_role.status_code == 201, created_role.text
    await invite(app_client, mail_sink, admin, f"viewer@{tenant.slug}.example", "viewer")

    contact = (
        await app_client.post("/api/v1/contacts", json={"last_name": "Timeline"}, headers=admin)
    ).json()
    company = (await app_client.post("/api/v1/companies", json={"name": "Acme"}, headers=admin)).json()
    link = {"record_type": "contact", "record_id": contact["id"]}

    for body, field in [
        ({"subject": " ", **link}, "subject"),
        ({"subject": "x", "kind": "lunch", **link}, "kind"),
        ({"subject": "x", "reminder_at": "2030-01-01T09:00:00Z", **link}, "reminder_at"),
        (
            {"subject": "x", "due_at": "2030-01-01T09:00:00Z", "reminder_at": "2030-01-02T09:00:00Z"},
            "reminder_at",
        ),
        ({"subject": "x", "record_type": "contact", "record_id": 999_999}, "record_id"),
        ({"subject": "x", "record_type": "spaceship", "record_id": 1}, "record_type"),
    ]:
        refused = await app_client.post("/api/v1/activities", json=body, headers=admin)
        assert refused.status_code == 422, (body, refused.text)
        assert field in {error["field"] for error in refused.json()["errors"]}, refused.text

    call = await app_client.post(
        "/api/v1/activities",
        json={"kind": "call", "subject": "Intro call", "due_at": "2030-01-01T09:00:00Z",
              "reminder_at": "2030-01-01T08:45:00Z", **link},
        headers=admin,
    )  # fmt: skip
    assert call.status_code == 201, call.text
    assert (call.json()["done"], call.json()["done_at"]) == (False, None)
    done = await app_client.patch(
        f"/api/v1/activities/{call.json()['id']}", json={"done": True}, headers=admin
    )
    assert done.json()["done"] is True
    assert done.json()["done_at"] is not None
    note = await app_client.post(
        "/api/v1/notes",
        json={"body": '<p onclick="steal()">Met <b>Ann</b><script>alert(1)</script>'
                      '<a href="javascript:x()">here</a><img src=x onerror=y></p>', **link},
        headers=admin,
    )  # fmt: skip
    assert note.status_code == 201, note.text
    body = note.json()["body"]
    assert "<b>Ann</b>" in body
    assert not any(bad in body for bad in ("script", "onclick", "javascript", "onerror", "<img"))
    empty = await app_client.post("/api/v1/notes", json={"body": "<script>x</script>", **link}, headers=admin)
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "body")
    assert (await app_client.post("/api/v1/notes", json={"body": "loose"}, headers=admin)).status_code == 422
    await app_client.patch(f"/api/v1/contacts/{contact['id']}", json={"title": "CFO"}, headers=admin)
    about_acme = {"subject": "About Acme", "record_type": "company", "record_id": company["id"]}
    await app_client.post("/api/v1/activities", json=about_acme, headers=admin)

    path = f"/api/v1/contacts/{contact['id']}/timeline"
    everything = await _timeline(app_client, path, admin, 100)
    assert [item["type"] for item in everything] == ["change", "note", "activity", "change"]
    changes = [item["data"] for item in everything if item["type"] == "change"]
    assert [change["action"] for change in changes] == [
        "contact.updated",
        "contact.created",
    ]
    assert changes[0]["changes"]["title"] == [None, "CFO"]
    assert everything == await _timeline(app_client, path, admin, 2)  # pages join without gaps or repeats
    assert [item["at"] for item in everything] == sorted((item["at"] for item in everything), reverse=True)
    company_timeline = await _timeline(app_client, f"/api/v1/companies/{company['id']}/timeline", admin, 10)
    assert [item["data"].get("subject") for item in company_timeline if item["type"] == "activity"] == [
        "About Acme"
    ]

    viewer = await sign_in(app_client, tenant.slug, f"viewer@{tenant.slug}.example")
    seen_by_viewer = await _timeline(app_client, path, viewer, 100)
    assert len(seen_by_viewer) == len(everything)
    assert "CFO" not in json.dumps(seen_by_viewer)  # the hidden field's change is left out
    rep = await sign_in(app_client, tenant.slug, rep_email)
    assert (await app_client.get(path, headers=rep)).status_code == 404  # not in the member's row scope
    sneaky = await app_client.post("/api/v1/notes", json={"body": "hi", **link}, headers=rep)
    assert (sneaky.status_code, sneaky.json()["errors"][0]["field"]) == (422, "record_id")
    mine = await app_client.get("/api/v1/activities", headers=rep)
    assert mine.json()["items"] == []
    open_tasks = await app_client.get(
        "/api/v1/activities", params={"filter": json.dumps({"field": "done", "op": "eq", "value": False})},
        headers=admin,
    )  # fmt: skip
    assert [item["subject"] for item in open_tasks.json()["items"]] == ["About Acme"]

    by_due: list[str] = []
    cursor = None
    while True:  # undated activities sort last, and keyset pages keep them
        params: dict[str, Any] = {"sort": "due", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await app_client.get("/api/v1/activities", params=params, headers=admin)).json()
        by_due += [item["subject"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert by_due == ["Intro call", "About Acme"]

    other = await sign_up(app_client)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    assert (await app_client.get(path, headers=stranger)).status_code == 404
    assert (
        await app_client.get(f"/api/v1/activities/{call.json()['id']}", headers=stranger)
    ).status_code == 404
    assert (await app_client.get(f"/api/v1/notes/{note.json()['id']}", headers=stranger)).status_code == 404
    assert (await app_client.get("/api/v1/activities", headers=stranger)).json()["items"] == []
