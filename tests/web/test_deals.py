"""Deals, contact roles, saved views and "select all matching" in Chromium against the real server: a deal's
page (opened from the table, the board and Cmd+K; its stage changed), contacts with roles on it, a contact's
other companies, a view renamed and shared with a second member, and a bulk tag on every matching row
beyond the loaded page; checked through the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import MailSink
from tests.factories import PASSWORD, token_in
from tests.web.conftest import TIMEOUT_MS, Screens, Workspace, sign_in

ROWS = "tr[data-record-id]"
PALETTE = "Search contacts, companies, deals and leads, or type a command…"


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def _pipeline(workspace: Workspace) -> dict[str, Any]:
    return workspace.create("pipelines", {"name": "Sales", "stages": [
        {"name": "Lead", "probability": 10}, {"name": "Demo", "probability": 40},
        {"name": "Closing", "probability": 80}, {"name": "Won", "probability": 100, "kind": "won"},
    ]})  # fmt: skip


def _member(workspace: Workspace, mail_sink: MailSink, name: str, role: str) -> str:
    email = f"{name}@{workspace.slug}.example"
    invited = workspace.http.post("/api/v1/invitations", json={"email": email, "role": role})
    assert invited.status_code == 201, invited.text
    accepted = workspace.http.post("/api/v1/invitations/accept", json={
        "token": token_in(mail_sink, email, "accept-invitation"), "password": PASSWORD,
    })  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    return email


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """Another person's browser (its own cookies)."""
    context = browser.new_context(viewport={"width": 1366, "height": 820})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_open_a_deal_from_the_table_board_and_search_then_change_its_stage(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    pipeline = _pipeline(workspace)
    lead, demo, _closing, _won = (stage["id"] for stage in pipeline["stages"])
    company = workspace.create("companies", {"name": "Acme Corp"})
    deal = workspace.create("deals", {
        "name": "Big upgrade", "pipeline": pipeline["id"], "amount": "12000", "company": company["id"],
        "expected_close": "2027-03-31",
    })  # fmt: skip
    assert deal["stage"] == lead
    sign_in(page, workspace)

    page.goto(f"{workspace.url}/deals?mode=table")
    page.locator(ROWS).get_by_role("link", name="Big upgrade").click()
    page.wait_for_url(f"{workspace.url}/deals/{deal['id']}")
    expect(page.get_by_role("heading", name="Big upgrade")).to_be_visible()
    facts = page.get_by_test_id("deal-facts")
    expect(facts).to_contain_text("12,000")
    expect(facts).to_contain_text("Acme Corp")
    expect(facts).to_contain_text("10%")
    expect(page.get_by_role("combobox", name="Stage", exact=True)).to_have_value("Lead")
    screens.take("deal-page")

    with page.expect_response(lambda response: response.request.method == "PATCH") as patched:
        _choose(page, "Stage", "Demo")
    assert patched.value.status == 200
    expect(facts).to_contain_text("40%")  # the new stage's probability
    saved = workspace.get(f"/api/v1/deals/{deal['id']}")
    assert (saved["stage"], saved["probability"]) == (demo, 40)
    page.reload()
    expect(page.get_by_role("combobox", name="Stage", exact=True)).to_have_value("Demo")
    expect(page.get_by_test_id("deal-facts")).to_contain_text("40%")
    page.get_by_role("tab", name="Timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("stage")
    screens.take("deal-stage-changed")

    # The board's card and the command palette open the same page.
    page.get_by_role("link", name="Deals", exact=True).first.click()
    page.wait_for_url(re.compile(r"/deals(\?pipeline=\d+)?$"))
    page.locator(f"[data-stage-id='{demo}'] [data-deal-id='{deal['id']}']").get_by_role("link").first.click()
    page.wait_for_url(f"{workspace.url}/deals/{deal['id']}")
    page.goto(f"{workspace.url}/contacts")
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    page.keyboard.press("Control+k")
    page.get_by_placeholder(PALETTE).fill("Big upgr")
    page.get_by_role("button", name=re.compile("Big upgrade")).click()
    page.wait_for_url(f"{workspace.url}/deals/{deal['id']}")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("combobox", name="Stage", exact=True)).to_be_visible()
    screens.take("deal-page-phone")


def test_contacts_with_roles_on_a_deal_and_a_contacts_other_companies(
    page: Page, second_page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    pipeline = _pipeline(workspace)
    deal = workspace.create("deals", {"name": "Renewal", "pipeline": pipeline["id"], "amount": "5000"})
    email = {"value": "cora@acme.test", "primary": True}
    cora = workspace.create("contacts", {"first_name": "Cora", "last_name": "Champion", "emails": [email]})
    workspace.create("contacts", {"first_name": "Otto", "last_name": "Other"})
    board = workspace.create("companies", {"name": "Board Co"})
    viewer = _member(workspace, mail_sink, "viewer", "read-only")
    sign_in(page, workspace)

    page.goto(f"{workspace.url}/deals/{deal['id']}")
    page.get_by_role("tab", name="Contacts").click()
    panel = page.get_by_test_id("deal-contacts")
    expect(panel).to_contain_text("No contacts on this deal yet.")
    panel.get_by_role("button", name="Add contact").click()
    expect(panel.get_by_text("Contact: is required")).to_be_visible()
    panel.get_by_role("combobox", name="Contact", exact=True).fill("Cora")
    page.get_by_role("option", name=re.compile("Cora Champion")).click()
    _choose(page, "Role", "Champion")
    panel.get_by_role("button", name="Add contact").click()
    row = panel.locator(f"[data-contact-id='{cora['id']}']")
    expect(row).to_contain_text("Cora Champion")
    expect(row.get_by_role("combobox", name="Role of Cora Champion")).to_have_value("Champion")
    assert [(c["id"], c["role"]) for c in workspace.get(f"/api/v1/deals/{deal['id']}/contacts")] == [
        (cora["id"], "champion")
    ]
    screens.take("deal-contact-champion")
    _choose(page, "Role of Cora Champion", "Economic buyer")
    expect(row.get_by_role("combobox", name="Role of Cora Champion")).to_have_value("Economic buyer")
    page.wait_for_function(
        "url => fetch(url).then(r => r.json()).then(items => items[0]?.role === 'economic_buyer')",
        arg=f"/api/v1/deals/{deal['id']}/contacts",
    )

    # The contact's other companies, with a free-text role; the company lists the people related to it.
    page.goto(f"{workspace.url}/contacts/{cora['id']}")
    companies = page.get_by_test_id("contact-companies")
    companies.get_by_role("combobox", name="Company", exact=True).fill("Board")
    page.get_by_role("option", name="Board Co").click()
    companies.get_by_role("textbox", name="Role").fill("Board member")
    companies.get_by_role("button", name="Add company").click()
    expect(companies.locator(f"[data-company-id='{board['id']}']")).to_contain_text("Board member")
    assert [(c["id"], c["role"]) for c in workspace.get(f"/api/v1/contacts/{cora['id']}/companies")] == [
        (board["id"], "Board member")
    ]
    screens.take("contact-other-companies")
    page.goto(f"{workspace.url}/companies/{board['id']}")
    people = page.get_by_test_id("company-people")
    expect(people).to_contain_text("Cora Champion")
    expect(people).to_contain_text("Board member")

    # A read-only member sees the roles but no controls to change them (nor the stage picker).
    sign_in(second_page, workspace, viewer)
    second_page.goto(f"{workspace.url}/deals/{deal['id']}")
    expect(second_page.get_by_role("heading", name="Renewal")).to_be_visible()
    expect(second_page.get_by_role("combobox", name="Stage", exact=True)).to_have_count(0)
    second_page.get_by_role("tab", name="Contacts").click()
    seen = second_page.get_by_test_id("deal-contacts")
    expect(seen).to_contain_text("Economic buyer")
    expect(seen.get_by_role("button", name="Add contact")).to_have_count(0)
    expect(seen.get_by_role("combobox")).to_have_count(0)
    expect(second_page.get_by_role("button", name="Delete")).to_have_count(0)
    screens.take("deal-contacts-read-only")


def test_rename_and_share_a_view_then_a_second_member_sees_it_shared(
    page: Page, second_page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    for first in ("Ada", "Bob"):
        workspace.create("contacts", {"first_name": first, "last_name": "Viewer"})
    rep = _member(workspace, mail_sink, "rep", "member")
    sign_in(page, workspace)
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Tags").check()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save view")
    dialog.get_by_label("Name").fill("Mine")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    page.wait_for_url(re.compile(r"[?&]view=\d+"))
    (view,) = workspace.get("/api/v1/views?object_type=contact")
    assert (view["name"], view["shared"]) == ("Mine", False)

    page.get_by_role("button", name="View actions").click()
    page.get_by_role("menuitem", name="Rename “Mine”…").click()
    rename = page.get_by_role("dialog", name="Rename view")
    expect(rename.get_by_label("Name")).to_have_value("Mine")
    rename.get_by_label("Name").fill("")
    rename.get_by_role("button", name="Rename").click()
    expect(rename.get_by_text(re.compile("^The name"))).to_be_visible()  # the API's field error, on the field
    rename.get_by_label("Name").fill("Key accounts")
    rename.get_by_role("button", name="Rename").click()
    expect(rename).to_be_hidden()
    expect(page.get_by_role("combobox", name="Saved view")).to_have_value("Key accounts")
    page.get_by_role("button", name="View actions").click()
    page.get_by_role("menuitem", name="Share with the workspace").click()
    expect(page.get_by_text("“Key accounts” is shared with the workspace.")).to_be_visible()
    expect(page.get_by_label("This view is shared with the workspace")).to_be_visible()
    (view,) = workspace.get("/api/v1/views?object_type=contact")
    assert (view["name"], view["shared"]) == ("Key accounts", True)
    screens.take("view-shared")

    sign_in(second_page, workspace, rep)
    _choose(second_page, "Saved view", "Key accounts")
    second_page.wait_for_url(re.compile(rf"[?&]view={view['id']}"))
    expect(second_page.get_by_role("columnheader", name="Tags")).to_be_visible()
    second_page.get_by_role("button", name="View actions").click()
    expect(second_page.get_by_role("menuitem", name="Save as new view…")).to_be_visible()
    expect(second_page.get_by_role("menuitem", name=re.compile("Rename"))).to_have_count(0)
    expect(second_page.get_by_role("menuitem", name="Make private")).to_have_count(0)
    screens.take("view-seen-by-a-member")

    # Made private again: the member no longer has it.
    page.get_by_role("button", name="View actions").click()
    page.get_by_role("menuitem", name="Make private").click()
    expect(page.get_by_text("“Key accounts” is private now.")).to_be_visible()
    views = "() => fetch('/api/v1/views?object_type=contact').then(response => response.json())"
    assert second_page.evaluate(views) == []


def test_select_all_matching_rows_beyond_the_loaded_page_and_tag_them(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    for number in range(130):
        workspace.create("companies", {"name": f"Match {number:03d}"})
    for number in range(3):
        workspace.create("companies", {"name": f"Elsewhere {number}"})
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/companies?q=Match")
    expect(page.locator(ROWS).first).to_contain_text("Match")
    expect(page.get_by_label("Estimated number of records")).to_contain_text("≈")  # more than one page
    page.get_by_role("checkbox", name="Select all loaded rows").check()
    banner = page.get_by_test_id("select-all-banner")
    expect(banner).to_contain_text("All 100 loaded companies are selected.")
    # The planner's estimate of a fresh table lags: "100+" until it knows better.
    banner.get_by_role("button", name=re.compile(r"Select all (≈ [\d,]+|100\+) matching companies")).click()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk.get_by_test_id("bulk-count")).to_contain_text(
        re.compile(r"All (≈ [\d,]+|100\+) matching companies selected")
    )
    screens.take("all-matching-selected")

    bulk.get_by_role("button", name="Add tag").click()
    dialog = page.get_by_role("dialog", name=re.compile("Add tags"))
    dialog.get_by_label("Tags").fill("Batch")
    dialog.get_by_label("Tags").press("Enter")
    with page.expect_response(lambda response: response.url.endswith("/bulk")) as sent:
        dialog.get_by_role("button", name="Add tags").click()
    body = json.loads(sent.value.request.post_data or "{}")
    assert (body.get("ids"), body["matching"]) == (None, {"filter": {}, "q": "Match"})
    expect(page.get_by_text("Changed 130 of 130 matching companies.")).to_be_visible()
    batch = json.dumps({"field": "tag", "op": "eq", "value": "Batch"})
    tagged = workspace.get(f"/api/v1/companies?filter={batch}&limit=200&fields=name")["items"]
    assert sorted(item["name"] for item in tagged) == [f"Match {number:03d}" for number in range(130)]
    screens.take("all-matching-tagged")
