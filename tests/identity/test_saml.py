"""SAML 2.0 single sign-on against a real pysaml2 identity provider on loopback: round trip and refusals."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings
from rapport_tenants.names import schema_name_for

from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp
from tests.identity.saml_idp import DSIG, SAML, SAMLP, SamlIdp, Tamper, form_fields, shift_validity


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    idp = SamlIdp(Path(tmp_path_factory.mktemp("saml-idp")))
    idp.start()
    yield idp
    idp.stop()


async def _owner_headers(client: AsyncTestClient, slug: str) -> dict[str, str]:  # type: ignore[type-arg]
    login = await client.post(
        "/api/v1/auth/login", json={"email": SHARED_EMAIL, "password": PASSWORD}, headers={"x-tenant": slug}
    )
    assert login.status_code == 200, login.text
    return {"x-tenant": slug, "x-csrf-token": login.json()["csrf_token"]}


@pytest.fixture
async def configured(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    saml_idp: SamlIdp,
    migrated: Settings,  # type: ignore[type-arg]
) -> tuple[SignedUp, SignedUp, str]:
    """The first tenant trusts the IdP for people of saml.example (members); the IdP knows our metadata."""
    saml_idp.tamper = Tamper()
    first, second = two_tenants
    owner = await _owner_headers(app_client, first.slug)
    created = await app_client.post(
        "/api/v1/sso/providers/saml",
        json={
            "name": "Corporate SAML", "metadata_xml": saml_idp.metadata_xml,
            "allowed_domains": ["saml.example"], "default_role": "member",
        },
        headers=owner,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    provider_id = created.json()["id"]
    base = f"http://{first.slug}.localhost:8000/"
    assert created.json()["acs_url"] == base + "api/v1/auth/sso/saml/acs"
    metadata = await app_client.get(
        f"/api/v1/auth/sso/{provider_id}/saml/metadata", headers={"x-tenant": first.slug}
    )
    assert metadata.status_code == 200
    assert metadata.headers["content-type"].startswith("application/samlmetadata+xml")
    assert f'entityID="{created.json()["entity_id"]}"' in metadata.text
    assert created.json()["acs_url"] in metadata.text
    saml_idp.trust(metadata.text)
    app_client.cookies.clear()
    return first, second, provider_id


async def _at_idp(client: AsyncTestClient, slug: str, provider_id: str) -> tuple[str, dict[str, str]]:  # type: ignore[type-arg]
    """Start a sign-in and follow it to the IdP: the form it would make the browser post back."""
    start = await client.get(
        f"/api/v1/auth/sso/{provider_id}/start", headers={"x-tenant": slug}, follow_redirects=False
    )
    assert start.status_code in (302, 307), start.text
    assert start.headers["location"].startswith("http://127.0.0.1:")
    async with httpx.AsyncClient() as browser:
        page = await browser.get(start.headers["location"])
    assert page.status_code == 200, page.text
    action, fields = form_fields(page.text)
    assert action == f"http://{slug}.localhost:8000/api/v1/auth/sso/saml/acs"
    return urlsplit(action).path, fields


async def _post(
    client: AsyncTestClient,
    slug: str,
    path: str,
    fields: dict[str, str],  # type: ignore[type-arg]
) -> httpx.Response:
    return await client.post(path, data=fields, headers={"x-tenant": slug}, follow_redirects=False)


async def test_sign_in_with_saml_joins_just_in_time(
    app_client: AsyncTestClient,
    configured: tuple[SignedUp, SignedUp, str],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    first, _, provider_id = configured
    buttons = (await app_client.get("/api/v1/auth/sso/providers", headers={"x-tenant": first.slug})).json()
    assert [b["name"] for b in buttons] == ["Corporate SAML"]
    path, fields = await _at_idp(app_client, first.slug, provider_id)
    done = await _post(app_client, first.slug, path, fields)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"http://{first.slug}.localhost:8000/"
    me = (await app_client.get("/api/v1/me", headers={"x-tenant": first.slug})).json()
    assert (me["email"], me["role"]) == ("sally@saml.example", "member")
    app_client.cookies.clear()
    # Signed again by the IdP after an edit that changes nothing: still valid (so the refusals below fail
    # for their own reason, not because the tests' re-signing is broken).
    saml_idp.tamper = Tamper(edit=lambda assertion: None)
    path, fields = await _at_idp(app_client, first.slug, provider_id)
    assert (await _post(app_client, first.slug, path, fields)).status_code == 303
    connection = await asyncpg.connect(database_url)
    try:
        links = await connection.fetchval(
            "SELECT count(*) FROM control.sso_identities WHERE provider_id = $1::uuid", provider_id
        )
        audited = await connection.fetchval(
            f'SELECT count(*) FROM "{schema_name_for(first.id)}".audit_events WHERE action = $1',
            "auth.signed_in",
        )
    finally:
        await connection.close()
    assert links == 1
    assert audited >= 2


def _set_text(tag: str, text: str) -> Callable[[ElementTree.Element], None]:
    def edit(assertion: ElementTree.Element) -> None:
        for element in assertion.iter(tag):
            element.text = text

    return edit


def _set_recipient(assertion: ElementTree.Element) -> None:
    for data in assertion.iter(f"{{{SAML}}}SubjectConfirmationData"):
        data.set("Recipient", "http://elsewhere.example/acs")


def _forge_email(root: ElementTree.Element) -> None:
    """Change who the signed assertion is about (the signature no longer matches)."""
    for element in root.iter():
        if element.text == "sally@saml.example":
            element.text = "mallory@saml.example"


def _evil_copy(original: ElementTree.Element) -> ElementTree.Element:
    evil = copy.deepcopy(original)
    evil.set("ID", "_evil" + (original.get("ID") or ""))
    _forge_email(evil)
    for signature in evil.findall(f"{{{DSIG}}}Signature"):
        evil.remove(signature)
    return evil


def _original(root: ElementTree.Element) -> ElementTree.Element:
    assertion = root.find(f"{{{SAML}}}Assertion")
    assert assertion is not None
    return assertion


def _xsw_evil_first(root: ElementTree.Element) -> None:
    """An unsigned forged assertion before the signed one."""
    original = _original(root)
    root.insert(list(root).index(original), _evil_copy(original))


def _xsw_wrapped_in_advice(root: ElementTree.Element) -> None:
    """The forged assertion takes the signed one's place and carries it inside its Advice."""
    original = _original(root)
    evil = _evil_copy(original)
    advice = ElementTree.SubElement(evil, f"{{{SAML}}}Advice")
    advice.append(original)
    index = list(root).index(original)
    root.remove(original)
    root.insert(index, evil)


