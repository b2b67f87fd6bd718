"""Imports: upload, mapping suggestions, per-row report with fix-and-retry, dedupe choices (exact and fuzzy),
custom fields, XLSX, cancellation, permissions and tenant isolation.

The jobs run in one real worker process for the module, on the app's Redis broker and file store.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient
from openpyxl import Workbook
from rapport.kernel.settings import Settings

from tests.conftest import MailSink
from tests.events.conftest import Processes
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in

Client = AsyncTestClient  # type: ignore[type-arg]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


async def _finished(
    client: Client, headers: dict[str, str], import_id: int, worker: Processes, within: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        state = dict((await client.get(f"/api/v1/imports/{import_id}", headers=headers)).json())
        if state["status"] in ("done", "failed", "cancelled"):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"import {import_id} did not finish: {state}\n{worker.log('worker')}")
        await asyncio.sleep(0.1)


async def _upload(
    client: Client,
    headers: dict[str, str],
    body: bytes,
    object_type: str = "contact",
    filename: str = "people.csv",
    media: str = "text/csv",
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/imports?object_type={object_type}&filename={filename}",
        content=body,
        headers=headers | {"content-type": media},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _run(
    client: Client, headers: dict[str, str], worker: Processes, import_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    started = await client.post(f"/api/v1/imports/{import_id}/start", json=body, headers=headers)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    return await _finished(client, headers, import_id, worker)


async def _contacts(client: Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/contacts?limit=200&fields=first_name,last_name,email,phones,title,company,custom,owner_id",
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_an_import_suggests_a_mapping_reports_bad_rows_and_takes_them_back_fixed(
    app_client: Client, worker: Processes, settings: Settings
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    field = {
        "object_type": "contact",
        "key": "tier",
        "label": "Tier",
        "type": "select",
        "options": ["gold", "silver"],
    }
    assert (await app_client.post("/api/v1/custom-fields", json=field, headers=admin)).status_code == 201
    seats = {"object_type": "contact", "key": "seats", "label": "Seats", "type": "number"}
    assert (await app_client.post("/api/v1/custom-fields", json=seats, headers=admin)).status_code == 201
    body = _csv(
        [
            ["First Name", "Surname", "E-mail", "Company", "Tier", "Seats", "Notes"],
            ["Ada", "Lovelace", "ADA@example.com", "Analytical Engines", "gold", "1,200", "x"],
            ["Grace", "Hopper", "not-an-address", "Navy", "platinum", "many", ""],
            ["", "", "", "Nobody Inc", "", "", ""],
            ["Alan", "Turing", "alan@example.com", "Analytical Engines", "silver", "", ""],
        ]
    )
    uploaded = await _upload(app_client, admin, body)
    assert uploaded["status"] == "uploaded"
    assert uploaded["headers"] == ["First Name", "Surname", "E-mail", "Company", "Tier", "Seats", "Notes"]
    assert uploaded["sample"][0][:3] == ["Ada", "Lovelace", "ADA@example.com"]
    assert uploaded["suggested_mapping"] == {
        "First Name": "first_name",
        "Surname": "last_name",
        "E-mail": "email",
        "Company": "company",
        "Tier": "custom.tier",
        "Seats": "custom.seats",
        "Notes": None,
    }
    mapping = {k: v for k, v in uploaded["suggested_mapping"].items() if v}
    again = (await app_client.get(f"/api/v1/imports/{uploaded['id']}", headers=admin)).json()
    assert again["suggested_mapping"] == uploaded["suggested_mapping"]
    assert {"name": "custom.tier", "label": "Tier"} in again["fields"]

    bad = await app_client.post(
        f"/api/v1/imports/{uploaded['id']}/start",
        json={"mapping": {"First Name": "first_name", "Nope": "email", "Tier": "custom.unknown"}},
        headers=admin,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"mapping.Nope", "mapping.Tier"}

    done = await _run(app_client, admin, worker, uploaded["id"], {"mapping": mapping})
    assert done["status"] == "done", done["error"]
    assert done["counts"] == {"created": 2, "updated": 0, "skipped": 0, "failed": 2}
    assert done["progress"]["percent"] == 100
    uploads = settings.data_dir / "files" / "t" / str(tenant.id) / "imports"
    assert not list(uploads.glob("*")), "the uploaded file is dropped once the import is over"
    assert done["progress"]["rows_total"] == 4

    report = (await app_client.get(f"/api/v1/imports/{uploaded['id']}/failures", headers=admin)).json()
    assert [item["row"] for item in report["items"]] == [3, 4]
    grace = report["items"][0]
    assert {(e["column"], e["message"]) for e in grace["errors"]} == {
        ("E-mail", "not a valid email address"),
        ("Tier", "one of: gold, silver"),
        ("Seats", "a number"),
    }
    assert grace["cells"]["First Name"] == "Grace"
    assert report["items"][1]["errors"][0]["message"] == "a contact needs a name or an email address"
    listed = (await app_client.get(f"/api/v1/imports/{uploaded['id']}/failures.csv", headers=admin)).text
    assert "Grace" in listed
    assert "E-mail: not a valid email address" in listed

    people = {c["email"]: c for c in await _contacts(app_client, admin)}
    ada = people["ada@example.com"]
    assert ada["custom"] == {"tier": "gold", "seats": 1200}
    assert ada["company"] is not None
    assert ada["company"] == people["alan@example.com"]["company"]
    companies = (await app_client.get("/api/v1/companies?q=Analytical", headers=admin)).json()["items"]
    assert len(companies) == 1  # created once for both rows

    fixed = dict(grace["cells"]) | {"E-mail": "grace@example.com", "Tier": "silver", "Seats": "3"}
    retried = await app_client.post(
        f"/api/v1/imports/{uploaded['id']}/retry", json={"rows": [{"row": 3, "cells": fixed}]}, headers=admin
    )
    assert retried.status_code == 202, retried.text
    assert retried.json()["retry_of"] == uploaded["id"]
    again = await _finished(app_client, admin, retried.json()["id"], worker)
    assert again["counts"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 0}
    grace_row = {c["email"]: c for c in await _contacts(app_client, admin)}["grace@example.com"]
    assert grace_row["custom"] == {"tier": "silver", "seats": 3}

    audit = (await app_client.get("/api/v1/audit?action=contact.imported", headers=admin)).json()
    assert [(e["object_id"], e["changes"]["created"][1]) for e in audit["items"]] == [
        (str(retried.json()["id"]), 1),
        (str(uploaded["id"]), 2),
    ]


async def test_dedupe_skips_updates_or_creates_by_email_and_by_similar_name_at_the_same_company(
    app_client: Client, worker: Processes
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    company = (await app_client.post("/api/v1/companies", json={"name": "Initech"}, headers=admin)).json()
    existing = [
        {
            "first_name": "Peter",
            "last_name": "Gibbons",
            "emails": ["peter@initech.example"],
            "title": "Engineer",
            "company": company["id"],
        },
        {"first_name": "Michael", "last_name": "Bolton", "company": company["id"]},
        {"first_name": "Samir", "last_name": "Nagheenanajar", "emails": ["samir@initech.example"]},
    ]
    for values in existing:
        assert (await app_client.post("/api/v1/contacts", json=values, headers=admin)).status_code == 201
    rows = [
        ["Name", "Email", "Company", "Title"],
        ["Peter Gibbons", "PETER@initech.example", "Initech", "Manager"],  # same email
        ["Micheal Bolton", "michael@initech.example", "initech", "Coder"],  # similar name, same company
        ["Samir Nagheenanajar", "", "Other Co", ""],  # similar name, other company: new
        ["Peter G.", "peter@initech.example", "", "Again"],  # the same email as an earlier row
        ["Milton Waddams", "milton@initech.example", "Initech", ""],  # new
    ]
    mapping = {"Name": "full_name", "Email": "email", "Company": "company", "Title": "title"}

    skipped = await _upload(app_client, admin, _csv(rows))
    result = await _run(app_client, admin, worker, skipped["id"], {"mapping": mapping, "on_match": "skip"})
    assert result["counts"] == {"created": 2, "updated": 0, "skipped": 3, "failed": 0}, result
    people = await _contacts(app_client, admin)
    assert len(people) == 5
    assert {p["title"] for p in people if p["email"] == "peter@initech.example"} == {"Engineer"}

    updated = await _upload(app_client, admin, _csv(rows[:3]))
    result = await _run(app_client, admin, worker, updated["id"], {"mapping": mapping, "on_match": "update"})
    assert result["counts"] == {"created": 0, "updated": 2, "skipped": 0, "failed": 0}, result
    people = await _contacts(app_client, admin)
    by_name = {p["last_name"]: p for p in people if p["first_name"] in ("Peter", "Michael", "Micheal")}
    assert by_name["Gibbons"]["title"] == "Manager"
    assert by_name["Bolton"]["title"] == "Coder"
    assert by_name["Bolton"]["first_name"] == "Micheal"  # the file's spelling wins on update
    assert by_name["Bolton"]["email"] == "michael@initech.example"  # had none: now the file's
    history = (
        await app_client.get(f"/api/v1/contacts/{by_name['Gibbons']['id']}/timeline", headers=admin)
    ).json()
    changes = [item for item in history["items"] if item["type"] == "change"]
    assert changes
    assert changes[0]["data"]["changes"]["title"] == ["Engineer", "Manager"]

    no_fuzzy = await _upload(app_client, admin, _csv([rows[0], ["Mike Bolton", "", "Initech", "x"]]))
    result = await _run(
        app_client, admin, worker, no_fuzzy["id"], {"mapping": mapping, "on_match": "skip", "fuzzy": False}
    )
    assert result["counts"]["created"] == 1

    created = await _upload(app_client, admin, _csv(rows[:2]))
    result = await _run(app_client, admin, worker, created["id"], {"mapping": mapping, "on_match": "create"})
    assert result["counts"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 0}
    emails = [p["email"] for p in await _contacts(app_client, admin)]
    assert emails.count("peter@initech.example") == 2


async def test_companies_and_leads_import_from_xlsx_with_owners(
    app_client: Client, mail_sink: MailSink, worker: Processes
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Company", "Website", "Industry", "Owner"])
    sheet.append(["Hooli", "https://www.hooli.example/", "Tech", f"rep@{tenant.slug}.example"])
    sheet.append(["Pied Piper", "piedpiper.example", "Tech", "stranger@example.com"])
    sheet.append(["Hooli Inc", "hooli.example", "", ""])  # the same domain as an earlier row
    buffer = io.BytesIO()
    workbook.save(buffer)
    uploaded = await _upload(
        app_client,
        admin,
        buffer.getvalue(),
        "company",
        "firms.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert uploaded["format"] == "xlsx"
    assert uploaded["suggested_mapping"] == {
        "Company": "name",
        "Website": "domain",
        "Industry": "industry",
        "Owner": "owner",
    }
    done = await _run(app_client, admin, worker, uploaded["id"], {"mapping": uploaded["suggested_mapping"]})
    assert done["counts"] == {"created": 1, "updated": 0, "skipped": 1, "failed": 1}, done
    failure = (await app_client.get(f"/api/v1/imports/{uploaded['id']}/failures", headers=admin)).json()
    assert failure["items"][0]["errors"][0] == {
        "column": "Owner",
        "field": "owner",
        "message": "no active member has this email",
    }
    hooli = (
        await app_client.get("/api/v1/companies?q=Hooli&fields=name,domain,owner_id", headers=admin)
    ).json()["items"]
    members = (await app_client.get("/api/v1/members", headers=admin)).json()
    member_list = members["items"] if isinstance(members, dict) else members
    rep = next(m for m in member_list if m["email"] == f"rep@{tenant.slug}.example")
    assert [(c["domain"], c["owner_id"]) for c in hooli] == [("hooli.example", rep["user_id"])]

    leads = _csv(
        [
            ["Full name", "Email", "Company", "Status", "Lead source"],
            ["Jian Yang", "jian@example.com", "Yang Apps", "contacted", "fair"],
            ["Erlich Bachman", "erlich@example.com", "Aviato", "won", ""],
        ]
    )
    uploaded = await _upload(app_client, admin, leads, "lead")
    assert uploaded["suggested_mapping"]["Lead source"] == "source"
    done = await _run(app_client, admin, worker, uploaded["id"], {"mapping": uploaded["suggested_mapping"]})
    assert done["counts"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}
    lead = (
        await app_client.get("/api/v1/leads?fields=first_name,status,source,company_name", headers=admin)
    ).json()["items"]
    assert [(x["first_name"], x["status"], x["source"], x["company_name"]) for x in lead] == [
        ("Jian", "contacted", "fair", "Yang Apps")
    ]


async def running_big_import(client: Client) -> tuple[dict[str, str], dict[str, Any]]:
    """A new workspace's admin, and their 200,000-row contact import once it is reading rows."""
    tenant = await sign_up(client)
    admin = await sign_in(client, tenant.slug, f"admin@{tenant.slug}.example")
    rows = [["First name", "Last name", "Email"]] + [
        [f"P{i}", f"Person {i}", f"p{i}@example.com"] for i in range(200_000)
    ]
    uploaded = await _upload(client, admin, _csv(rows))
    mapping = {"First name": "first_name", "Last name": "last_name", "Email": "email"}
    started = await client.post(
        f"/api/v1/imports/{uploaded['id']}/start", json={"mapping": mapping}, headers=admin
    )
    assert started.status_code == 202
    seen: dict[str, Any] = {}
    for _ in range(600):
        seen = (await client.get(f"/api/v1/imports/{uploaded['id']}", headers=admin)).json()
        if seen["status"] == "running" and seen["progress"]["rows_done"] > 0:
            break
        await asyncio.sleep(0.01)
    assert (seen["status"], seen["phase"]) == ("running", "reading"), seen
    return admin, seen


