"""The web app in Chromium against a real server: the journeys a person takes, checked through the API."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, unique_slug
from tests.web.conftest import Screens, Server, Workspace, sign_in, sign_up_workspace

PALETTE = "Search contacts, companies, deals and leads, or type a command…"


def test_signup_lands_in_the_new_workspace_then_sign_in_and_out(
    page: Page, server: Server, screens: Screens
) -> None:
    slug = unique_slug("signup")
    page.goto(server.bare + "/")
    expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    page.get_by_label("Organization name").fill("Signup Test Org")
    address = page.get_by_label("Workspace address")
    expect(address).to_have_value("signup-test-org")
    address.fill(slug)
    page.get_by_label("Your email").fill(f"ann@{slug}.example")
    page.get_by_role("textbox", name="Password").fill("short")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_text("The password must be at least 10 characters")).to_be_visible()
    screens.take("signup-field-error")

    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(re.compile(rf"^{re.escape(server.workspace(slug))}/sign-in\?"))
    expect(page.get_by_text("Your workspace is ready")).to_be_visible()
    expect(page.get_by_text("Signup Test Org")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(f"ann@{slug}.example")
    screens.take("landed-on-sign-in")

    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("password")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(server.workspace(slug) + "/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_test_id("due-activities")).to_contain_text("Nothing due")
    screens.take("my-work")
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_text("No contacts yet")).to_be_visible()
    expect(page.get_by_test_id("live-status")).to_have_text(re.compile("Live updates on"))
    screens.take("empty-contacts")

    page.get_by_role("button", name="Account").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(server.workspace(slug) + "/sign-in")
    page.goto(server.workspace(slug) + "/companies")
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Fcompanies$"))
    screens.take("signed-out")


def test_create_a_contact_see_it_in_the_list_and_edit_it_in_place(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    acme = workspace.create("companies", {"name": "Acme Rockets", "domain": "acme-rockets.example"})
    sign_in(page, workspace)
    page.get_by_role("button", name="New contact").first.click()
    dialog = page.get_by_role("dialog", name="New contact")
    dialog.get_by_label("First name").fill("Grace")
    dialog.get_by_label("Last name").fill("Hopper")
    dialog.get_by_label("Email").fill("grace@")
    dialog.get_by_role("button", name="Create contact").click()
    expect(dialog.get_by_text("The email not a valid email")).to_be_visible()
    dialog.get_by_label("Email").fill("grace@navy.example")
    dialog.get_by_label("Title").fill("Rear Admiral")
    dialog.get_by_role("combobox", name="Company").fill("acme")
    page.get_by_role("option", name="Acme Rockets").click()
    screens.take("new-contact-dialog")
    dialog.get_by_role("button", name="Create contact").click()
    expect(dialog).to_be_hidden()

    row = page.locator("tr[data-record-id]").first
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("grace@navy.example")
    expect(row).to_contain_text("Acme Rockets")
    screens.take("contact-in-list")
    contact = workspace.get("/api/v1/contacts?q=hopper")["items"][0]
    assert (contact["email"], contact["company"], contact["title"]) == (
        "grace@navy.example", acme["id"], "Rear Admiral",
    )  # fmt: skip

    row.get_by_role("link", name="Grace Hopper").click()
    page.wait_for_url(f"{workspace.url}/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    page.get_by_role("button", name="Edit Title").click()
    title = page.get_by_role("textbox", name="Title")
    title.fill("Computer scientist")
    title.press("Enter")
    expect(page.get_by_role("button", name="Edit Title")).to_have_text("Computer scientist")
    page.get_by_role("button", name="Edit Email").click()
    page.get_by_role("textbox", name="Email 1").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Not a valid email")).to_be_visible()
    screens.take("inline-edit-error")
    page.get_by_role("textbox", name="Email 1").fill("grace.hopper@navy.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Edit Email")).to_contain_text("grace.hopper@navy.example")
    screens.take("contact-page")
    saved = workspace.get(f"/api/v1/contacts/{contact['id']}")
    assert (saved["title"], saved["email"]) == ("Computer scientist", "grace.hopper@navy.example")


def test_table_search_and_sort_run_on_the_server(page: Page, workspace: Workspace, screens: Screens) -> None:
    for name in ("Umbrella Corp", "Initech", "Globex", "Hooli", "Vandelay Industries"):
        workspace.create("companies", {"name": name})
    sign_in(page, workspace)
    page.get_by_role("link", name="Companies").click()
    names = page.locator("tr[data-record-id] td:nth-child(2)")
    expect(names).to_have_text(["Vandelay Industries", "Hooli", "Globex", "Initech", "Umbrella Corp"])
    page.get_by_role("button", name="Name").click()
    expect(names).to_have_text(["Globex", "Hooli", "Initech", "Umbrella Corp", "Vandelay Industries"])
    page.get_by_label("Search companies").fill("lobe")
    expect(names).to_have_text(["Globex"])
    page.get_by_label("Search companies").fill("nothing-like-this")
    expect(page.get_by_text("No companies match “nothing-like-this”")).to_be_visible()
    screens.take("companies-empty-search")


def test_command_palette_jumps_to_a_record(page: Page, workspace: Workspace, screens: Screens) -> None:
    zephyr = workspace.create("companies", {"name": "Zephyr Analytics"})
    workspace.create("contacts", {"first_name": "Zelda", "last_name": "Fitzgerald"})
    sign_in(page, workspace)
    page.keyboard.press("Control+k")
    search = page.get_by_placeholder(PALETTE)
    search.fill("zephyr analytcs")  # a typo: the search is typo-tolerant
    option = page.get_by_role("button", name=re.compile("Zephyr Analytics"))
    expect(option).to_be_visible()
    screens.take("command-palette")
    option.click()
    page.wait_for_url(f"{workspace.url}/companies/{zephyr['id']}")
    expect(page.get_by_role("heading", name="Zephyr Analytics")).to_be_visible()
    page.keyboard.press("Control+k")
    page.get_by_placeholder(PALETTE).fill("go to deals")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{workspace.url}/deals")


def _drag(page: Page, card_selector: str, column_selector: str) -> None:
    """A pointer drag in steps, as a hand does it (dnd-kit starts a drag after a few pixels)."""
    card = page.locator(card_selector).bounding_box()
    column = page.locator(column_selector).bounding_box()
    assert card is not None
    assert column is not None
    page.mouse.move(card["x"] + card["width"] / 2, card["y"] + 20)
    page.mouse.down()
    page.mouse.move(card["x"] + card["width"] / 2 + 10, card["y"] + 30, steps=5)
    page.mouse.move(column["x"] + column["width"] / 2, column["y"] + 120, steps=15)
    page.mouse.up()


def test_drag_a_deal_to_another_stage_and_back_on_refusal(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    pipeline = workspace.create("pipelines", {"name": "Sales", "stages": [
        {"name": "Lead", "probability": 10}, {"name": "Demo", "probability": 40},
        {"name": "Closing", "probability": 80}, {"name": "Won", "probability": 100, "kind": "won"},
    ]})  # fmt: skip
    lead, demo, closing, _won = (stage["id"] for stage in pipeline["stages"])
    deal = workspace.create("deals", {"name": "Big upgrade", "pipeline": pipeline["id"], "amount": "12000"})
    workspace.create("deals", {"name": "Small pilot", "pipeline": pipeline["id"], "amount": "900"})
    assert deal["stage"] == lead
    sign_in(page, workspace)
    page.get_by_role("link", name="Deals").click()
    card = f"[data-deal-id='{deal['id']}']"
    expect(page.locator(f"[data-stage-id='{lead}'] {card}")).to_be_visible()
    screens.take("kanban-before")

    with page.expect_response(lambda response: response.request.method == "PATCH") as patched:
        _drag(page, card, f"[data-stage-id='{demo}']")
    assert patched.value.status == 200
    expect(page.locator(f"[data-stage-id='{demo}'] {card}")).to_be_visible()
    assert workspace.get(f"/api/v1/deals/{deal['id']}")["stage"] == demo
    page.reload()
    expect(page.locator(f"[data-stage-id='{demo}'] {card}")).to_be_visible()
    screens.take("kanban-after-move")

    # An admin removes the (empty) Closing stage meanwhile: this board still shows it, and the move there
    # is refused; the card goes back to Demo with the API's message.
    stages = [{"id": stage["id"], "name": stage["name"], "probability": stage["probability"],
               "kind": stage["kind"]} for stage in pipeline["stages"] if stage["id"] != closing]  # fmt: skip
    removed = workspace.http.patch(f"/api/v1/pipelines/{pipeline['id']}", json={"stages": stages})
    assert removed.status_code == 200, removed.text
    with page.expect_response(lambda response: response.request.method == "PATCH") as refused:
        _drag(page, card, f"[data-stage-id='{closing}']")
    assert refused.value.status == 422
    expect(page.get_by_text("Big upgrade stays in Demo")).to_be_visible()
    expect(page.locator(f"[data-stage-id='{demo}'] {card}")).to_be_visible()
    screens.take("kanban-move-refused")
    assert workspace.get(f"/api/v1/deals/{deal['id']}")["stage"] == demo


def test_changes_made_elsewhere_show_up_live(page: Page, workspace: Workspace, screens: Screens) -> None:
    sign_in(page, workspace)
    expect(page.get_by_test_id("live-status")).to_have_text(re.compile("Live updates on"))
    expect(page.get_by_text("No contacts yet")).to_be_visible()
    workspace.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    expect(page.locator("tr[data-record-id]").first).to_contain_text("Ada Lovelace", timeout=30_000)
    screens.take("live-update")


def test_another_workspace_never_shows_through(
    page: Page, server: Server, workspace: Workspace, screens: Screens
) -> None:
    other = sign_up_workspace(server, "other")
    try:
        secret = other.create("contacts", {"first_name": "Bartholomew", "last_name": "Secretson"})
        other.create("companies", {"name": "Bartholomew Holdings"})
        mine = workspace.create("contacts", {"first_name": "Mine", "last_name": "Only"})
        sign_in(page, workspace)
        rows = page.locator("tr[data-record-id]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Mine Only")
        page.get_by_label("Search contacts").fill("Bartholomew")
        expect(page.get_by_text("No contacts match “Bartholomew”")).to_be_visible()

        page.keyboard.press("Control+k")
        page.get_by_placeholder(PALETTE).fill("Bartholomew")
        expect(page.get_by_text("Nothing found for “Bartholomew”")).to_be_visible()
        screens.take("search-sees-only-this-workspace")
        page.keyboard.press("Escape")

        # The other workspace's record id, asked for here, is not there (ids repeat across workspaces).
        if secret["id"] != mine["id"]:
            page.goto(f"{workspace.url}/contacts/{secret['id']}")
            expect(page.get_by_role("alert")).to_contain_text("not")
        page.goto(f"{workspace.url}/contacts/{mine['id']}")
        expect(page.get_by_role("heading", name="Mine Only")).to_be_visible()
        page.get_by_role("button", name="Switch workspace").click()
        expect(page.get_by_role("menuitem")).to_have_count(1)

        # The session is this workspace's: the other's address asks to sign in.
        page.goto(other.url + "/contacts")
        page.wait_for_url(re.compile(r"/sign-in\?next="))
        expect(page.get_by_text(f"Org {other.slug}")).to_be_visible()
        screens.take("other-workspace-asks-to-sign-in")
    finally:
        other.http.close()


def test_sign_in_asks_for_the_second_factor(page: Page, workspace: Workspace, screens: Screens) -> None:
    started = workspace.http.post("/api/v1/me/totp")
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    confirmed = workspace.http.post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    page.goto(f"{workspace.url}/sign-in")
    page.get_by_label("Email").fill(workspace.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_be_visible()
    screens.take("totp-step")
    # A code of the next time step: accepted within the drift window, never the one confirmed above.
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{workspace.url}/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def test_a_record_page_shows_its_timeline(page: Page, workspace: Workspace, screens: Screens) -> None:
    contact = workspace.create("contacts", {"first_name": "Tim", "last_name": "Line"})
    linked = {"record_type": "contact", "record_id": contact["id"]}
    body = "<p>Met at <b>the fair</b><script>window.leaked = 1</script></p>"
    workspace.create("notes", {"body": body, **linked})
    workspace.create("activities", {"kind": "call", "subject": "Follow-up call", **linked})
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/contacts/{contact['id']}")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Follow-up call")
    expect(timeline.locator("b")).to_have_text("the fair")  # the note's sanitized HTML, rendered
    expect(timeline).to_contain_text("Created")
    assert timeline.locator("script").count() == 0
    assert page.evaluate("window.leaked") is None
    workspace.create("activities", {"kind": "meeting", "subject": "Live demo booked", **linked})
    expect(timeline).to_contain_text("Live demo booked", timeout=30_000)  # pushed by the realtime socket
    screens.take("timeline")
