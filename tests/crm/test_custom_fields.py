"""Custom fields: definitions, validation on write (types, options, unique, required, references),
filters and sorts through lists (indexed), removal, and tenant isolation."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in

FIELDS = [
    {
        "key": "tier",
        "label": "Tier",
        "type": "select",
        "options": ["gold", "silver", "bronze"],
        "default": "bronze",
    },
    {"key": "score", "label": "Score", "type": "number"},
    {"key": "renewal", "label": "Renewal", "type": "date"},
    {"key": "vip", "label": "VIP", "type": "boolean"},
    {"key": "badge", "label": "Badge", "type": "text", "unique": True},
    {"key": "interests", "label": "Interests", "type": "multi_select", "options": ["a", "b", "c"]},
    {"key": "manager", "label": "Account manager", "type": "user"},
    {"key": "partner", "label": "Partner", "type": "relation", "options": ["company"]},
    {"key": "site", "label": "Site", "type": "url"},
]


async def _names(client: AsyncTestClient, headers: dict[str, str], **params: Any) -> list[str]:  # type: ignore[type-arg]
    page = await client.get("/api/v1/contacts", params=params, headers=headers)
    assert page.status_code == 200, page.text
    return [row["last_name"] for row in page.json()["items"]]


async def test_custom_fields_validate_filter_sort_and_go(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    mail_sink: MailSink,
    database_url: str,
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    for body, field in [
        ({"key": "Tier", "label": "x", "type": "text"}, "key"),
        ({"key": "tier", "label": "x", "type": "select"}, "options"),
        ({"key": "flag", "label": "x", "type": "boolean", "unique": True}, "unique"),
        ({"key": "must", "label": "x", "type": "text", "required": True}, "default"),
        ({"key": "odd", "label": "x", "type": "number", "default": "many"}, "default"),
        ({"key": "rel", "label": "x", "type": "relation", "options": ["spaceship"]}, "options"),
    ]:
        refused = await app_client.post(
            "/api/v1/custom-fields", json={"object_type": "contact", **body}, headers=admin
        )
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field
    for field_body in FIELDS:
        created = await app_client.post(
            "/api/v1/custom-fields", json={"object_type": "contact", **field_body}, headers=admin
        )
        assert created.status_code == 201, created.text
    duplicate = await app_client.post(
        "/api/v1/custom-fields", json={"object_type": "contact", **FIELDS[0]}, headers=admin
    )
    assert duplicate.status_code == 409
    listed = await app_client.get("/api/v1/custom-fields", params={"object_type": "contact"}, headers=admin)
    assert [f["key"] for f in listed.json()] == [f["key"] for f in FIELDS]

    company = (await app_client.post("/api/v1/companies", json={"name": "Partner Co"}, headers=admin)).json()
    me = (await app_client.get("/api/v1/me", headers=admin)).json()
    full = {
        "tier": "gold", "score": 42, "renewal": "2027-01-31", "vip": True, "badge": "A-1",
        "interests": ["b", "a"], "manager": me["user_id"], "partner": company["id"], "site": "https://acme.example",
    }  # fmt: skip
    first = await app_client.post(
        "/api/v1/contacts", json={"last_name": "Full", "custom": full}, headers=admin
    )
    assert first.status_code == 201, first.text
    assert first.json()["custom"] == {**full, "interests": ["a", "b"]}
    for custom, field in [
        ({"badge": "A-1"}, "custom.badge"),
        ({"tier": "platinum"}, "custom.tier"),
        ({"nope": 1}, "custom.nope"),
        ({"score": "x"}, "custom.score"),
        ({"renewal": "31/01/2027"}, "custom.renewal"),
        ({"partner": 999_999}, "custom.partner"),
        ({"manager": "00000000-0000-0000-0000-000000000001"}, "custom.manager"),
        ({"site": "ftp://x"}, "custom.site"),
    ]:
        refused = await app_client.post(
            "/api/v1/contacts", json={"last_name": "Bad", "custom": custom}, headers=admin
        )
        assert refused.status_code == 422, (custom, refused.text)
        assert refused.json()["errors"][0]["field"] == field
    plain = (await app_client.post("/api/v1/contacts", json={"last_name": "Plain"}, headers=admin)).json()
    assert plain["custom"] == {"tier": "bronze"}  # the default
    for name, score in (("Low", 5), ("High", 90)):
        made = await app_client.post(
            "/api/v1/contacts",
            json={"last_name": name, "custom": {"score": score, "interests": ["c"]}},
            headers=admin,
        )
        assert made.status_code == 201, made.text

    def where(field: str, op: str, value: Any) -> dict[str, str]:
        return {"filter": json.dumps({"field": f"custom.{field}", "op": op, "value": value}), "sort": "id"}

    assert await _names(app_client, admin, **where("tier", "eq", "gold")) == ["Full"]
    assert await _names(app_client, admin, **where("score", "gt", 10)) == ["Full", "High"]
    assert await _names(app_client, admin, **where("score", "is_empty", True)) == ["Plain"]
    assert await _names(app_client, admin, **where("score", "ne", 42)) == ["Plain", "Low", "High"]
    assert await _names(app_client, admin, **where("interests", "in", ["a", "c"])) == ["Full", "Low", "High"]
    assert await _names(app_client, admin, **where("renewal", "between", ["2027-01-01", "2027-12-31"])) == [
        "Full"
    ]
    assert await _names(app_client, admin, **where("vip", "eq", True)) == ["Full"]
    bad_op = await app_client.get("/api/v1/contacts", params=where("interests", "gt", "a"), headers=admin)
    assert bad_op.status_code == 422
    seen, cursor = [], None
    while True:  # a sort on a custom field pages without losing the records that have no value
        params = {"sort": "-custom.score", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await app_client.get("/api/v1/contacts", params=params, headers=admin)).json()
        seen += [row["last_name"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["High", "Full", "Low", "Plain"]

    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            await connection.execute(f'SET LOCAL search_path = "{schema}", ext')
            await connection.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                row[0]
                for row in await connection.fetch(
                    "EXPLAIN SELECT id FROM contacts WHERE deleted_at IS NULL "
                    "ORDER BY coalesce((custom->>'score')::numeric, '-Infinity') DESC, id DESC LIMIT 50"
                )
            )
    finally:
        await connection.close()
    assert "cf_contact_score" in plan

    cleared = await app_client.patch(
        f"/api/v1/contacts/{first.json()['id']}", json={"custom": {"score": None}}, headers=admin
    )
    assert "score" not in cleared.json()["custom"]
    assert cleared.json()["custom"]["tier"] == "gold"  # the rest stays
    score_id = next(f["id"] for f in listed.json() if f["key"] == "score")
    rep = await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member")
    member = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    assert (await app_client.delete(f"/api/v1/custom-fields/{score_id}", headers=member)).status_code == 403
    assert rep
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    assert (await app_client.delete(f"/api/v1/custom-fields/{score_id}", headers=admin)).status_code == 204
    gone = await app_client.get("/api/v1/contacts", params=where("score", "gt", 1), headers=admin)
    assert gone.status_code == 422
    high = await app_client.get(
        "/api/v1/contacts",
        params={"filter": json.dumps({"field": "last_name", "op": "eq", "value": "High"})},
        headers=admin,
    )
    assert "score" not in high.json()["items"][0]["custom"]

    other = await sign_up(app_client)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    assert (
        await app_client.get("/api/v1/custom-fields", params={"object_type": "contact"}, headers=stranger)
    ).json() == []
    elsewhere = await app_client.post(
        "/api/v1/contacts", json={"last_name": "X", "custom": {"tier": "gold"}}, headers=stranger
    )
    assert (elsewhere.status_code, elsewhere.json()["errors"][0]["field"]) == (422, "custom.tier")
