"""Companies and contacts: validation, writes with audit and events, soft delete, the list shape (filters,
sort, keyset, fields, estimate), search, row scope and hidden fields, and tenants kept apart."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in


@pytest.fixture
async def owner(app_client: AsyncTestClient) -> tuple[SignedUp, dict[str, str]]:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    return tenant, await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")


async def _post(client: AsyncTestClient, path: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_validation_names_each_bad_field(
    app_client: AsyncTestClient, owner: tuple[SignedUp, dict[str, str]]
) -> None:  # type: ignore[type-arg]
    _, headers = owner
    bad = await app_client.post(
        "/api/v1/companies", json={"name": " ", "domain": "not a domain"}, headers=headers
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["name"]
    bad = await app_client.post(
        "/api/v1/companies", json={"name": "Acme", "domain": "nope", "parent": 999}, headers=headers
    )
    assert {e["field"] for e in bad.json()["errors"]} == {"domain", "parent"}
    contact = await app_client.post(
        "/api/v1/contacts",
        json={
            "emails": ["ok@example.com", {"value": "broken"}],
            "phones": [{"value": "+1 555 0100", "primary": True}, {"value": "+1 555 0101", "primary": True}],
            "company": 12345,
        },
        headers=headers,
    )
    assert contact.status_code == 422
    assert {e["field"] for e in contact.json()["errors"]} == {"emails.1", "phones", "company"}
    empty = await app_client.post("/api/v1/contacts", json={"title": "CEO"}, headers=headers)
    assert empty.json()["errors"] == [
        {"field": "last_name", "message": "a contact needs a name or an email address"}
    ]
    unknown = await app_client.post("/api/v1/contacts", json={"nickname": "x"}, headers=headers)
    assert unknown.status_code == 422
    # Hierarchies: no company may become its own ancestor.
    top = await _post(app_client, "/api/v1/companies", headers, name="Top")
    mid = await _post(app_client, "/api/v1/companies", headers, name="Mid", parent=top["id"])
    cycle = await app_client.patch(
        f"/api/v1/companies/{top['id']}", json={"parent": mid["id"]}, headers=headers
    )
    assert cycle.json()["errors"] == [
        {"field": "parent", "message": "would make the company its own ancestor"}
    ]


async def test_writes_are_audited_evented_and_deletes_restorable(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, dict[str, str]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    tenant, headers = owner
    company = await _post(app_client, "/api/v1/companies", headers, name="Acme", domain="www.Acme.com")
    assert company["domain"] == "acme.com"
    contact = await _post(
        app_client, "/api/v1/contacts", headers, first_name="Ada", last_name="Lovelace",
        emails=[{"value": "ada@work.example"}, {"value": "Ada@Home.example", "primary": True}],
        company=company["id"],
    )  # fmt: skip
    assert contact["email"] == "ada@home.example"
    assert [e["value"] for e in contact["emails"]] == ["ada@home.example", "ada@work.example"]
    changed = await app_client.patch(
        f"/api/v1/contacts/{contact['id']}", json={"title": "Countess"}, headers=headers
    )
    assert changed.json()["title"] == "Countess"
    assert changed.json()["updated_at"] > contact["updated_at"]
    assert (await app_client.delete(f"/api/v1/contacts/{contact['id']}", headers=headers)).status_code == 204
    assert (await app_client.get(f"/api/v1/contacts/{contact['id']}", headers=headers)).status_code == 404
    assert (await app_client.get("/api/v1/contacts", headers=headers)).json()["items"] == []
    restored = await app_client.post(f"/api/v1/contacts/{contact['id']}/restore", headers=headers)
    assert (restored.status_code, restored.json()["last_name"]) == (200, "Lovelace")
    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        events = [
            row["name"]
            for row in await connection.fetch(
                f"SELECT name FROM \"{schema}\".outbox_events WHERE record_type = 'contact' ORDER BY id"
            )
        ]
        audit = [
            row["action"]
            for row in await connection.fetch(
                f"SELECT action FROM \"{schema}\".audit_events WHERE object_type = 'contact' ORDER BY id"
            )
        ]
    finally:
        await connection.close()
    expected = ["contact.created", "contact.updated", "contact.deleted", "contact.restored"]
    assert events == expected
    assert audit == expected


async def test_lists_filter_sort_select_and_page_without_gaps(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    _, headers = owner
    acme = await _post(app_client, "/api/v1/companies", headers, name="Acme")
    names = ["Smith", "Smythe", "Jones", "Brown", "Taylor", "Smith", "Wilson"]
    for index, last in enumerate(names):
        await _post(
            app_client, "/api/v1/contacts", headers, first_name=f"P{index}", last_name=last,
            emails=[f"p{index}@{'acme' if index % 2 else 'other'}.example"],
            company=acme["id"] if index % 2 else None,
        )  # fmt: skip

    async def page(**params: Any) -> Any:
        response = await app_client.get("/api/v1/contacts", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    first = await page(limit=3, sort="-last_name", fields="last_name,email")
    assert set(first["items"][0]) == {"id", "last_name", "email"}
    assert first["estimated_total"] >= 1
    seen = first["items"]
    cursor = first["next_cursor"]
    while cursor:
        nxt = await page(limit=3, sort="-last_name", fields="last_name,email", cursor=cursor)
        assert nxt["estimated_total"] is None
        seen += nxt["items"]
        cursor = nxt["next_cursor"]
    assert [row["last_name"] for row in seen] == sorted(names, reverse=True)
    assert len({row["id"] for row in seen}) == len(names)
    smiths = await page(
        filter=json.dumps(
            {
                "and": [
                    {"field": "name", "op": "contains", "value": "smi"},
                    {"field": "company", "op": "is_empty", "value": False},
                ]
            }
        )
    )
    assert [row["last_name"] for row in smiths["items"]] == ["Smith"]
    either = await page(
        filter=json.dumps(
            {
                "or": [
                    {"field": "last_name", "op": "eq", "value": "Jones"},
                    {"field": "email", "op": "starts_with", "value": "p6@"},
                ]
            }
        )
    )
    assert sorted(row["last_name"] for row in either["items"]) == ["Jones", "Wilson"]
    assert len((await page(q="acme.example"))["items"]) == 3
    ranged = await page(
        filter=json.dumps(
            {
                "field": "created_at",
                "op": "between",
                "value": ["2000-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00"],
            }
        )
    )
    assert len(ranged["items"]) == len(names)
    for params, field in [
        ({"sort": "email"}, "sort"),
        ({"filter": json.dumps({"field": "title", "op": "eq", "value": "x"})}, "filter.field"),
        ({"filter": json.dumps({"field": "last_name", "op": "contains", "value": "x"})}, "filter.op"),
        ({"filter": "{not json"}, "filter"),
        ({"cursor": "garbage"}, "cursor"),
        ({"fields": "password"}, "fields"),
    ]:
        response = await app_client.get("/api/v1/contacts", params=params, headers=headers)
        assert (response.status_code, response.json()["errors"][0]["field"]) == (422, field), params


async def test_search_is_typo_tolerant_ranked_and_scoped(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, dict[str, str]],
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    tenant, headers = owner
    await _post(app_client, "/api/v1/contacts", headers, first_name="Jonathan", last_name="Smithers")
    await _post(app_client, "/api/v1/contacts", headers, first_name="Mary", last_name="Smith")
    await _post(app_client, "/api/v1/companies", headers, name="Smithsonian Supplies")
    hits = (await app_client.get("/api/v1/search", params={"q": "smith"}, headers=headers)).json()
    assert {(hit["type"], hit["title"]) for hit in hits} == {
        ("contact", "Jonathan Smithers"),
        ("contact", "Mary Smith"),
        ("company", "Smithsonian Supplies"),
    }
    typo = (await app_client.get("/api/v1/search", params={"q": "jonathon"}, headers=headers)).json()
    assert typo[0]["title"] == "Jonathan Smithers"
    # A member sees only their own records in lists and search.
    await invite_member(app_client, mail_sink, headers, f"rep@{tenant.slug}.example", "member")
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    await _post(app_client, "/api/v1/contacts", rep, first_name="Rita", last_name="Smith")
    assert [
        hit["title"]
        for hit in (await app_client.get("/api/v1/search", params={"q": "smith"}, headers=rep)).json()
    ] == ["Rita Smith"]
    assert [
        row["first_name"] for row in (await app_client.get("/api/v1/contacts", headers=rep)).json()["items"]
    ] == ["Rita"]
    # A role hiding email: no email in lists, no filtering or sorting by it, contacts left out of search.
    hiding = {
        "objects": {
            "contact": {"ops": ["read"], "scope": "all", "fields": {"emails": "hidden"}},
            "*": {"ops": ["read"], "scope": "all", "fields": {}},
        }
    }
    assert (
        await app_client.post(
            "/api/v1/roles", json={"key": "viewer", "name": "Viewer", "permissions": hiding}, headers=headers
        )
    ).status_code == 201
    await invite_member(app_client, mail_sink, headers, f"viewer@{tenant.slug}.example", "viewer")
    viewer = await sign_in(app_client, tenant.slug, f"viewer@{tenant.slug}.example")
    rows = (await app_client.get("/api/v1/contacts", headers=viewer)).json()["items"]
    assert rows
    assert all("email" not in row and "emails" not in row for row in rows)
    assert (
        await app_client.get(
            "/api/v1/contacts",
            params={"filter": json.dumps({"field": "email", "op": "eq", "value": "x"})},
            headers=viewer,
        )
    ).status_code == 403
    assert (
        await app_client.get("/api/v1/contacts", params={"q": "smith"}, headers=viewer)
    ).status_code == 403
    assert {
        hit["type"]
        for hit in (await app_client.get("/api/v1/search", params={"q": "smith"}, headers=viewer)).json()
    } == {"company"}
    assert (
        await app_client.post("/api/v1/contacts", json={"last_name": "x"}, headers=viewer)
    ).status_code == 403


async def test_nothing_crosses_tenants(
    app_client: AsyncTestClient, owner: tuple[SignedUp, dict[str, str]]
) -> None:  # type: ignore[type-arg]
    _, headers = owner
    contact = await _post(app_client, "/api/v1/contacts", headers, last_name="Private")
    company = await _post(app_client, "/api/v1/companies", headers, name="Private Co")
    other = await sign_up(app_client)
    theirs = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    for path in (f"/api/v1/contacts/{contact['id']}", f"/api/v1/companies/{company['id']}"):
        assert (await app_client.get(path, headers=theirs)).status_code == 404
        assert (await app_client.patch(path, json={}, headers=theirs)).status_code == 404
        assert (await app_client.delete(path, headers=theirs)).status_code == 404
    assert (await app_client.get("/api/v1/contacts", headers=theirs)).json()["items"] == []
    assert (await app_client.get("/api/v1/search", params={"q": "private"}, headers=theirs)).json() == []
    link = await app_client.post(
        "/api/v1/contacts", json={"last_name": "x", "company": company["id"]}, headers=theirs
    )
    assert link.status_code == 422


async def test_email_filters_match_the_email_only(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    owner: tuple[SignedUp, dict[str, str]],
) -> None:
    """``contains`` and ``starts_with`` on email look at the email, not at the name beside it."""
    _, headers = owner
    await _post(
        app_client,
        "/api/v1/contacts",
        headers,
        first_name="Zed",
        last_name="Mail",
        emails=["zed@qxz.example"],
    )
    await _post(
        app_client,
        "/api/v1/contacts",
        headers,
        first_name="Qxz",
        last_name="Name",
        emails=["n@other.example"],
    )

    async def emails(op: str, value: str) -> list[str]:
        condition = json.dumps({"field": "email", "op": op, "value": value})
        response = await app_client.get("/api/v1/contacts", params={"filter": condition}, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(row["email"] for row in response.json()["items"])

    assert await emails("contains", "qxz") == ["zed@qxz.example"]  # "Qxz Name" matches the search text only
    assert await emails("starts_with", "zed@") == ["zed@qxz.example"]
    assert await emails("starts_with", "qxz") == []


async def test_estimated_totals_are_each_tenants_own(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    owner: tuple[SignedUp, dict[str, str]],
    database_url: str,
) -> None:
    """The same list asked in two workspaces (same query, same values) gets each one's estimate, though a
    process reuses estimates for a while."""
    big, big_headers = owner
    small = await sign_up(app_client)
    small_headers = await sign_in(app_client, small.slug, f"admin@{small.slug}.example")
    await _post(app_client, "/api/v1/contacts", small_headers, last_name="Only")
    connection = await asyncpg.connect(database_url)
    try:
        big_schema = await schema_of(database_url, big)
        await connection.execute(
            f'INSERT INTO "{big_schema}".contacts (first_name, last_name) '
            "SELECT 'Bulk', 'Person ' || n FROM generate_series(1, 3000) AS n"
        )
        for schema in (big_schema, await schema_of(database_url, small)):
            await connection.execute(f'ANALYZE "{schema}".contacts')
    finally:
        await connection.close()
    totals = {}
    for _ in range(2):  # the second round is answered from the process's recent estimates
        for name, headers in (("big", big_headers), ("small", small_headers)):
            page = (await app_client.get("/api/v1/contacts", params={"limit": 5}, headers=headers)).json()
            totals.setdefault(name, []).append(page["estimated_total"])
    assert all(2_500 <= total <= 3_500 for total in totals["big"]), totals
    assert all(total <= 10 for total in totals["small"]), totals


async def test_list_items_are_written_as_the_record_is(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    owner: tuple[SignedUp, dict[str, str]],
) -> None:
    """A list item reads exactly as the record endpoint's: times in UTC with "Z" and microseconds only when
    there are some, amounts as strings, JSON columns as stored, nulls."""
    _, headers = owner
    pipeline = await _post(
        app_client, "/api/v1/pipelines", headers, name="Sales",
        stages=[{"name": "Open", "probability": 20}, {"name": "Won", "probability": 100, "kind": "won"}],
    )  # fmt: skip
    company = await _post(
        app_client, "/api/v1/companies", headers, name='Zoë "Quoted" \\ Co', domain="zoe.example"
    )
    contact = await _post(
        app_client, "/api/v1/contacts", headers, first_name="Zoë", last_name='O"Brien\tTab',
        emails=["zoe@zoe.example", {"value": "z@home.example", "primary": True}],
        phones=[{"value": "+1 555 0100"}], company=company["id"],
    )  # fmt: skip
    deal = await _post(
        app_client, "/api/v1/deals", headers, name="Big one", pipeline=pipeline["id"], amount="1200.50",
        currency="EUR", expected_close="2031-02-03", company=company["id"], contact=contact["id"],
    )  # fmt: skip
    link = {"record_type": "contact", "record_id": contact["id"]}
    activity = await _post(
        app_client, "/api/v1/activities", headers, kind="meeting", subject="Whole second",
        due_at="2030-01-01T09:00:00Z", reminder_at="2030-01-01T08:45:00.250000Z", **link,
    )  # fmt: skip
    note = await _post(app_client, "/api/v1/notes", headers, body="<p>Met <b>Zoë</b></p>", **link)
    lead = await _post(app_client, "/api/v1/leads", headers, last_name="Lead", email="lead@zoe.example")
    for path, record in (
        ("companies", company), ("contacts", contact), ("deals", deal), ("activities", activity),
        ("notes", note), ("leads", lead),
    ):  # fmt: skip
        page = await app_client.get(
            f"/api/v1/{path}",
            params={"filter": json.dumps({"field": "id", "op": "eq", "value": record["id"]})},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        (item,) = page.json()["items"]
        shown = (await app_client.get(f"/api/v1/{path}/{record['id']}", headers=headers)).json()
        assert item == {name: shown[name] for name in item}, path
        assert len(item) >= 5, item
    activity_item = (await app_client.get(f"/api/v1/activities/{activity['id']}", headers=headers)).json()
    assert (activity_item["due_at"], activity_item["reminder_at"]) == (
        "2030-01-01T09:00:00Z",
        "2030-01-01T08:45:00.250000Z",
    )
    assert deal["amount"] == "1200.50"
