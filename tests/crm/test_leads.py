"""Leads: validation, web-to-lead capture (honeypot, rate limit, form keys), assignment and scoring rules,
conversion into contact + company + deal, search, and tenant isolation."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.events.conftest import Processes, events_redis, processes, wait_until  # noqa: F401 - fixtures
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in


async def _lead(client: AsyncTestClient, headers: dict[str, str], **values: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    response = await client.post("/api/v1/leads", json=values, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _capture(
    client: AsyncTestClient, slug: str, key: str, ip: str = "198.51.100.7", **values: Any
) -> Any:  # type: ignore[type-arg]
    return await client.post(
        f"/api/v1/capture/{key}", json=values, headers={"x-tenant": slug, "x-forwarded-for": ip}
    )


async def test_lead_validation_scoring_and_conversion(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    processes: Processes,  # noqa: F811 - the fixture imported above
    database_url: str,
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    for body, field in [
        ({"title": "CEO"}, "last_name"),
        ({"last_name": "X", "email": "not-an-email"}, "email"),
        ({"last_name": "X", "status": "converted"}, "status"),
        ({"last_name": "X", "status": "lost"}, "status"),
    ]:
        refused = await app_client.post("/api/v1/leads", json=body, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field

    for rule in [
        {"name": "Referrals", "field": "source", "op": "eq", "value": "referral", "points": 30},
        {"name": "Leaders", "field": "title", "op": "contains", "value": "vp", "points": 20},
        {"name": "Calls", "activity_kind": "call", "points": 10},
    ]:
        added = await app_client.post("/api/v1/lead-rules/scoring", json=rule, headers=admin)
        assert added.status_code == 201, added.text
    both = await app_client.post(
        "/api/v1/lead-rules/scoring",
        json={"name": "Bad", "field": "title", "activity_kind": "call", "points": 1},
        headers=admin,
    )
    assert both.status_code == 422
    ann = await _lead(
        app_client, admin, first_name="Ann", last_name="Lee", email="Ann@Acme.example", title="VP Sales",
        source="referral", company_name="ACME corp",
    )  # fmt: skip
    assert (ann["email"], ann["score"], ann["status"]) == ("ann@acme.example", 50, "new")
    changed = await app_client.patch(f"/api/v1/leads/{ann['id']}", json={"title": "Engineer"}, headers=admin)
    assert changed.json()["score"] == 30
    # Calls on the lead count through the events consumer (relay and worker are real processes).
    processes.start("relay", "relay")
    processes.start("worker", "worker")
    for _ in range(2):
        call = {"kind": "call", "subject": "Call", "record_type": "lead", "record_id": ann["id"]}
        assert (await app_client.post("/api/v1/activities", json=call, headers=admin)).status_code == 201

    async def scored() -> bool:
        lead = (await app_client.get(f"/api/v1/leads/{ann['id']}", headers=admin)).json()
        return bool(lead["score"] == 50)

    await wait_until(scored, "the calls to count in the score", processes)
    # A new rule rescores every lead at once.
    added = await app_client.post(
        "/api/v1/lead-rules/scoring",
        json={
            "name": "Business mail",
            "field": "email_domain",
            "op": "ne",
            "value": "gmail.com",
            "points": 5,
        },
        headers=admin,
    )
    assert (await app_client.get(f"/api/v1/leads/{ann['id']}", headers=admin)).json()["score"] == 55

    search = await app_client.get("/api/v1/search", params={"q": "Ann Lee"}, headers=admin)
    assert ("lead", ann["id"]) in {(hit["type"], hit["id"]) for hit in search.json()}

    company = (await app_client.post("/api/v1/companies", json={"name": "Acme Corp"}, headers=admin)).json()
    contact = (
        await app_client.post(
            "/api/v1/contacts", json={"last_name": "Lee", "emails": ["ann@acme.example"]}, headers=admin
        )
    ).json()
    pipeline = await app_client.post(
        "/api/v1/pipelines", json={"name": "Sales", "stages": [{"name": "Open"}]}, headers=admin
    )
    converted = await app_client.post(
        f"/api/v1/leads/{ann['id']}/convert",
        json={"deal": {"name": "Acme pilot", "pipeline": pipeline.json()["id"], "amount": "1200.00"}},
        headers=admin,
    )
    assert converted.status_code == 200, converted.text
    result = converted.json()
    assert (result["contact_id"], result["company_id"]) == (contact["id"], company["id"])
    assert (result["reused_contact"], result["reused_company"]) == (True, True)
    assert result["lead"]["status"] == "converted"
    assert result["lead"]["converted_deal"] == result["deal_id"]
    deal = (await app_client.get(f"/api/v1/deals/{result['deal_id']}", headers=admin)).json()
    assert (deal["company"], deal["contact"], deal["amount"]) == (company["id"], contact["id"], "1200.00")
    again = await app_client.post(f"/api/v1/leads/{ann['id']}/convert", json={}, headers=admin)
    assert again.status_code == 409
    frozen = await app_client.patch(f"/api/v1/leads/{ann['id']}", json={"title": "x"}, headers=admin)
    assert frozen.status_code == 422

    bob = await _lead(app_client, admin, first_name="Bob", email="bob@newco.example", company_name="NewCo")
    fresh = (await app_client.post(f"/api/v1/leads/{bob['id']}/convert", json={}, headers=admin)).json()
    assert (fresh["reused_contact"], fresh["reused_company"], fresh["deal_id"]) == (False, False, None)
    new_contact = (await app_client.get(f"/api/v1/contacts/{fresh['contact_id']}", headers=admin)).json()
    assert (new_contact["email"], new_contact["company"]) == ("bob@newco.example", fresh["company_id"])
    connection = await asyncpg.connect(database_url)
    try:
        schema = await schema_of(database_url, tenant)
        audited = await connection.fetchval(
            f'SELECT count(*) FROM "{schema}".audit_events WHERE action = ANY($1::text[])',
            ["lead.updated", "contact.created", "company.created"],
        )
    finally:
        await connection.close()
    assert audited >= 4

    other = await sign_up(app_client)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    assert (await app_client.get(f"/api/v1/leads/{bob['id']}", headers=stranger)).status_code == 404
    assert (
        await app_client.post(f"/api/v1/leads/{bob['id']}/convert", json={}, headers=stranger)
    ).status_code == 404
    assert (await app_client.get("/api/v1/lead-rules/scoring", headers=stranger)).json() == []


async def test_web_to_lead_capture_and_assignment(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    mail_sink: MailSink,
) -> None:
    tenant: SignedUp = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    reps = [
        str(await invite_member(app_client, mail_sink, admin, f"rep{index}@{tenant.slug}.example", "member"))
        for index in range(2)
    ]
    closer = str(await invite_member(app_client, mail_sink, admin, f"closer@{tenant.slug}.example", "member"))
    team = await app_client.post("/api/v1/teams", json={"name": "Inbound", "members": reps}, headers=admin)
    assert team.status_code == 201, team.text
    rules = [
        {"name": "Big accounts", "field": "email_domain", "op": "eq", "value": "bigcorp.example",
         "user_id": closer, "position": 0},
        {"name": "Web inbound", "field": "source", "op": "eq", "value": "web", "team_id": team.json()["id"],
         "position": 1},
    ]  # fmt: skip
    for rule in rules:
        added = await app_client.post("/api/v1/lead-rules/assignment", json=rule, headers=admin)
        assert added.status_code == 201, added.text
    neither = await app_client.post(
        "/api/v1/lead-rules/assignment", json={"name": "Nobody", "field": "source"}, headers=admin
    )
    assert neither.status_code == 422
    form = await app_client.post("/api/v1/lead-forms", json={"name": "Contact us"}, headers=admin)
    assert form.status_code == 201, form.text
    key = form.json()["key"]
    assert form.json()["capture_url"] == f"/api/v1/capture/{key}"
    app_client.cookies.clear()

    for index in range(3):
        sent = await _capture(app_client, tenant.slug, key, first_name="Web", last_name=f"Visitor {index}")
        assert sent.status_code == 201, sent.text
    big = await _capture(app_client, tenant.slug, key, last_name="Boss", email="boss@bigcorp.example")
    assert big.status_code == 201
    bot = await _capture(app_client, tenant.slug, key, last_name="Bot", website="http://spam.example")
    assert bot.status_code == 201  # answered like a success, kept nowhere
    invalid = await _capture(app_client, tenant.slug, key, ip="198.51.100.8", email="nope")
    assert invalid.status_code == 422
    assert (await _capture(app_client, tenant.slug, "lf_unknown", last_name="X")).status_code == 404

    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    page = await app_client.get("/api/v1/leads", params={"sort": "id"}, headers=admin)
    captured = {lead["last_name"]: lead for lead in page.json()["items"]}
    assert set(captured) == {"Visitor 0", "Visitor 1", "Visitor 2", "Boss"}
    assert {lead["source"] for lead in captured.values()} == {"web"}
    turns = [captured[f"Visitor {index}"]["owner_id"] for index in range(3)]
    assert turns[0] != turns[1]
    assert turns[0] == turns[2]
    assert set(turns) == set(reps)
    assert captured["Boss"]["owner_id"] == closer
    audit = await app_client.get("/api/v1/audit", params={"action": "lead.created"}, headers=admin)
    assert {row["actor"] for row in audit.json()["items"]} == {"lead form Contact us"}

    other = await sign_up(app_client)
    app_client.cookies.clear()
    assert (await _capture(app_client, other.slug, key, last_name="Crossed")).status_code == 404
    off = await app_client.patch(
        f"/api/v1/lead-forms/{form.json()['id']}", json={"active": False}, headers=admin
    )
    assert off.status_code == 200
    app_client.cookies.clear()
    assert (
        await _capture(app_client, tenant.slug, key, ip="198.51.100.9", last_name="Late")
    ).status_code == 404
    for _ in range(20):
        await _capture(app_client, tenant.slug, "lf_flood", ip="203.0.113.50", last_name="Flood")
    flooded = await _capture(app_client, tenant.slug, "lf_flood", ip="203.0.113.50", last_name="Flood")
    assert flooded.status_code == 429