async def test_a_running_import_can_be_cancelled_and_leaves_nothing(
    app_client: Client, worker: Processes
) -> None:
    admin, seen = await running_big_import(app_client)
    uploaded = seen
    assert 0 < seen["progress"]["percent"] < 45, seen
    assert seen["progress"]["rows_per_second"] > 0
    cancel = await app_client.post(f"/api/v1/imports/{uploaded['id']}/cancel", headers=admin)
    assert cancel.status_code == 202
    assert cancel.json()["cancel_requested"] is True
    final = await _finished(app_client, admin, uploaded["id"], worker)
    assert final["status"] == "cancelled"
    assert await _contacts(app_client, admin) == []
    again = await app_client.post(f"/api/v1/imports/{uploaded['id']}/cancel", headers=admin)
    assert again.status_code == 409


async def test_imports_are_the_askers_and_follow_the_role(
    app_client: Client, mail_sink: MailSink, database_url: str, worker: Processes
) -> None:
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    await invite_member(app_client, mail_sink, admin, f"member@{tenant.slug}.example", "member")
    await invite_member(app_client, mail_sink, admin, f"reader@{tenant.slug}.example", "read-only")
    body = _csv(
        [["Email", "Owner"], ["a@example.com", f"admin@{tenant.slug}.example"], ["b@example.com", ""]]
    )
    uploaded = await _upload(app_client, admin, body)

    outsider = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    crossed = outsider | {"x-tenant": tenant.slug}
    for method, path in [("get", ""), ("post", "/start"), ("post", "/cancel"), ("get", "/failures")]:
        response = await getattr(app_client, method)(
            f"/api/v1/imports/{uploaded['id']}{path}",
            headers=outsider,
            **({"json": {"mapping": {"Email": "email"}}} if path == "/start" else {}),
        )
        assert response.status_code == 404, (path, response.text)
        assert (
            await getattr(app_client, method)(f"/api/v1/imports/{uploaded['id']}{path}", headers=crossed)
        ).status_code in (401, 403)
    assert (await app_client.get("/api/v1/imports", headers=outsider)).json()["items"] == []

    member = await sign_in(app_client, tenant.slug, f"member@{tenant.slug}.example")
    assert (await app_client.get(f"/api/v1/imports/{uploaded['id']}", headers=member)).status_code == 404
    mine = await _upload(app_client, member, body)
    done = await _run(
        app_client, member, worker, mine["id"], {"mapping": {"Email": "email", "Owner": "owner"}}
    )
    assert done["counts"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}, done
    failure = (await app_client.get(f"/api/v1/imports/{mine['id']}/failures", headers=member)).json()
    assert failure["items"][0]["errors"][0]["message"] == "outside your role's row scope"

    reader = await sign_in(app_client, tenant.slug, f"reader@{tenant.slug}.example")
    refused = await app_client.post(
        "/api/v1/imports?object_type=contact", content=body, headers=reader | {"content-type": "text/csv"}
    )
    assert refused.status_code == 403

    schema = await schema_of(database_url, other)
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval(f'SELECT count(*) FROM "{schema}".contacts') == 0
    finally:
        await connection.close()


