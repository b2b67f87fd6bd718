"""More settings in Chromium against the real server: my profile (password changed here and by the emailed
link, two-factor sign-in, my sessions), the audit log, webhooks, roles, teams, single sign-on; checked
through the API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pyotp
from playwright.sync_api import Page, expect

from tests.conftest import MailSink
from tests.factories import PASSWORD, token_in
from tests.identity.saml_idp import SamlIdp
from tests.web.conftest import Screens, Workspace, sign_in

NEW_PASSWORD = "a-new-Passw0rd-for-the-test"


def test_my_profile_two_factor_sessions_and_a_new_password(
    page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    sign_in(page, workspace)
    page.get_by_role("button", name="Account").click()
    page.get_by_role("menuitem", name="My profile").click()
    page.wait_for_url(f"{workspace.url}/account/profile")

    # Two-factor: secret and QR shown, a wrong code refused on the field, the right one gives recovery codes.
    expect(page.get_by_test_id("totp-state")).to_have_text("Off")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("The code does not match")).to_be_visible()
    screens.take("totp-setup")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_test_id("recovery-codes").locator("code").first).to_be_visible()  # (after the reply)
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) >= 8, codes
    screens.take("recovery-codes")
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_test_id("recovery-codes")).to_have_count(0)
    # Enrolled: the state says so after a reload too, and only turning it off is offered.
    page.reload()
    expect(page.get_by_test_id("totp-state")).to_have_text("On")
    expect(page.get_by_role("button", name="Set up an authenticator app")).to_have_count(0)
    page.get_by_label("Code or recovery code").fill(codes[0])
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_text("Two-factor sign-in is off.")).to_be_visible()
    expect(page.get_by_test_id("totp-state")).to_have_text("Off")

    # Sessions: this browser is flagged; another session is signed out from here.
    other = httpx.Client(base_url=workspace.http.base_url, headers={"x-tenant": workspace.slug}, timeout=10)
    try:
        login = other.post("/api/v1/auth/login", json={"email": workspace.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        page.reload()
        table = page.get_by_role("table", name="Sessions")
        expect(table.locator("[data-session='current']")).to_contain_text("This browser")
        expect(table.locator("[data-session='other']")).to_have_count(2)  # the test's API client and `other`
        screens.take("sessions")
        page.get_by_role("button", name="Sign out all other sessions").click()
        expect(page.get_by_text("Signed 2 other sessions out.")).to_be_visible()  # one request for all
        expect(table.locator("[data-session='other']")).to_have_count(0)
        assert other.get("/api/v1/me").status_code == 401
        assert workspace.http.get("/api/v1/me").status_code == 401
    finally:
        other.close()

    # Change the password here: a wrong current one is refused on its field, then the change goes through.
    page.get_by_label("Current password").fill("not it at all")
    page.get_by_label("New password").fill("another long fresh passphrase 7")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The current password is not right")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed. Your other sessions are signed out.")).to_be_visible()
    screens.take("password-changed")

    # A new password through the emailed link, then signing in with it.
    page.get_by_role("button", name="Forgot it? Email me a link").click()
    expect(page.get_by_role("status")).to_have_count(2)  # "changed", then "check your inbox"
    token = token_in(mail_sink, workspace.email, "reset-password")
    page.goto(f"{workspace.url}/reset-password?token={token}")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    page.goto(f"{workspace.url}/sign-in")
    page.get_by_label("Email").fill(workspace.email)
    page.get_by_role("textbox", name="Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{workspace.url}/")

    # The audit log shows what happened, newest first, and filters by action.
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("tab", name="Audit log").click()
    page.wait_for_url(f"{workspace.url}/settings/audit")
    log = page.get_by_role("table", name="Audit log")
    expect(log.locator("[data-audit-action='totp.enabled']")).to_have_count(1)
    expect(log.locator("tbody tr").first).to_have_attribute("data-audit-action", "auth.signed_in")
    screens.take("audit-log")
    page.get_by_role("combobox", name="Action").fill("auth.password_reset")
    page.keyboard.press("Escape")
    today = dt.date.today().isoformat()  # the browser's zone is this machine's
    page.get_by_label("From day").fill(today)
    page.get_by_label("To day").fill(today)
    page.get_by_role("button", name="Apply").click()
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log).to_contain_text(workspace.email)
    export = page.get_by_role("link", name="Export as CSV").get_attribute("href") or ""
    assert export.startswith("/api/v1/audit/export?action=auth.password_reset&since="), export
    downloaded = page.evaluate("(href) => fetch(href).then((answer) => answer.text())", export)
    header, *lines = downloaded.strip().splitlines()  # the browser's session downloads the same events
    assert header.startswith("id,occurred_at,action,"), downloaded
    assert len(lines) == 1, downloaded
    assert ",auth.password_reset," in lines[0]
    page.get_by_label("To day").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No events match these filters.")).to_be_visible()
    screens.take("audit-log-filtered")
    assert re.search(r"/settings/audit$", page.url)


def test_add_test_and_delete_a_webhook(page: Page, workspace: Workspace, screens: Screens) -> None:
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/settings/webhooks")
    page.get_by_label("URL").fill("ftp://example.com/hook")
    page.get_by_label("Events").fill("contact.*, deal.created")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("The URL an http(s) URL with a host")).to_be_visible()  # the API's, on the field
    url = "http://93.184.215.14/hooks/rapport"  # a public address, never resolved through DNS
    page.get_by_label("URL").fill(url)
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_test_id("webhook-secret").locator("code").inner_text()
    assert secret.startswith("whsec_"), secret
    row = page.locator(f"[data-webhook='{url}']")
    expect(row).to_contain_text("contact.*")
    expect(row).to_contain_text("deal.created")
    screens.take("webhook-created")
    page.get_by_role("button", name="I have copied it").click()
    (created,) = workspace.get("/api/v1/webhooks")
    assert (created["url"], created["event_types"], created["active"]) == (
        url, ["contact.*", "deal.created"], True,
    )  # fmt: skip

    row.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("A webhook.test event is on its way.")).to_be_visible()
    row.get_by_role("button", name="Deliveries").click()
    deliveries = page.get_by_role("table", name="Deliveries")
    expect(deliveries.locator("[data-delivery='webhook.test']")).to_be_visible()
    screens.take("webhook-deliveries")

    row.get_by_role("switch", name=f"Webhook to {url} is on").click(force=True)
    expect(row.get_by_role("switch")).not_to_be_checked()
    assert workspace.get("/api/v1/webhooks")[0]["active"] is False
    row.get_by_role("button", name="Delete").click()
    expect(page.locator(f"[data-webhook='{url}']")).to_have_count(0)
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    assert workspace.get("/api/v1/webhooks") == []
    assert [e["action"] for e in workspace.get("/api/v1/audit?object_type=webhook")["items"]] == [
        "webhook.deleted", "webhook.updated", "webhook.tested", "webhook.created",
    ]  # fmt: skip


def test_make_edit_and_delete_a_custom_role(page: Page, workspace: Workspace, screens: Screens) -> None:
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/settings/roles")
    roles = page.get_by_role("table", name="Roles")
    expect(roles.locator("[data-role='owner']")).to_contain_text("built in")
    expect(roles.locator("[data-role='member']")).to_contain_text("create, read, update · own rows")
    page.get_by_role("button", name="New role").click()
    dialog = page.get_by_role("dialog", name="New role")
    dialog.get_by_label("Name").fill("Support desk")
    expect(dialog.get_by_label("Key")).to_have_value("support-desk")
    dialog.get_by_label("Key").fill("X")
    dialog.get_by_role("button", name="Create role").click()
    expect(dialog.get_by_text(re.compile("^The key 2 to 32 characters"))).to_be_visible()  # the API's
    dialog.get_by_label("Key").fill("support-desk")
    dialog.get_by_label("Contact: a rule of its own").check()
    dialog.get_by_label("Contact: delete").check()
    dialog.get_by_role("combobox", name="Contact: rows").click()
    page.get_by_role("option", name="All", exact=True).click()
    dialog.get_by_role("button", name="Contact: field rules").click()
    dialog.get_by_role("combobox", name="Contact Email addresses").click()
    page.get_by_role("option", name="Hidden", exact=True).click()
    screens.take("new-role")
    dialog.get_by_role("button", name="Create role").click()
    expect(dialog).to_be_hidden()
    row = roles.locator("[data-role='support-desk']")
    expect(row).to_contain_text("create, read, update, delete · all rows · 1 field rule")
    screens.take("roles")
    role = workspace.get("/api/v1/roles/support-desk")
    assert role["permissions"]["objects"] == {
        "*": {"ops": ["create", "read", "update"], "scope": "own", "fields": {}},
        "contact": {
            "ops": ["create", "read", "update", "delete"],
            "scope": "all",
            "fields": {"emails": "hidden"},
        },
    }

    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit the role Support desk")
    dialog.get_by_label("Description").fill("First line")
    dialog.get_by_label("Every other type: create").uncheck()
    dialog.get_by_role("button", name="Save role").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("First line")
    role = workspace.get("/api/v1/roles/support-desk")
    everything_else = role["permissions"]["objects"]["*"]
    assert (role["description"], everything_else["ops"]) == ("First line", ["read", "update"])

    row.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete role").click()
    expect(roles.locator("[data-role='support-desk']")).to_have_count(0)
    assert "support-desk" not in [r["key"] for r in workspace.get("/api/v1/roles")]


def test_make_rename_and_delete_a_team(page: Page, workspace: Workspace, screens: Screens) -> None:
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/settings/teams")
    expect(page.get_by_text("No teams yet.")).to_be_visible()
    page.get_by_role("button", name="New team").click()
    dialog = page.get_by_role("dialog", name="New team")
    dialog.get_by_role("textbox", name="Name").fill("East")
    dialog.get_by_placeholder("Pick members").click()
    page.get_by_role("option", name=workspace.email).click()
    dialog.get_by_role("textbox", name="Name").click()  # closes the members' list
    dialog.get_by_role("button", name="Create team").click()
    expect(dialog).to_be_hidden()
    row = page.locator("[data-team='East']")
    expect(row).to_contain_text(workspace.email)
    screens.take("teams")
    (team,) = workspace.get("/api/v1/teams")
    owner = workspace.get("/api/v1/me")["user_id"]
    assert (team["name"], team["members"]) == ("East", [owner])
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit the team East")
    dialog.get_by_role("textbox", name="Name").fill("East coast")
    dialog.get_by_role("button", name="Save team").click()
    expect(page.locator("[data-team='East coast']")).to_be_visible()
    page.locator("[data-team='East coast']").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete team").click()
    expect(page.get_by_text("No teams yet.")).to_be_visible()
    assert workspace.get("/api/v1/teams") == []


def test_single_sign_on_providers_and_domains(
    page: Page, workspace: Workspace, screens: Screens, tmp_path: Path
) -> None:
    sign_in(page, workspace)
    page.goto(f"{workspace.url}/settings/sso")
    expect(page.get_by_text("No identity providers yet")).to_be_visible()
    page.get_by_label("Name").fill("Okta")
    page.get_by_label("Issuer").fill("ftp://login.example.com")
    page.get_by_label("Client ID").fill("rapport")
    page.get_by_label("Client secret").fill("s3cret")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_text(re.compile("^The issuer"))).to_be_visible()  # the API's, on the field
    screens.take("oidc-refused")

    page.get_by_text("SAML 2.0").click()
    page.get_by_label("Name").fill("Corp IdP")
    page.get_by_label("Identity provider metadata (XML)").fill(SamlIdp(tmp_path).metadata_xml)
    page.get_by_label("Allowed email domains").fill(f"{workspace.slug}.example")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_test_id("saml-sp")).to_contain_text("/api/v1/auth/sso/saml/acs")
    row = page.locator("[data-provider='Corp IdP']")
    expect(row).to_contain_text("SAML")
    expect(row).to_contain_text(f"{workspace.slug}.example")
    (provider,) = workspace.get("/api/v1/sso/providers")
    assert (provider["kind"], provider["allowed_domains"]) == ("saml", [f"{workspace.slug}.example"])

    page.get_by_label("Domain", exact=True).fill("not a domain")
    page.get_by_role("button", name="Claim domain").click()
    expect(page.get_by_text("The domain is not a domain name")).to_be_visible()
    page.get_by_label("Domain", exact=True).fill(f"{workspace.slug}.example")
    page.get_by_role("button", name="Claim domain").click()
    claimed = page.locator(f"[data-domain='{workspace.slug}.example']")
    expect(claimed).to_be_visible()  # claimed: now the API has it
    (domain,) = workspace.get("/api/v1/sso/domains")
    expect(claimed).to_contain_text(domain["txt_name"])
    expect(claimed).to_contain_text(domain["txt_value"])
    expect(claimed).to_contain_text("not verified")
    expect(claimed.get_by_role("switch")).to_be_disabled()
    claimed.get_by_role("button", name="Verify").click()
    # No such TXT record can be found here: the API's refusal is told.
    expect(page.get_by_text("Not verified", exact=True)).to_be_visible(timeout=30_000)
    screens.take("sso")
    claimed.get_by_role("button", name="Remove").click()
    expect(claimed).to_have_count(0)
    row.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove provider").click()
    expect(page.get_by_text("No identity providers yet")).to_be_visible()
    assert workspace.get("/api/v1/sso/providers") == []


def test_a_member_has_a_profile_but_not_the_admin_screens(
    page: Page, workspace: Workspace, mail_sink: MailSink, screens: Screens
) -> None:
    rep = f"rep@{workspace.slug}.example"
    invited = workspace.http.post("/api/v1/invitations", json={"email": rep, "role": "member"})
    assert invited.status_code == 201, invited.text
    accepted = workspace.http.post("/api/v1/invitations/accept", json={
        "token": token_in(mail_sink, rep, "accept-invitation"), "password": PASSWORD,
    })  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    sign_in(page, workspace, rep)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.get_by_role("button", name="Account").click()
    page.get_by_role("menuitem", name="My profile").click()
    expect(page.get_by_role("table", name="Sessions").locator("[data-session='current']")).to_be_visible()
    expect(page.get_by_role("button", name="Set up an authenticator app")).to_be_visible()
    page.goto(f"{workspace.url}/settings/audit")
    expect(page.get_by_role("alert")).to_contain_text("for the workspace's owners and admins")
    expect(page.get_by_role("table", name="Audit log")).to_have_count(0)
    screens.take("member-no-audit")
