"""Inline edit in the tables, in Chromium against the real server: a cell saved with a PATCH of its field
(kept after a reload), the API's message and the old value back when it refuses, Escape cancelling, and no
editor for a field the member's role makes read-only; checked through the API."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import MailSink
from tests.factories import PASSWORD, token_in
from tests.web.conftest import Screens, Workspace, sign_in

ROWS = "tr[data-record-id]"


def _title_of(workspace: Workspace, contact_id: int) -> str | None:
    title: str | None = workspace.get(f"/api/v1/contacts/{contact_id}")["title"]
    return title


def test_edit_a_contact_title_in_the_table(page: Page, workspace: Workspace, screens: Screens) -> None:
    ada = workspace.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "title": "Analyst"})
    workspace.create("contacts", {"first_name": "Bob", "last_name": "Byte", "title": "Engineer"})
    sign_in(page, workspace)
    expect(page.locator(ROWS)).to_have_count(2)
    row = page.locator(ROWS).filter(has_text="Ada Lovelace")
    cell = row.locator("[data-field='title']")
    expect(cell).to_have_text("Analyst")

    # Double-click opens the editor in the cell; Enter saves only that field.
    cell.dblclick()
    editor = page.get_by_role("textbox", name="Edit Title of Ada Lovelace")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Analyst")
    editor.fill("Chief Analyst")
    screens.take("editing-a-cell")
    with page.expect_response(lambda response: response.request.method == "PATCH") as saved:
        editor.press("Enter")
    assert saved.value.status == 200
    assert saved.value.request.post_data_json == {"title": "Chief Analyst"}  # only that field
    expect(editor).to_have_count(0)
    expect(cell).to_have_text("Chief Analyst")
    expect(page).to_have_url(f"{workspace.url}/contacts")  # the row did not open
    assert _title_of(workspace, ada["id"]) == "Chief Analyst"

    page.reload()
    expect(page.locator(ROWS).filter(has_text="Ada Lovelace").locator("[data-field='title']")).to_have_text(
        "Chief Analyst"
    )

    # From the keyboard: the pencil button, Enter, Escape cancels.
    pencil = page.get_by_role("button", name="Edit Title of Ada Lovelace")
    pencil.focus()
    page.keyboard.press("Enter")
    editor = page.get_by_role("textbox", name="Edit Title of Ada Lovelace")
    expect(editor).to_be_focused()
    editor.fill("Never saved")
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(cell).to_have_text("Chief Analyst")
    assert _title_of(workspace, ada["id"]) == "Chief Analyst"

    # A value the API refuses: its message in a notification, the cell back to the saved value.
    refused = workspace.http.patch(f"/api/v1/contacts/{ada['id']}", json={"title": "x" * 151})
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["errors"]
    assert problem["field"] == "title"
    page.get_by_role("button", name="Edit Title of Ada Lovelace").click()
    editor = page.get_by_role("textbox", name="Edit Title of Ada Lovelace")
    editor.fill("x" * 151)
    editor.press("Enter")
    alert = page.get_by_role("alert").filter(has_text="Title of Ada Lovelace was not saved")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(f"The title {problem['message']}")
    expect(cell).to_have_text("Chief Analyst")
    screens.take("refused-edit")
    assert _title_of(workspace, ada["id"]) == "Chief Analyst"

    # At phone width the pencil is there to tap.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    bob_pencil = page.get_by_role("button", name="Edit Title of Bob Byte")
    bob_pencil.scroll_into_view_if_needed()
    expect(bob_pencil).to_be_visible()
    assert bob_pencil.evaluate("button => getComputedStyle(button).opacity") == "1"
    bob_pencil.click()
    editor = page.get_by_role("textbox", name="Edit Title of Bob Byte")
    editor.fill("Staff Engineer")
    editor.press("Enter")
    bob_title = page.locator(ROWS).filter(has_text="Bob Byte").locator("[data-field='title']")
    expect(bob_title).to_have_text("Staff Engineer")
    screens.take("phone-width")


def test_no_editor_for_a_field_the_role_makes_read_only(
    page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    workspace.create("custom-fields", {
        "object_type": "contact", "key": "nickname", "label": "Nickname", "type": "text",
    })  # fmt: skip
    role = workspace.http.post("/api/v1/roles", json={
        "key": "fixed-titles", "name": "Fixed titles", "permissions": {"objects": {
            "*": {"ops": ["create", "read", "update"], "scope": "all"},
            "contact": {
                "ops": ["create", "read", "update"], "scope": "all", "fields": {"title": "read_only"},
            },
        }},
    })  # fmt: skip
    assert role.status_code == 201, role.text
    email = f"rep@{workspace.slug}.example"
    invited = workspace.http.post("/api/v1/invitations", json={"email": email, "role": "fixed-titles"})
    assert invited.status_code == 201, invited.text
    accepted = workspace.http.post("/api/v1/invitations/accept", json={
        "token": token_in(mail_sink, email, "accept-invitation"), "password": PASSWORD,
    })  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    contact = workspace.create("contacts", {
        "first_name": "Rita", "last_name": "Reader", "title": "Fixed", "custom": {"nickname": "Ri"},
    })  # fmt: skip

    sign_in(page, workspace, email)
    row = page.locator(ROWS).filter(has_text="Rita Reader")
    expect(row).to_have_count(1)
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Nickname").check()
    page.keyboard.press("Escape")
    expect(page.get_by_role("columnheader", name="Nickname")).to_be_visible()
    expect(row).to_contain_text("Fixed")
    # The title is shown plain; the custom field, which the role leaves writable, edits.
    expect(page.get_by_role("button", name="Edit Title of Rita Reader")).to_have_count(0)
    expect(row.locator("[data-field='title']")).to_have_count(0)
    nickname = page.get_by_role("button", name="Edit Nickname of Rita Reader")
    expect(nickname).to_be_visible()
    nickname.click()
    editor = page.get_by_role("textbox", name="Edit Nickname of Rita Reader")
    editor.fill("Reets")
    with page.expect_response(lambda response: response.request.method == "PATCH") as saved:
        editor.press("Enter")
    assert saved.value.status == 200
    expect(row.locator("[data-field='custom.nickname']")).to_have_text("Reets")
    assert workspace.get(f"/api/v1/contacts/{contact['id']}")["custom"]["nickname"] == "Reets"
    screens.take("read-only-title")
