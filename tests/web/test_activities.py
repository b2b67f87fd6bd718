"""Activities and notifications in Chromium against the real server: a reminder rings the bell live, the
Activities page lists my open activities by due date and places them on a month and a week calendar."""

from __future__ import annotations

import datetime as dt
import re

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from playwright.sync_api import Page, expect
from rapport.kernel.jobs import NAMESPACE

from tests.web.conftest import Screens, Server, Workspace, sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 820}


def tick(server: Server) -> None:
    """The scheduler's minute tick of reminders, sent now (the web tests run no scheduler)."""
    broker = RedisBroker(url=server.redis_url, namespace=NAMESPACE)
    try:
        broker.enqueue(
            Message(queue_name="system", actor_name="notifications.remind", args=(), kwargs={}, options={})
        )
    finally:
        broker.close()


def local_moment(page: Page, script: str) -> str:
    """A moment computed in the browser's own zone (``d`` is now; the script changes it), as ISO."""
    moment: str = page.evaluate(f"() => {{ const d = new Date(); {script}; return d.toISOString(); }}")
    return moment


def test_a_reminder_rings_the_bell_live_and_opens_its_record(
    page: Page, workspace: Workspace, server: Server, screens: Screens
) -> None:
    contact = workspace.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    sign_in(page, workspace)
    bell = page.get_by_role("button", name="Notifications", exact=True)
    bell.focus()
    page.keyboard.press("Enter")  # reachable and opened from the keyboard
    popover = page.get_by_role("dialog", name="Notifications")
    expect(popover.get_by_test_id("notifications-empty")).to_be_visible()
    screens.take("no-notifications")
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()

    page.goto(f"{workspace.url}/contacts/{contact['id']}")
    page.get_by_role("button", name="Log activity").click()
    dialog = page.get_by_role("dialog", name="Log activity")
    dialog.get_by_label("Subject").fill("Call Ada back")
    in_ten_minutes = page.evaluate(
        "() => { const d = new Date(Date.now() + 10 * 60000); const p = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:"
        "${p(d.getMinutes())}`; }"
    )
    dialog.get_by_label("When").fill(in_ten_minutes)
    dialog.get_by_label("Remind me").select_option(label="15 minutes before")  # five minutes ago
    screens.take("log-activity-with-reminder")
    dialog.get_by_role("button", name="Log activity").click()
    expect(dialog).to_be_hidden()
    (activity,) = workspace.get("/api/v1/activities?q=Ada")["items"]
    due, reminder = (dt.datetime.fromisoformat(activity[k]) for k in ("due_at", "reminder_at"))
    assert due - reminder == dt.timedelta(minutes=15)

    tick(server)
    # Live, without a reload: the count on the bell and a toast.
    unread = page.get_by_role("button", name="Notifications, 1 unread")
    expect(unread).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("notification-count")).to_contain_text("1")
    toast = page.get_by_role("alert").filter(has_text="Call Ada back")
    expect(toast).to_contain_text("Reminder")
    screens.take("bell-and-toast")

    unread.click()
    item = popover.get_by_role("button", name="Unread: Call Ada back")
    expect(item).to_be_visible()
    expect(popover).to_contain_text("Reminder · Call due")
    screens.take("notification-list")
    page.goto(f"{workspace.url}/contacts")
    page.get_by_role("button", name="Notifications, 1 unread").click()
    popover.get_by_role("button", name="Unread: Call Ada back").click()
    page.wait_for_url(f"{workspace.url}/contacts/{contact['id']}")
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    (notification,) = workspace.get("/api/v1/notifications")["items"]
    assert notification["read_at"] is not None
    assert (notification["record_type"], notification["record_id"]) == ("contact", contact["id"])

    # Two more, marked read at once.
    for subject in ("Send the contract", "Book the venue"):
        due_at = local_moment(page, "d.setMinutes(d.getMinutes() + 30)")
        reminder_at = local_moment(page, "d.setMinutes(d.getMinutes() - 1)")
        workspace.create("activities", {"kind": "task", "subject": subject, "due_at": due_at,
                                        "reminder_at": reminder_at})  # fmt: skip
    tick(server)
    expect(page.get_by_role("button", name="Notifications, 2 unread")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Notifications, 2 unread").click()
    expect(popover.get_by_role("listitem")).to_have_count(3)
    popover.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    expect(popover.locator("[data-unread]")).to_have_count(0)
    assert workspace.get("/api/v1/notifications/unread-count")["count"] == 0

    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.reload()
    page.get_by_role("button", name="Notifications", exact=True).click()
    expect(popover.get_by_role("listitem")).to_have_count(3)
    page.wait_for_timeout(300)  # the popover's fade-in, for the screenshot only
    screens.take("notifications-phone")


def test_activities_by_due_date_and_on_the_calendar(
    page: Page, workspace: Workspace, screens: Screens
) -> None:
    contact = workspace.create("contacts", {"first_name": "Grace", "last_name": "Hopper"})
    linked = {"record_type": "contact", "record_id": contact["id"]}
    sign_in(page, workspace)
    page.get_by_role("link", name="Activities").click()
    page.wait_for_url(f"{workspace.url}/activities")
    expect(page.get_by_text("No open activities")).to_be_visible()

    today_noon = local_moment(page, "d.setHours(12, 0, 0, 0)")
    workspace.create("activities", {"kind": "call", "subject": "Overdue call", **linked,
                                    "due_at": local_moment(page, "d.setDate(d.getDate() - 3)")})  # fmt: skip
    workspace.create("activities", {"kind": "task", "subject": "Today's task", "due_at": today_noon})
    workspace.create("activities", {"kind": "meeting", "subject": "Tomorrow's meeting",
                                    "due_at": local_moment(page, "d.setDate(d.getDate() + 1)")})  # fmt: skip
    next_month = local_moment(page, "d.setDate(1); d.setMonth(d.getMonth() + 1, 15); d.setHours(10, 0, 0, 0)")
    workspace.create("activities", {"kind": "meeting", "subject": "Review with Grace", "due_at": next_month,
                                    **linked})  # fmt: skip
    workspace.create("activities", {"kind": "task", "subject": "Someday"})
    workspace.create("activities", {"kind": "task", "subject": "Already done", "due_at": today_noon,
                                    "done": True})  # fmt: skip

    listed = page.get_by_test_id("open-activities")  # live: the page refetches on each change
    groups = {
        "Overdue": "Overdue call",
        "Today": "Today's task",
        "Tomorrow": "Tomorrow's meeting",
        "Later": "Review with Grace",
        "No due date": "Someday",
    }
    for heading, subject in groups.items():
        expect(listed.get_by_role("region", name=heading)).to_contain_text(subject)
    expect(listed).not_to_contain_text("Already done")
    expect(listed.get_by_role("region", name="Overdue")).to_contain_text("Grace Hopper")  # its record
    screens.take("activities-list")
    # click, not check(): ticking it moves the row off the open list, and check() looks for it again
    listed.get_by_role("checkbox", name="Done: Today's task").click()
    expect(listed.get_by_role("region", name="Today")).to_have_count(0)
    (task,) = workspace.get("/api/v1/activities?q=Today")["items"]
    assert task["done"] is True

    page.get_by_text("Month", exact=True).click()
    month = page.get_by_test_id("calendar-month")
    today = page.evaluate("() => { const d = new Date(); return d.getDate(); }")
    today_cell = month.locator("[aria-current=date]")
    expect(today_cell).to_contain_text("Today's task")  # done ones stay on the calendar, struck through
    expect(today_cell).to_contain_text("Already done")
    expect(today_cell.get_by_role("button", name="Week of", exact=False)).to_have_text(str(today))
    page.get_by_role("button", name="Next month").click()
    month_name = page.evaluate(
        "(iso) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' })"
        ".format(new Date(iso))",
        next_month,
    )
    expect(page.get_by_test_id("calendar-title")).to_have_text(month_name)
    day_key = page.evaluate(
        "(iso) => { const d = new Date(iso); const p = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }",
        next_month,
    )
    assert day_key.endswith("-15"), day_key
    cell = month.locator(f'[data-day="{day_key}"]')
    expect(cell).to_contain_text("Review with Grace")
    expect(cell).to_have_attribute("aria-label", re.compile(r"15: 1 activity$"))
    assert f"day={day_key[:8]}" in page.url  # the month is in the address: a reload shows it again
    screens.take("calendar-month")
    cell.get_by_role("button", name=re.compile("Review with Grace")).click()
    page.wait_for_url(f"{workspace.url}/contacts/{contact['id']}")

    page.go_back()
    expect(month.locator(f'[data-day="{day_key}"]')).to_contain_text("Review with Grace")
    page.get_by_role("button", name="Today", exact=True).click()
    page.get_by_text("Week", exact=True).click()
    week = page.get_by_test_id("calendar-week")
    today_section = week.locator("[aria-current=date]")
    expect(today_section).to_contain_text("Today's task")
    expect(today_section.get_by_role("checkbox", name="Done: Today's task")).to_be_checked()
    screens.take("calendar-week")
    today_section.get_by_role("button", name="Today's task").click()  # no record: its details open
    details = page.get_by_role("dialog", name="Today's task")
    expect(details).to_contain_text("task")
    details.get_by_role("button", name="Close").click()

    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto(f"{workspace.url}/activities?view=month")
    expect(page.get_by_test_id("calendar-month").locator("[aria-current=date]")).to_contain_text("2")
    screens.take("calendar-month-phone")
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
