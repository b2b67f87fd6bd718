"""Tables in Chromium against the real server: filters on custom fields saved as views, columns, bulk
actions, export, virtualized scrolling through keyset pages; checked through the API."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.web.conftest import Screens, Workspace, sign_in

ROWS = "tr[data-record-id]"


def _names(page: Page) -> list[str]:
    return page.locator(f"{ROWS} td:nth-child(2)").all_inner_texts()


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_filter_on_a_custom_field_saved_as_a_view_and_exported(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    workspace.create("custom-fields", {
        "object_type": "contact", "key": "tier", "label": "Tier", "type": "select",
        "options": ["gold", "silver"],
    })  # fmt: skip
    for first, tier in (("Ada", "gold"), ("Bob", "silver"), ("Cyd", "gold"), ("Dee", None)):
        body = {"first_name": first, "last_name": "Tester", **({"custom": {"tier": tier}} if tier else {})}
        workspace.create("contacts", body)
    sign_in(page, workspace)
    expect(page.locator(ROWS)).to_have_count(4)

    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_role("button", name="Add condition").click()
    _choose(page, "Field of condition 1", "Tier")
    _choose(page, "Operator of condition 1", "is")
    _choose(page, "Value of condition 1", "gold")
    screens.take("filter-builder")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("listitem").filter(has_text="Tier is gold")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(2)
    assert sorted(_names(page)) == ["Ada Tester", "Cyd Tester"]

    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Tier").check()
    page.keyboard.press("Escape")
    expect(page.get_by_role("columnheader", name="Tier")).to_be_visible()

    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save view")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog.get_by_text("The name")).to_be_visible()  # the API's field error, on the field
    dialog.get_by_label("Name").fill("Gold customers")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    page.wait_for_url(re.compile(r"[?&]view=\d+"))
    view_id = int(parse_qs(urlparse(page.url).query)["view"][0])
    saved = workspace.get("/api/v1/views?object_type=contact")
    assert [(v["id"], v["name"], v["filter"]) for v in saved] == [
        (view_id, "Gold customers", {"field": "custom.tier", "op": "eq", "value": "gold"})
    ]
    assert "custom.tier" in saved[0]["columns"]

    page.reload()
    expect(page.get_by_role("combobox", name="Saved view")).to_have_value("Gold customers")
    expect(page.get_by_role("listitem").filter(has_text="Tier is gold")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator(ROWS).first).to_contain_text("gold")
    screens.take("saved-view-after-reload")

    page.get_by_role("button", name="Export").click()
    export = page.get_by_role("dialog", name="Export")
    export.get_by_role("button", name="Start export").click()
    expect(export.get_by_test_id("export-status")).to_have_text("Done: 2 rows.", timeout=30_000)
    download = export.get_by_role("link", name=re.compile("Download contact export"))
    href = download.get_attribute("href")
    assert href is not None
    screens.take("export-done")
    csv = workspace.http.get(href)
    assert csv.status_code == 200, csv.text
    lines = csv.text.strip().splitlines()
    assert len(lines) == 3, csv.text
    assert all("gold" in line for line in lines[1:]), csv.text
    page.keyboard.press("Escape")
    expect(export).to_be_hidden()

    # Changing the view's table and saving updates the view.
    page.get_by_role("button", name="Remove filter Tier is gold").click()
    expect(page.locator(ROWS)).to_have_count(4)
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved “Gold customers”.")).to_be_visible()
    assert workspace.get("/api/v1/views?object_type=contact")[0]["filter"] == {}
    expect(page.get_by_role("button", name="Save view")).to_have_count(0)


def test_bulk_tag_two_contacts_and_undo_a_bulk_delete(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    ids = [workspace.create("contacts", {"first_name": name, "last_name": "Bulk"})["id"]
           for name in ("Ann", "Ben", "Cat")]  # fmt: skip
    sign_in(page, workspace)
    expect(page.locator(ROWS)).to_have_count(3)
    page.get_by_role("checkbox", name="Select row 1").check()
    page.get_by_role("checkbox", name="Select row 2").check()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk).to_contain_text("2 contacts selected")
    bulk.get_by_role("button", name="Add tag").click()
    dialog = page.get_by_role("dialog", name=re.compile("Add tags"))
    dialog.get_by_label("Tags").fill("VIP")
    dialog.get_by_label("Tags").press("Enter")
    screens.take("bulk-tag-dialog")
    dialog.get_by_role("button", name="Add tags").click()
    expect(page.get_by_text("Changed 2 of 2 contacts.")).to_be_visible()
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Tags").check()
    page.keyboard.press("Escape")
    tagged = page.locator(ROWS).filter(has_text="VIP")
    expect(tagged).to_have_count(2)
    screens.take("bulk-tagged")
    vip = json.dumps({"field": "tag", "op": "eq", "value": "VIP"})
    found = workspace.get(f"/api/v1/contacts?filter={vip}")["items"]
    assert sorted(contact["id"] for contact in found) == sorted(ids[1:])  # newest first: Cat and Ben

    page.get_by_role("checkbox", name="Select row 3").check()
    page.get_by_role("region", name="Bulk actions").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted 1 of 1 contact")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(2)
    assert workspace.http.get(f"/api/v1/contacts/{ids[0]}").status_code == 404
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(ROWS)).to_have_count(3)
    assert workspace.get(f"/api/v1/contacts/{ids[0]}")["first_name"] == "Ann"


def test_scrolling_many_rows_keeps_few_in_the_page(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    for number in range(250):
        workspace.create("companies", {"name": f"Company {number:03d}"})
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/companies?sort=name")
    expect(page.locator(ROWS).first).to_contain_text("Company 000")
    scroller = page.get_by_test_id("table-scroll")
    # Scroll to the end until every keyset page (100 rows each) has loaded: the count is exact then.
    count = page.get_by_label("Estimated number of records")
    for _ in range(20):
        scroller.evaluate("box => box.scrollTo(0, box.scrollHeight)")
        page.wait_for_timeout(200)
        if count.inner_text() == "250":
            break
    expect(count).to_have_text("250")
    scroller.evaluate("box => box.scrollTo(0, box.scrollHeight)")
    expect(page.locator(f"{ROWS}[data-index='249']")).to_contain_text("Company 249")
    in_page = page.locator(ROWS).count()
    assert 10 <= in_page <= 60, f"{in_page} rows in the page for 250 loaded"
    screens.take("virtualized-end")


def test_tables_at_phone_width(page: Page, workspace: Workspace, screens: Screens) -> None:
    workspace.create("leads", {"first_name": "Pho", "last_name": "Ne", "company_name": "Small Screens"})
    sign_in(page, workspace)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{workspace.url}/leads")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_visible()
    screens.take("leads-phone")