async def test_unreadable_files_and_bad_choices_get_clear_errors(app_client: Client) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    cases = [
        (b"", "text/csv", "people.csv"),
        (b"\x00\x01binary", "text/csv", "x.csv"),
        (b"not a workbook", "application/octet-stream", "x.xlsx"),
    ]
    for body, media, name in cases:
        response = await app_client.post(
            f"/api/v1/imports?object_type=contact&filename={name}",
            content=body,
            headers=admin | {"content-type": media},
        )
        assert response.status_code == 422, (name, response.text)
        assert response.json()["errors"][0]["field"] == "file"
    wrong_type = await app_client.post(
        "/api/v1/imports?object_type=deal", content=b"a\n1\n", headers=admin | {"content-type": "text/csv"}
    )
    assert wrong_type.status_code == 422
    semicolons = await _upload(
        app_client, admin, "Nom;Prénom;Courriel\nCurie;Marie;marie@example.com\n".encode("cp1252")
    )
    assert semicolons["headers"] == ["Nom", "Prénom", "Courriel"]
    choice = await app_client.post(
        f"/api/v1/imports/{semicolons['id']}/start",
        json={"mapping": {"Courriel": "email"}, "on_match": "merge"},
        headers=admin,
    )
    assert choice.status_code == 422
    both = await app_client.post(
        f"/api/v1/imports/{semicolons['id']}/start",
        json={"mapping": {"Nom": "full_name", "Prénom": "first_name"}},
        headers=admin,
    )
    assert both.status_code == 422


async def test_unique_custom_values_are_checked_against_records_and_earlier_rows(
    app_client: Client, worker: Processes
) -> None:
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    field = {"object_type": "contact", "key": "ref", "label": "Ref", "type": "text", "unique": True}
    assert (await app_client.post("/api/v1/custom-fields", json=field, headers=admin)).status_code == 201
    taken = {"last_name": "Taken", "custom": {"ref": "A-1"}}
    assert (await app_client.post("/api/v1/contacts", json=taken, headers=admin)).status_code == 201
    body = _csv([["Last name", "Ref"], ["One", "A-1"], ["Two", "B-2"], ["Three", "B-2"], ["Four", "C-3"]])
    uploaded = await _upload(app_client, admin, body)
    done = await _run(
        app_client,
        admin,
        worker,
        uploaded["id"],
        {"mapping": {"Last name": "last_name", "Ref": "custom.ref"}},
    )
    assert done["counts"] == {"created": 2, "updated": 0, "skipped": 0, "failed": 2}, done
    report = (await app_client.get(f"/api/v1/imports/{uploaded['id']}/failures", headers=admin)).json()
    assert [(item["row"], item["errors"][0]["column"]) for item in report["items"]] == [
        (2, "Ref"),
        (4, "Ref"),
    ]
