"""Pipelines with ordered stages, and deals on them: validation, stage moves (probability, event), lists."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in

STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Propose", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture
async def sales(app_client: AsyncTestClient) -> tuple[SignedUp, dict[str, str], dict[str, Any]]:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    headers = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    pipeline = await app_client.post(
        "/api/v1/pipelines", json={"name": "New business", "stages": STAGES}, headers=headers
    )
    assert pipeline.status_code == 201, pipeline.text
    return tenant, headers, pipeline.json()


async def test_pipelines_validate_reorder_and_protect_their_stages(
    app_client: AsyncTestClient,
    sales: tuple[SignedUp, dict[str, str], dict[str, Any]],
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    tenant, headers, pipeline = sales
    assert [(s["name"], s["position"], s["kind"]) for s in pipeline["stages"]] == [
        ("Qualify", 0, "open"), ("Propose", 1, "open"), ("Won", 2, "won"), ("Lost", 3, "lost"),
    ]  # fmt: skip
    bad = await app_client.post(
        "/api/v1/pipelines",
        json={"name": "Bad", "stages": [{"name": "A", "kind": "won"}, {"name": "A", "probability": 150}]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert (
        await app_client.post(
            "/api/v1/pipelines", json={"name": "New business", "stages": STAGES}, headers=headers
        )
    ).status_code == 409
    deal = await app_client.post(
        "/api/v1/deals", json={"name": "Acme", "pipeline": pipeline["id"]}, headers=headers
    )
    propose = pipeline["stages"][1]
    # Reorder and rename, keeping the stages by id; removing the occupied first stage is refused.
    reordered = [
        dict(propose, name="Proposal"),
        *[
            {k: s[k] for k in ("id", "name", "probability", "kind")}
            for s in pipeline["stages"]
            if s["id"] != propose["id"]
        ],
    ]
    for stage in reordered:
        stage.pop("position", None)
    changed = await app_client.patch(
        f"/api/v1/pipelines/{pipeline['id']}", json={"stages": reordered}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert [s["name"] for s in changed.json()["stages"]] == ["Proposal", "Qualify", "Won", "Lost"]
    without_first = [s for s in reordered if s["name"] != "Qualify"]
    refused = await app_client.patch(
        f"/api/v1/pipelines/{pipeline['id']}", json={"stages": without_first}, headers=headers
    )
    assert refused.status_code == 409
    assert (
        await app_client.delete(f"/api/v1/pipelines/{pipeline['id']}", headers=headers)
    ).status_code == 409
    assert deal.status_code == 201
    # Members read pipelines but do not shape them.
    await invite_member(app_client, mail_sink, headers, f"rep@{tenant.slug}.example", "member")
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    assert [p["name"] for p in (await app_client.get("/api/v1/pipelines", headers=rep)).json()] == [
        "New business"
    ]
    assert (
        await app_client.post("/api/v1/pipelines", json={"name": "Mine", "stages": STAGES}, headers=rep)
    ).status_code == 403


async def test_deals_start_in_the_first_open_stage_and_moves_are_events(
    app_client: AsyncTestClient,
    sales: tuple[SignedUp, dict[str, str], dict[str, Any]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    tenant, headers, pipeline = sales
    qualify, propose, won, _ = (stage["id"] for stage in pipeline["stages"])
    company = (await app_client.post("/api/v1/companies", json={"name": "Acme"}, headers=headers)).json()
    created = await app_client.post(
        "/api/v1/deals",
        json={
            "name": "Acme renewal",
            "pipeline": pipeline["id"],
            "amount": "1250.50",
            "currency": "eur",
            "company": company["id"],
            "expected_close": "2027-01-31",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert (deal["stage"], deal["probability"], deal["currency"]) == (qualify, 10, "EUR")
    moved = (
        await app_client.patch(f"/api/v1/deals/{deal['id']}", json={"stage": propose}, headers=headers)
    ).json()
    assert (moved["stage"], moved["probability"]) == (propose, 50)
    assert moved["stage_changed_at"] > deal["stage_changed_at"]
    kept = (
        await app_client.patch(
            f"/api/v1/deals/{deal['id']}", json={"stage": won, "probability": 90}, headers=headers
        )
    ).json()
    assert kept["probability"] == 90
    other = await app_client.post(
        "/api/v1/pipelines", json={"name": "Other", "stages": [{"name": "Only"}]}, headers=headers
    )
    wrong = await app_client.patch(
        f"/api/v1/deals/{deal['id']}", json={"stage": other.json()["stages"][0]["id"]}, headers=headers
    )
    assert wrong.json()["errors"] == [{"field": "stage", "message": "not a stage of the deal's pipeline"}]
    invalid = await app_client.post(
        "/api/v1/deals", json={"pipeline": 99999, "amount": "-1", "currency": "EURO"}, headers=headers
    )
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} >= {"name", "pipeline"} or invalid.json()["errors"][
        0
    ]["field"] == "currency"
    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        sql = f"SELECT name FROM \"{schema}\".outbox_events WHERE record_type = 'deal' ORDER BY id"
        names = [row["name"] for row in await connection.fetch(sql)]
    finally:
        await connection.close()
    assert names == [
        "deal.created",
        "deal.updated",
        "deal.stage_changed",
        "deal.updated",
        "deal.stage_changed",
    ]


async def test_deal_lists_filter_by_stage_amount_and_date(
    app_client: AsyncTestClient,
    sales: tuple[SignedUp, dict[str, str], dict[str, Any]],  # type: ignore[type-arg]
) -> None:
    _, headers, pipeline = sales
    qualify, propose = pipeline["stages"][0]["id"], pipeline["stages"][1]["id"]
    for index, (stage, amount) in enumerate(
        [(qualify, "100"), (propose, "5000"), (propose, "20000"), (qualify, "750")]
    ):
        response = await app_client.post(
            "/api/v1/deals",
            json={
                "name": f"Deal {index}",
                "pipeline": pipeline["id"],
                "stage": stage,
                "amount": amount,
                "expected_close": f"2027-0{index + 1}-15",
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text

    async def names(filter_: dict[str, Any], sort: str = "id") -> list[str]:
        response = await app_client.get(
            "/api/v1/deals", params={"filter": json.dumps(filter_), "sort": sort}, headers=headers
        )
        assert response.status_code == 200, response.text
        return [row["name"] for row in response.json()["items"]]

    assert await names({"field": "stage", "op": "eq", "value": propose}, sort="-amount") == [
        "Deal 2",
        "Deal 1",
    ]
    assert await names({"field": "amount", "op": "between", "value": ["500", "6000"]}) == ["Deal 1", "Deal 3"]
    assert await names({"field": "expected_close", "op": "lt", "value": "2027-03-01"}) == ["Deal 0", "Deal 1"]
    page = (
        await app_client.get("/api/v1/deals", params={"sort": "amount", "limit": 2}, headers=headers)
    ).json()
    rest = (
        await app_client.get(
            "/api/v1/deals",
            params={"sort": "amount", "limit": 2, "cursor": page["next_cursor"]},
            headers=headers,
        )
    ).json()
    assert [row["amount"] for row in page["items"] + rest["items"]] == [
        "100.00",
        "750.00",
        "5000.00",
        "20000.00",
    ]


async def test_pipelines_and_deals_stay_in_their_tenant(
    app_client: AsyncTestClient,
    sales: tuple[SignedUp, dict[str, str], dict[str, Any]],  # type: ignore[type-arg]
) -> None:
    _, headers, pipeline = sales
    deal = (
        await app_client.post(
            "/api/v1/deals", json={"name": "Mine", "pipeline": pipeline["id"]}, headers=headers
        )
    ).json()
    other = await sign_up(app_client)
    theirs = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    assert (await app_client.get("/api/v1/pipelines", headers=theirs)).json() == []
    assert (await app_client.get(f"/api/v1/deals/{deal['id']}", headers=theirs)).status_code == 404
    assert (
        await app_client.patch(f"/api/v1/pipelines/{pipeline['id']}", json={"name": "x"}, headers=theirs)
    ).status_code == 404
    assert (await app_client.delete(f"/api/v1/pipelines/{pipeline['id']}", headers=theirs)).status_code == 404
    planted = await app_client.post(
        "/api/v1/deals", json={"name": "x", "pipeline": pipeline["id"]}, headers=theirs
    )
    assert planted.json()["errors"] == [{"field": "pipeline", "message": f"no pipeline {pipeline['id']}"}]
