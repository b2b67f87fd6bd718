"""Contact roles on deals and contacts' other companies: validation, permissions, row scope, audit, merge
re-linking (and undo), and tenant isolation."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import sign_in

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_contacts_take_roles_on_deals_and_companies(app_client: Client, mail_sink: MailSink) -> None:
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member")
    await invite_member(app_client, mail_sink, admin, f"reader@{tenant.slug}.example", "read-only")

    async def made(path: str, body: dict[str, Any], headers: dict[str, str] = admin) -> int:
        response = await app_client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    pipeline = (await app_client.post("/api/v1/pipelines", json={"name": "Sales", "stages": [
        {"name": "New", "probability": 10}, {"name": "Won", "probability": 100, "kind": "won"}]},
        headers=admin)).json()["id"]  # fmt: skip
    acme = await made("/api/v1/companies", {"name": "Acme"})
    board = await made("/api/v1/companies", {"name": "Board Co"})
    ann = await made(
        "/api/v1/contacts", {"first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.example"]}
    )
    bob = await made("/api/v1/contacts", {"first_name": "Bob", "last_name": "Ray"})
    deal = await made("/api/v1/deals", {"name": "Big deal", "pipeline": pipeline, "company": acme})

    put = await app_client.put(
        f"/api/v1/deals/{deal}/contacts/{ann}", json={"role": "champion"}, headers=admin
    )
    assert put.status_code == 200, put.text
    assert (await app_client.put(f"/api/v1/deals/{deal}/contacts/{bob}", json={"role": "decision_maker"},
                                 headers=admin)).status_code == 200  # fmt: skip
    again = await app_client.put(f"/api/v1/deals/{deal}/contacts/{ann}", json={"role": "economic_buyer"},
                                 headers=admin)  # fmt: skip
    assert again.status_code == 200
    listed = (await app_client.get(f"/api/v1/deals/{deal}/contacts", headers=admin)).json()
    assert [(r["id"], r["title"], r["role"]) for r in listed] == [
        (ann, "Ann Lee", "economic_buyer"),
        (bob, "Bob Ray", "decision_maker"),
    ]
    bad = await app_client.put(f"/api/v1/deals/{deal}/contacts/{ann}", json={"role": "boss"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "role"
    missing = await app_client.put(
        f"/api/v1/deals/{deal}/contacts/999999", json={"role": "other"}, headers=admin
    )
    assert missing.status_code == 422
    changes = (await app_client.get(f"/api/v1/deals/{deal}/timeline", headers=admin)).json()["items"]
    assert any("contact_roles" in (item["data"].get("changes") or {}) for item in changes)

    related = await app_client.put(f"/api/v1/contacts/{ann}/companies/{board}", json={"role": "Board member"},
                                   headers=admin)  # fmt: skip
    assert related.status_code == 200
    companies = (await app_client.get(f"/api/v1/contacts/{ann}/companies", headers=admin)).json()
    assert [(r["id"], r["role"]) for r in companies] == [(board, "Board member")]
    people = (await app_client.get(f"/api/v1/companies/{board}/people", headers=admin)).json()
    assert [(r["id"], r["detail"], r["role"]) for r in people] == [(ann, "ann@acme.example", "Board member")]

    reader = await sign_in(app_client, tenant.slug, f"reader@{tenant.slug}.example")
    assert (await app_client.get(f"/api/v1/deals/{deal}/contacts", headers=reader)).status_code == 200
    refused = await app_client.put(
        f"/api/v1/deals/{deal}/contacts/{ann}", json={"role": "other"}, headers=reader
    )
    assert refused.status_code == 403
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    mine = await made("/api/v1/deals", {"name": "Rep deal", "pipeline": pipeline}, rep)
    not_visible = await app_client.put(
        f"/api/v1/deals/{mine}/contacts/{ann}", json={"role": "other"}, headers=rep
    )
    assert not_visible.status_code == 422  # the rep may not see the admin's contact
    assert (await app_client.get(f"/api/v1/deals/{deal}/contacts", headers=rep)).status_code == 404

    outsider = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    crossed = [
        ("get", f"/api/v1/deals/{deal}/contacts"),
        ("get", f"/api/v1/companies/{board}/people"),
        ("delete", f"/api/v1/deals/{deal}/contacts/{ann}"),
    ]
    for method, path in crossed:
        assert (await getattr(app_client, method)(path, headers=outsider)).status_code == 404, path

    twin = await made(
        "/api/v1/contacts", {"first_name": "Ann", "last_name": "Lee", "emails": ["ann2@acme.example"]}
    )
    assert (await app_client.put(f"/api/v1/deals/{deal}/contacts/{twin}", json={"role": "influencer"},
                                 headers=admin)).status_code == 200  # fmt: skip
    other_deal = await made("/api/v1/deals", {"name": "Second deal", "pipeline": pipeline})
    assert (await app_client.put(f"/api/v1/deals/{other_deal}/contacts/{twin}", json={"role": "end_user"},
                                 headers=admin)).status_code == 200  # fmt: skip
    merged = await app_client.post("/api/v1/merges", json={"object_type": "contact", "survivor_id": ann,
                                                           "merged_id": twin}, headers=admin)  # fmt: skip
    assert merged.status_code == 201, merged.text
    second = (await app_client.get(f"/api/v1/deals/{other_deal}/contacts", headers=admin)).json()
    assert [(r["id"], r["role"]) for r in second] == [(ann, "end_user")]  # moved to the survivor
    first = (await app_client.get(f"/api/v1/deals/{deal}/contacts", headers=admin)).json()
    assert [(r["id"], r["role"]) for r in first] == [(ann, "economic_buyer"), (bob, "decision_maker")]
    undo = await app_client.post(f"/api/v1/merges/{merged.json()['merge_id']}/undo", headers=admin)
    assert undo.status_code == 200, undo.text
    second = (await app_client.get(f"/api/v1/deals/{other_deal}/contacts", headers=admin)).json()
    assert [(r["id"], r["role"]) for r in second] == [(twin, "end_user")]

    removed = await app_client.delete(f"/api/v1/deals/{deal}/contacts/{bob}", headers=admin)
    assert removed.status_code == 204
    assert (await app_client.delete(f"/api/v1/deals/{deal}/contacts/{bob}", headers=admin)).status_code == 404
