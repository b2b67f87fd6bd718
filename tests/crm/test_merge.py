"""Likely duplicates and merging: scores, survivorship, re-linking every related record, undo, rights."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import sign_in


async def _post(
    client: AsyncTestClient,
    path: str,
    headers: dict[str, str],
    **body: Any,  # type: ignore[type-arg]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def test_duplicates_merge_and_undo(app_client: AsyncTestClient, mail_sink: MailSink) -> None:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    acme = await _post(app_client, "/api/v1/companies", admin, name="Acme")
    referrer = {"object_type": "contact", "key": "referrer", "label": "Referrer", "type": "relation",
                "options": ["contact"]}  # fmt: skip
    await _post(app_client, "/api/v1/custom-fields", admin, **referrer)
    keep = await _post(app_client, "/api/v1/contacts", admin, first_name="Jon", last_name="Smith",
                       emails=["jon@acme.example"], title="CTO", company=acme["id"])  # fmt: skip
    twin = await _post(app_client, "/api/v1/contacts", admin, first_name="John", last_name="Smith",
                       emails=["john.smith@acme.example"], title="VP", company=acme["id"])  # fmt: skip
    same_mail = await _post(app_client, "/api/v1/contacts", admin, first_name="J.", last_name="S.",
                            emails=["jon@acme.example"])  # fmt: skip
    other = await _post(app_client, "/api/v1/contacts", admin, first_name="Mary", last_name="Jones",
                        custom={"referrer": twin["id"]})  # fmt: skip

    found = (await app_client.get(f"/api/v1/duplicates/contact/{keep['id']}", headers=admin)).json()
    assert [(hit["id"], hit["score"]) for hit in found][:1] == [(same_mail["id"], 1.0)]
    assert twin["id"] in {hit["id"] for hit in found}
    assert other["id"] not in {hit["id"] for hit in found}

    pipeline = await _post(app_client, "/api/v1/pipelines", admin, name="Sales", stages=[{"name": "Open"}])
    deal = await _post(
        app_client, "/api/v1/deals", admin, name="Pilot", pipeline=pipeline["id"], contact=twin["id"]
    )
    task = await _post(app_client, "/api/v1/activities", admin, subject="Call John", record_type="contact",
                       record_id=twin["id"])  # fmt: skip
    note = await _post(app_client, "/api/v1/notes", admin, body="<p>Met at the fair</p>",
                       record_type="contact", record_id=twin["id"])  # fmt: skip
    await _post(
        app_client, "/api/v1/contacts/bulk", admin, ids=[keep["id"], twin["id"]], action="tag", tags=["vip"]
    )
    await _post(app_client, "/api/v1/contacts/bulk", admin, ids=[twin["id"]], action="tag", tags=["hot"])

    member = await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member")
    assert member
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")
    refused = await app_client.post(
        "/api/v1/merges", json={"object_type": "contact", "survivor_id": keep["id"], "merged_id": twin["id"]},
        headers=rep,
    )  # fmt: skip
    assert refused.status_code == 403
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    bad = await app_client.post(
        "/api/v1/merges", json={"object_type": "contact", "survivor_id": keep["id"], "merged_id": twin["id"],
                                "take": ["password"]}, headers=admin,
    )  # fmt: skip
    assert bad.status_code == 422

    merged = await _post(app_client, "/api/v1/merges", admin, object_type="contact", survivor_id=keep["id"],
                         merged_id=twin["id"], take=["title"])  # fmt: skip
    assert merged["record"]["title"] == "VP"
    assert merged["record"]["email"] == "jon@acme.example"  # not taken: the survivor's stays

    async def state() -> dict[str, Any]:
        def get(path: str) -> Any:
            return app_client.get(path, headers=admin)

        tags = (await get("/api/v1/contacts?fields=last_name,tags&sort=id")).json()["items"]
        return {
            "twin": (await get(f"/api/v1/contacts/{twin['id']}")).status_code,
            "deal": (await get(f"/api/v1/deals/{deal['id']}")).json()["contact"],
            "task": (await get(f"/api/v1/activities/{task['id']}")).json()["record_id"],
            "note": (await get(f"/api/v1/notes/{note['id']}")).json()["record_id"],
            "referrer": (await get(f"/api/v1/contacts/{other['id']}")).json()["custom"]["referrer"],
            "title": (await get(f"/api/v1/contacts/{keep['id']}")).json()["title"],
            "tags": {row["id"]: row["tags"] for row in tags},
        }

    after = await state()
    assert after == {
        "twin": 404, "deal": keep["id"], "task": keep["id"], "note": keep["id"], "referrer": keep["id"],
        "title": "VP", "tags": {keep["id"]: ["hot", "vip"], same_mail["id"]: [], other["id"]: []},
    }  # fmt: skip
    timeline = (await app_client.get(f"/api/v1/contacts/{keep['id']}/timeline", headers=admin)).json()[
        "items"
    ]
    assert {item["type"] for item in timeline} >= {"activity", "note", "deal"}

    undone = await app_client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    before = await state()
    assert before == {
        "twin": 200, "deal": twin["id"], "task": twin["id"], "note": twin["id"], "referrer": twin["id"],
        "title": "CTO", "tags": {keep["id"]: ["vip"], twin["id"]: ["hot", "vip"], same_mail["id"]: [],
                                 other["id"]: []},
    }  # fmt: skip
    again = await app_client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=admin)
    assert again.status_code == 409
    of_keep = {"object_type": "contact", "object_id": str(keep["id"])}
    audit = await app_client.get("/api/v1/audit", params=of_keep, headers=admin)
    assert {"contact.merged", "contact.merge_undone"} <= {row["action"] for row in audit.json()["items"]}

    stranger_tenant = await sign_up(app_client)
    stranger = await sign_in(app_client, stranger_tenant.slug, f"admin@{stranger_tenant.slug}.example")
    crossed = await app_client.post(
        "/api/v1/merges", json={"object_type": "contact", "survivor_id": keep["id"], "merged_id": twin["id"]},
        headers=stranger,
    )  # fmt: skip
    assert crossed.status_code == 404
    assert (
        await app_client.get(f"/api/v1/duplicates/contact/{keep['id']}", headers=stranger)
    ).status_code == 404
    assert (
        await app_client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=stranger)
    ).status_code == 404
