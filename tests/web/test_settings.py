"""Settings in Chromium against the real server (owners and admins): custom fields, pipelines and stages,
members and invitations, API keys; checked through the API."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import MailSink
from tests.factories import PASSWORD, token_in
from tests.web.conftest import Screens, Workspace, sign_in


def test_define_a_custom_field_and_reorder_stages(page: Page, workspace: Workspace, screens: Screens) -> None:
    pipeline = workspace.create("pipelines", {"name": "Sales", "stages": [
        {"name": "Lead", "probability": 10}, {"name": "Demo", "probability": 40},
    ]})  # fmt: skip
    sign_in(page, workspace)
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{workspace.url}/settings")
    page.get_by_role("button", name="New field").click()
    dialog = page.get_by_role("dialog", name="New custom field")
    dialog.get_by_label("Label").fill("Tier")
    dialog.get_by_role("combobox", name="Type").click()
    page.get_by_role("option", name="Choice", exact=True).click()
    dialog.get_by_role("button", name="Add field").click()
    expect(
        dialog.get_by_text("Choices: 1 to 200 different choices")
    ).to_be_visible()  # the API's, on the field
    dialog.get_by_label("Choices").fill("gold")
    dialog.get_by_label("Choices").press("Enter")
    dialog.get_by_label("Choices").fill("silver")
    dialog.get_by_label("Choices").press("Enter")
    dialog.get_by_label("Required").check()
    screens.take("new-custom-field")
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog.get_by_text("a required field needs a default")).to_be_visible()
    dialog.get_by_label("Default").fill("silver")
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("table", name="Custom fields")).to_contain_text("tier")
    screens.take("custom-fields")
    (field,) = workspace.get("/api/v1/custom-fields?object_type=contact")
    assert (field["key"], field["type"], field["options"], field["required"], field["default"]) == (
        "tier", "select", ["gold", "silver"], True, "silver",
    )  # fmt: skip

    page.get_by_role("tab", name="Pipelines").click()
    section = page.get_by_role("region", name="Pipeline Sales")
    section.get_by_role("button", name="Move stage 2 up").click()
    section.get_by_label("Stage 1 probability").fill("55")
    section.get_by_role("button", name="Add stage").click()
    section.get_by_label("Stage 3 name").fill("Won")
    section.get_by_role("combobox", name="Stage 3 outcome").click()
    page.get_by_role("option", name="Won", exact=True).click()
    screens.take("pipeline-stages")
    section.get_by_role("button", name="Save pipeline").click()
    expect(page.get_by_text("Saved the pipeline “Sales”.")).to_be_visible()
    (saved,) = workspace.get("/api/v1/pipelines")
    assert [(s["name"], s["probability"], s["kind"]) for s in saved["stages"]] == [
        ("Demo", 55, "open"), ("Lead", 10, "open"), ("Won", 50, "won"),
    ]  # fmt: skip
    assert saved["stages"][0]["id"] == pipeline["stages"][1]["id"]  # the stage kept its id (and its deals)


def test_invite_a_member_change_their_role_and_make_an_api_key(
    page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    rep = f"rep@{workspace.slug}.example"
    assert (
        workspace.http.post("/api/v1/invitations", json={"email": rep, "role": "member"}).status_code == 201
    )
    accepted = workspace.http.post("/api/v1/invitations/accept", json={
        "token": token_in(mail_sink, rep, "accept-invitation"), "password": PASSWORD,
    })  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/settings/members")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(re.compile("^The email"))).to_be_visible()
    invitee = f"new@{workspace.slug}.example"
    page.get_by_label("Email").fill(invitee)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(f"[data-invitation='{invitee}']")).to_be_visible()
    screens.take("members")
    (pending,) = workspace.get("/api/v1/invitations")
    assert (pending["email"], pending["role"]) == (invitee, "member")
    page.locator(f"[data-invitation='{invitee}']").get_by_role("button", name="Revoke").click()
    expect(page.locator(f"[data-invitation='{invitee}']")).to_have_count(0)
    assert workspace.get("/api/v1/invitations") == []

    row = page.locator(f"[data-member='{rep}']")
    row.get_by_role("combobox", name=f"Role of {rep}").click()
    page.get_by_role("option", name="Read-only", exact=True).click()
    expect(page.get_by_text(f"{rep} is now read-only.")).to_be_visible()
    row.get_by_role("button", name="Deactivate").click()
    expect(row.get_by_role("button", name="Reactivate")).to_be_visible()
    members = {m["email"]: m for m in workspace.get("/api/v1/members")["items"]}
    assert (members[rep]["role"], members[rep]["active"]) == ("read-only", False)

    page.get_by_role("tab", name="API keys").click()
    page.get_by_label("Name").fill("Zapier")
    page.get_by_label("May change records (write)").check()
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_test_id("api-key-secret").locator("code").inner_text()
    screens.take("api-key-created")
    listed = workspace.http.get(
        "/api/v1/contacts", headers={"authorization": f"Bearer {secret}", "cookie": ""}
    )
    assert listed.status_code == 200, listed.text
    page.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_test_id("api-key-secret")).to_have_count(0)
    page.locator("[data-api-key='Zapier']").get_by_role("button", name="Revoke").click()
    expect(page.locator("[data-api-key='Zapier']")).to_contain_text("revoked")
    (key,) = workspace.get("/api/v1/api-keys")
    assert key["revoked_at"] is not None
