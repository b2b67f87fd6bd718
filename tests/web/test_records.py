"""Record pages in Chromium against the real server: logging activities and notes, merging duplicates,
converting a lead, and what a member whose role hides a field sees; checked through the API."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import MailSink
from tests.factories import PASSWORD, token_in
from tests.web.conftest import Screens, Workspace, sign_in


def test_log_an_activity_and_a_note_then_see_them_in_the_timeline(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    contact = workspace.create("contacts", {"first_name": "Tia", "last_name": "Meline"})
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/contacts/{contact['id']}")
    page.get_by_role("button", name="Log activity").click()
    dialog = page.get_by_role("dialog", name="Log activity")
    dialog.get_by_text("Meeting", exact=True).click()
    dialog.get_by_role("button", name="Log activity").click()
    expect(dialog.get_by_text("The subject")).to_be_visible()  # the API's field error, on the field
    dialog.get_by_label("Subject").fill("Quarterly review")
    dialog.get_by_label("When").fill("2030-01-15T10:30")
    screens.take("log-activity")
    dialog.get_by_role("button", name="Log activity").click()
    expect(dialog).to_be_hidden()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Quarterly review")
    (activity,) = workspace.get("/api/v1/activities?q=quarterly")["items"]
    assert (activity["kind"], activity["record_type"], activity["record_id"], activity["done"]) == (
        "meeting", "contact", contact["id"], False,
    )  # fmt: skip
    assert activity["due_at"].startswith("2030-01-15")

    page.get_by_role("button", name="Add note").click()
    note = page.get_by_role("dialog", name="Add note")
    editor = note.get_by_role("textbox", name="Note")
    editor.click()
    page.keyboard.type("Agreed on ")
    page.keyboard.press("Control+b")
    page.keyboard.type("three seats")
    screens.take("add-note")
    note.get_by_role("button", name="Add note").click()
    expect(note).to_be_hidden()
    expect(timeline.locator("b, strong")).to_have_text("three seats")

    page.get_by_role("tab", name="Activities").click()
    activities = page.get_by_test_id("activities")
    activities.get_by_role("checkbox", name="Done: Quarterly review").check()
    expect(activities.get_by_text("Done", exact=True)).to_be_visible()
    screens.take("activities-tab")
    assert workspace.get(f"/api/v1/activities/{activity['id']}")["done"] is True


def test_merge_a_duplicate_field_by_field_and_undo(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    keep = workspace.create("contacts", {"first_name": "Rosa", "last_name": "Parks", "title": "Seamstress",
                                         "emails": [{"value": "rosa@one.example"}]})  # fmt: skip
    dupe = workspace.create("contacts", {"first_name": "Rosa", "last_name": "Parks", "title": "Activist",
                                         "emails": [{"value": "rosa@two.example"}]})  # fmt: skip
    linked = {"record_type": "contact", "record_id": dupe["id"]}
    workspace.create("activities", {"kind": "call", "subject": "Call about the boycott", **linked})
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/contacts/{keep['id']}")
    page.get_by_role("button", name="Merge").click()
    dialog = page.get_by_role("dialog", name="Merge duplicates")
    dialog.get_by_role("button", name="Merge with Rosa Parks").click()
    dialog.get_by_role("radio", name="Title: take the duplicate's").check()
    screens.take("merge-fields")
    dialog.get_by_role("button", name="Merge", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Edit Title")).to_have_text("Activist")
    expect(page.get_by_test_id("timeline")).to_contain_text("Call about the boycott")
    assert workspace.http.get(f"/api/v1/contacts/{dupe['id']}").status_code == 404
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("The merge was undone.")).to_be_visible()
    assert workspace.get(f"/api/v1/contacts/{dupe['id']}")["title"] == "Activist"
    assert workspace.get(f"/api/v1/contacts/{keep['id']}")["title"] == "Seamstress"


def test_convert_a_lead_to_a_contact_company_and_deal(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    workspace.create("pipelines", {"name": "Sales", "stages": [{"name": "New", "probability": 10}]})
    lead = workspace.create("leads", {
        "first_name": "Linus", "last_name": "Lead", "email": "linus@kernel.example",
        "company_name": "Kernel Works",
    })  # fmt: skip
    sign_in(page, workspace)
    page.get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="Linus Lead").click()
    page.wait_for_url(f"{workspace.url}/leads/{lead['id']}")
    expect(page.get_by_role("heading", name="Linus Lead")).to_be_visible()
    expect(page.get_by_label("Score 0")).to_be_visible()
    page.get_by_role("button", name="Convert").click()
    dialog = page.get_by_role("dialog", name="Convert Linus Lead")
    dialog.get_by_label("Also open a deal").check()
    dialog.get_by_label("Deal name").fill("")
    dialog.get_by_role("button", name="Convert").click()
    expect(dialog.get_by_text("The deal name")).to_be_visible()  # refused by the API, shown on the field
    dialog.get_by_label("Deal name").fill("Kernel Works pilot")
    dialog.get_by_label("Amount").fill("4200")
    screens.take("convert-lead")
    dialog.get_by_role("button", name="Convert").click()
    result = dialog.get_by_test_id("conversion-result")
    expect(result).to_contain_text("Kernel Works pilot")
    screens.take("lead-converted")
    dialog.get_by_role("button", name="Done").click()

    converted = workspace.get(f"/api/v1/leads/{lead['id']}")
    assert converted["status"] == "converted"
    contact = workspace.get(f"/api/v1/contacts/{converted['converted_contact']}")
    assert (contact["email"], contact["company"]) == ("linus@kernel.example", converted["converted_company"])
    deal = workspace.get(f"/api/v1/deals/{converted['converted_deal']}")
    assert (deal["name"], deal["amount"], deal["contact"]) == ("Kernel Works pilot", "4200.00", contact["id"])
    banner = page.get_by_test_id("converted-to")
    expect(banner).to_contain_text("Kernel Works")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # laid out for a phone from the start, as a phone opens it
    expect(banner.get_by_role("link", name="Linus Lead")).to_be_visible()
    screens.take("lead-page-phone")
    banner.get_by_role("link", name="Linus Lead").click()
    page.wait_for_url(f"{workspace.url}/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Linus Lead")).to_be_visible()


def test_a_member_does_not_see_settings_or_a_field_their_role_hides(
    page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    role = workspace.http.post("/api/v1/roles", json={
        "key": "no-titles", "name": "No titles", "permissions": {"objects": {
            "*": {"ops": ["create", "read", "update"], "scope": "all"},
            "contact": {"ops": ["create", "read", "update"], "scope": "all", "fields": {"title": "hidden"}},
        }},
    })  # fmt: skip
    assert role.status_code == 201, role.text
    email = f"rep@{workspace.slug}.example"
    invited = workspace.http.post("/api/v1/invitations", json={"email": email, "role": "no-titles"})
    assert invited.status_code == 201, invited.text
    accepted = workspace.http.post("/api/v1/invitations/accept", json={
        "token": token_in(mail_sink, email, "accept-invitation"), "password": PASSWORD,
    })  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    contact = workspace.create(
        "contacts", {"first_name": "Hidden", "last_name": "Title", "title": "Secret agent"}
    )

    sign_in(page, workspace, email)
    expect(page.locator("tr[data-record-id]")).to_have_count(1)
    expect(page.get_by_role("columnheader", name="Name")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Title")).to_have_count(0)
    expect(page.get_by_text("Secret agent")).to_have_count(0)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.get_by_role("button", name="Columns").click()
    expect(page.get_by_role("checkbox", name="Phone")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Title")).to_have_count(0)
    page.keyboard.press("Escape")
    # Bulk delete is not offered to a role without the delete permission.
    page.get_by_role("checkbox", name="Select row 1").check()
    expect(
        page.get_by_role("region", name="Bulk actions").get_by_role("button", name="Add tag")
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Bulk actions").get_by_role("button", name="Delete")
    ).to_have_count(0)
    screens.take("member-contacts")
    page.goto(f"{workspace.url}/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Hidden Title")).to_be_visible()
    expect(page.get_by_role("button", name="Edit First name")).to_be_visible()
    expect(page.get_by_role("button", name="Edit Title")).to_have_count(0)
    expect(page.get_by_text("Secret agent")).to_have_count(0)
    page.goto(f"{workspace.url}/settings")
    expect(page.get_by_role("alert")).to_contain_text(re.compile("owners and admins", re.IGNORECASE))
    screens.take("member-settings-refused")
    # Their own API keys are theirs to manage, from the account menu.
    page.get_by_role("button", name="Account").click()
    page.get_by_role("menuitem", name="Your API keys").click()
    page.get_by_label("Name").fill("My script")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_test_id("api-key-secret")).to_be_visible()
    expect(page.locator("[data-api-key='My script']")).to_be_visible()


def test_my_work_shows_due_activities_open_deals_and_recent_records(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    me = workspace.get("/api/v1/me")
    pipeline = workspace.create("pipelines", {"name": "Sales", "stages": [
        {"name": "Talking", "probability": 30}, {"name": "Won", "probability": 100, "kind": "won"},
    ]})  # fmt: skip
    workspace.create("deals", {"name": "Open and mine", "pipeline": pipeline["id"], "amount": "900"})
    workspace.create("deals", {"name": "Already won", "pipeline": pipeline["id"], "amount": "500",
                               "stage": pipeline["stages"][1]["id"]})  # fmt: skip
    contact = workspace.create("contacts", {"first_name": "Due", "last_name": "Today"})
    linked = {"record_type": "contact", "record_id": contact["id"], "owner_id": me["user_id"]}
    overdue = workspace.create("activities", {"kind": "task", "subject": "Send the proposal",
                                              "due_at": "2020-01-01T09:00:00Z", **linked})  # fmt: skip
    later = {"kind": "call", "subject": "Call next decade", "due_at": "2040-01-01T09:00:00Z", **linked}
    workspace.create("activities", later)
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Due Today")).to_be_visible()
    page.get_by_role("link", name="My work").click()
    due = page.get_by_test_id("due-activities")
    expect(due).to_contain_text("Send the proposal")
    expect(due).to_contain_text("Overdue")
    expect(due).not_to_contain_text("Call next decade")
    expect(page.get_by_test_id("open-deals")).to_contain_text("Open and mine")
    expect(page.get_by_test_id("open-deals")).not_to_contain_text("Already won")
    expect(page.get_by_test_id("recent").get_by_role("link", name="Due Today")).to_be_visible()
    screens.take("my-work")
    due.get_by_role("checkbox", name="Done: Send the proposal").click()  # not check(): the row goes away
    expect(due).not_to_contain_text("Send the proposal")
    assert workspace.get(f"/api/v1/activities/{overdue['id']}")["done"] is True