def _xsw_signature_moved(root: ElementTree.Element) -> None:
    """The forged assertion carries the original's signature; the signed original hides in Extensions."""
    original = _original(root)
    evil = _evil_copy(original)
    signature = original.find(f"{{{DSIG}}}Signature")
    assert signature is not None
    evil.insert(1, copy.deepcopy(signature))
    index = list(root).index(original)
    root.remove(original)
    root.insert(index, evil)
    extensions = ElementTree.Element(f"{{{SAMLP}}}Extensions")
    extensions.append(original)
    root.insert(1, extensions)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (Tamper(after_signing=_forge_email), "Failed to verify signature"),
        (Tamper(foreign_key=True), "Failed to verify signature"),
        (Tamper(unsigned=True), "Signature missing for assertion"),
        (Tamper(sha1=True), "weak algorithm"),
        (Tamper(edit=_set_text(f"{{{SAML}}}Audience", "http://someone-else.example/sp")), "Audience"),
        (Tamper(edit=_set_recipient), "No valid recipient"),
        (Tamper(edit=lambda assertion: shift_validity(assertion, -600)), "too old"),
        (Tamper(after_signing=_xsw_evil_first), "exactly one assertion"),
        (Tamper(after_signing=_xsw_wrapped_in_advice), "exactly one assertion"),
        (Tamper(after_signing=_xsw_signature_moved), "exactly one assertion"),
        (Tamper(email="eve@elsewhere.example"), "not in a domain allowed"),
    ],
    ids=[
        "bad-signature", "foreign-key", "unsigned", "sha1", "wrong-audience", "wrong-recipient", "expired",
        "wrapping-evil-first", "wrapping-in-advice", "wrapping-signature-moved", "domain-not-allowed",
    ],
)  # fmt: skip
async def test_bad_responses_are_refused(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    configured: tuple[SignedUp, SignedUp, str],
    saml_idp: SamlIdp,
    tamper: Tamper,
    reason: str,
) -> None:
    first, _, provider_id = configured
    saml_idp.tamper = tamper
    path, fields = await _at_idp(app_client, first.slug, provider_id)
    refused = await _post(app_client, first.slug, path, fields)
    assert refused.status_code == 401, refused.text
    assert reason in refused.json()["detail"]
    assert refused.json()["type"].endswith("/sso-failed")
    assert "set-cookie" not in refused.headers
    me = await app_client.get("/api/v1/me", headers={"x-tenant": first.slug})
    assert me.status_code == 401


async def test_a_response_is_accepted_once_and_only_in_its_tenant(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    configured: tuple[SignedUp, SignedUp, str],
) -> None:
    first, second, provider_id = configured
    path, fields = await _at_idp(app_client, first.slug, provider_id)
    elsewhere = await _post(app_client, second.slug, path, fields)  # the other tenant's ACS
    assert elsewhere.status_code == 401, elsewhere.text
    path, fields = await _at_idp(app_client, first.slug, provider_id)
    assert (await _post(app_client, first.slug, path, fields)).status_code == 303
    app_client.cookies.clear()
    replayed = await _post(app_client, first.slug, path, fields)
    assert replayed.status_code == 401
    _, fresh = await _at_idp(app_client, first.slug, provider_id)  # a new request; the old answer to it
    replayed_later = await _post(
        app_client,
        first.slug,
        path,
        {"SAMLResponse": fields["SAMLResponse"], "RelayState": fresh["RelayState"]},
    )
    assert replayed_later.status_code == 401
    assert (
        await app_client.get(f"/api/v1/auth/sso/{provider_id}/start", headers={"x-tenant": second.slug})
    ).status_code == 404
    assert (
        await app_client.get(
            f"/api/v1/auth/sso/{provider_id}/saml/metadata", headers={"x-tenant": second.slug}
        )
    ).status_code == 404


async def test_providers_need_usable_metadata_and_an_admin(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    two_tenants: tuple[SignedUp, SignedUp],
    saml_idp: SamlIdp,
) -> None:
    first, _ = two_tenants
    owner = await _owner_headers(app_client, first.slug)
    for metadata, problem in [
        ("<not-xml", "readable"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "readable"),
        (saml_idp.metadata_xml.replace("X509Certificate", "X509Nothing"), "signing certificate"),
    ]:
        refused = await app_client.post(
            "/api/v1/sso/providers/saml", json={"name": "Bad", "metadata_xml": metadata}, headers=owner
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "metadata_xml"
        assert problem in refused.json()["errors"][0]["message"]
    app_client.cookies.clear()
    anonymous = await app_client.post(
        "/api/v1/sso/providers/saml",
        json={"name": "x", "metadata_xml": saml_idp.metadata_xml},
        headers={"x-tenant": first.slug},
    )
    assert anonymous.status_code == 401
