"""The import wizard in Chromium against a real server and worker: upload, map, follow, fix and retry."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Route, ViewportSize, expect

from tests.web.conftest import Screens, Workspace, sign_in

PEOPLE = (
    "First Name,Last Name,Email,Job Title,Notes\n"
    "Ada,Lovelace,ada@engines.example,Analyst,met at the fair\n"
    "Grace,Hopper,grace@,Rear Admiral,\n"
    "Alan,Turing,alan@bletchley.example,Cryptanalyst,\n"
)
ONE_IMPORT = re.compile(r"/api/v1/imports/\d+$")
DESKTOP = ViewportSize(width=1366, height=820)
PHONE = ViewportSize(width=390, height=844)


def take_on_a_phone(page: Page, screens: Screens, name: str, showing: Locator | None = None) -> None:
    """A screenshot at phone width (the navigation folds away), then back to the desktop size."""
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Navigation")).to_be_visible()
    page.wait_for_timeout(400)  # the shell's slide transitions
    if showing is not None:
        showing.scroll_into_view_if_needed()
    screens.take(name)
    page.set_viewport_size(DESKTOP)


def test_import_a_csv_with_one_bad_row_fix_it_and_finish(
    page: Page, workspace: Workspace, screens: Screens, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    sign_in(page, workspace)
    page.get_by_role("link", name="Import").click()
    page.wait_for_url(f"{workspace.url}/import")
    expect(page.get_by_role("heading", name="Import", exact=True)).to_be_visible()
    expect(page.get_by_text("No imports yet")).to_be_visible()
    expect(page.get_by_role("radio", name="Contacts")).to_be_checked()
    page.get_by_label("CSV or XLSX file").set_input_files(people)
    expect(page.get_by_test_id("chosen-file")).to_contain_text("people.csv")
    screens.take("upload")
    take_on_a_phone(page, screens, "upload-phone")

    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    page.wait_for_url(re.compile(r"/import\?id=\d+$"))
    first_id = int(page.url.rsplit("=", 1)[1])
    # The API's suggestion is kept: each column's field, and the notes left out.
    for column, field in (("First Name", "First name"), ("Last Name", "Last name"), ("Email", "Email"),
                          ("Job Title", "Job title"), ("Notes", "Don't import")):  # fmt: skip
        expect(page.get_by_role("combobox", name=f"Field for “{column}”")).to_have_value(field)
    expect(page.locator("tr[data-column='Email']")).to_contain_text("ada@engines.example")
    expect(page.get_by_role("radio", name="Skip the row")).to_be_checked()
    screens.take("map")
    take_on_a_phone(page, screens, "map-phone")

    # Hold the import's polls for a moment to see the progress step (three rows go through in a blink).
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route(ONE_IMPORT, hold)
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_role("button", name="Cancel import")).to_be_enabled()
    expect(page.get_by_test_id("import-phase")).to_have_text("Waiting for a worker")
    screens.take("progress")
    page.unroute(ONE_IMPORT)
    for route in held:
        try:
            route.continue_()
        except PlaywrightError as error:  # a poll the page gave up on is settled already
            if "already handled" not in str(error):
                raise

    counts = page.get_by_test_id("import-counts")
    expect(counts.get_by_role("group", name="Created: 2")).to_be_visible(timeout=30_000)
    expect(counts.get_by_role("group", name="Failed: 1")).to_be_visible()
    failed = page.locator("tr[data-row='3']")
    email = failed.get_by_role("textbox", name="Row 3, Email")
    expect(email).to_have_value("grace@")
    expect(failed).to_contain_text("Not a valid email address")
    expect(failed.get_by_role("textbox", name="Row 3, First Name")).to_have_value("Grace")
    expect(page.get_by_role("button", name="Retry 0 fixed rows")).to_be_disabled()
    expect(page.get_by_role("link", name="Download as CSV")).to_have_attribute(
        "href", f"/api/v1/imports/{first_id}/failures.csv"
    )
    screens.take("result-with-a-failed-row")

    email.fill("grace@navy.example")
    expect(failed.get_by_role("checkbox", name="Retry row 3")).to_be_checked()
    screens.take("row-fixed")
    take_on_a_phone(page, screens, "row-fixed-phone", failed)
    page.get_by_role("button", name="Retry 1 fixed row").click()

    page.wait_for_url(re.compile(rf"/import\?id=(?!{first_id}$)\d+$"))
    expect(counts.get_by_role("group", name="Created: 1")).to_be_visible(timeout=30_000)
    expect(counts.get_by_role("group", name="Failed: 0")).to_be_visible()
    expect(page.get_by_text(f"Fixed rows of import {first_id}")).to_be_visible()
    listed = page.get_by_test_id("import-list").locator("tr[data-import-id]")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("retry of people.csv")
    expect(listed.first).to_contain_text("1 created")
    expect(listed.nth(1)).to_contain_text("2 created · 1 failed")
    screens.take("retry-done")

    contacts = workspace.get("/api/v1/contacts?limit=50&fields=first_name,last_name,email,title")["items"]
    assert sorted((c["first_name"], c["last_name"], c["email"], c["title"]) for c in contacts) == [
        ("Ada", "Lovelace", "ada@engines.example", "Analyst"),
        ("Alan", "Turing", "alan@bletchley.example", "Cryptanalyst"),
        ("Grace", "Hopper", "grace@navy.example", "Rear Admiral"),
    ]
    failures_csv = workspace.http.get(f"/api/v1/imports/{first_id}/failures.csv")
    assert failures_csv.status_code == 200
    assert "grace@" in failures_csv.text


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(
    page: Page, workspace: Workspace, screens: Screens, tmp_path: Path
) -> None:
    picture = tmp_path / "logo.xlsx"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/companies")
    page.get_by_role("button", name="Import", exact=True).click()  # the table's button opens its type
    expect(page).to_have_url(f"{workspace.url}/import?type=company")
    expect(page.get_by_role("radio", name="Companies")).to_be_checked()
    page.get_by_label("CSV or XLSX file").set_input_files(picture)
    page.get_by_role("button", name="Upload file").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This file cannot be imported")
    expect(alert).to_contain_text("Not a readable .xlsx workbook")
    expect(page).to_have_url(f"{workspace.url}/import?type=company")
    screens.take("file-refused")
    assert workspace.get("/api/v1/imports")["items"] == []
