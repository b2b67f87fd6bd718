"""Verified domains (DNS TXT, through a real DNS server on loopback) and enforced single sign-on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from tests.dns_server import TxtServer
from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp, invite_member
from tests.identity.saml_idp import SamlIdp
from tests.probe.fixtures import sign_in


async def _login(client: AsyncTestClient, slug: str, email: str, password: str = PASSWORD) -> Any:  # type: ignore[type-arg]
    client.cookies.clear()
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={"x-tenant": slug}
    )
    client.cookies.clear()
    return response


async def test_enforcing_sso_needs_a_verified_domain_and_turns_password_sign_in_off(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    two_tenants: tuple[SignedUp, SignedUp],
    dns_server: TxtServer,
    mail_sink: Any,
    tmp_path: Path,
) -> None:
    first, second = two_tenants
    owner = await sign_in(app_client, first.slug, SHARED_EMAIL)
    domain = f"{first.slug}.example"
    worker, outsider = f"rep@{domain}", f"rep@other-{first.slug}.example"
    await invite_member(app_client, mail_sink, owner, worker, "member")
    await invite_member(app_client, mail_sink, owner, outsider, "member")
    await invite_member(
        app_client, mail_sink, await sign_in(app_client, second.slug, SHARED_EMAIL), worker, "member"
    )

    assert (
        await app_client.post("/api/v1/sso/domains", json={"domain": "not a domain"}, headers=owner)
    ).status_code == 422
    claimed = await app_client.post(
        "/api/v1/sso/domains", json={"domain": domain.upper() + "."}, headers=owner
    )
    assert claimed.status_code == 201, claimed.text
    record = claimed.json()
    assert (record["domain"], record["txt_name"], record["verified"]) == (
        domain,
        f"_rapport-challenge.{domain}",
        False,
    )
    assert record["txt_value"].startswith("rapport-verification=")
    again = await app_client.post("/api/v1/sso/domains", json={"domain": domain}, headers=owner)
    assert again.status_code == 409
    domain_url = f"/api/v1/sso/domains/{record['id']}"

    assert (
        await app_client.post(f"{domain_url}/verify", headers=owner)
    ).status_code == 422  # nothing published
    assert (await app_client.patch(domain_url, json={"enforce": True}, headers=owner)).status_code == 409
    dns_server.publish(record["txt_name"], "rapport-verification=someone-elses-token")
    unverified = await app_client.post(f"{domain_url}/verify", headers=owner)
    assert (unverified.status_code, unverified.json()["errors"][0]["message"]) == (
        422,
        "TXT record not found",
    )
    dns_server.publish(record["txt_name"], record["txt_value"])
    verified = await app_client.post(f"{domain_url}/verify", headers=owner)
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True

    no_provider = await app_client.patch(domain_url, json={"enforce": True}, headers=owner)
    assert (no_provider.status_code, "identity provider" in no_provider.json()["detail"]) == (409, True)
    idp = SamlIdp(tmp_path)
    provider = await app_client.post(
        "/api/v1/sso/providers/saml", json={"name": "Corp", "metadata_xml": idp.metadata_xml}, headers=owner
    )
    assert provider.status_code == 201, provider.text
    enforced = await app_client.patch(domain_url, json={"enforce": True}, headers=owner)
    assert (enforced.status_code, enforced.json()["enforce"]) == (200, True)

    refused = await _login(app_client, first.slug, worker)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/sso-required")
    assert (
        await _login(app_client, first.slug, worker, "a wrong password")
    ).status_code == 401  # tells nothing
    assert (await _login(app_client, first.slug, outsider)).status_code == 200  # another domain
    assert (await _login(app_client, first.slug, SHARED_EMAIL)).status_code == 200  # owners: break-glass
    assert (await _login(app_client, second.slug, worker)).status_code == 200  # only in the enforcing tenant

    # The other tenant neither sees nor changes this tenant's domain.
    stranger = await sign_in(app_client, second.slug, SHARED_EMAIL)
    assert (await app_client.get("/api/v1/sso/domains", headers=stranger)).json() == []
    assert (await app_client.patch(domain_url, json={"enforce": False}, headers=stranger)).status_code == 404
    assert (await app_client.delete(domain_url, headers=stranger)).status_code == 404
    member = await sign_in(app_client, first.slug, outsider)
    assert (await app_client.get("/api/v1/sso/domains", headers=member)).status_code == 403

    assert (await app_client.patch(domain_url, json={"enforce": False}, headers=owner)).status_code == 200
    assert (await _login(app_client, first.slug, worker)).status_code == 200
    assert (await app_client.delete(domain_url, headers=owner)).status_code == 204
    audit = await app_client.get("/api/v1/audit", params={"object_type": "sso_domain"}, headers=owner)
    assert {row["action"] for row in audit.json()["items"]} >= {
        "sso_domain.claimed", "sso_domain.verified", "sso_domain.enforce_changed", "sso_domain.removed"
    }  # fmt: skip
