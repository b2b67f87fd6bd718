"""Per-tenant SAML 2.0 single sign-on: Rapport is the service provider (pysaml2, signatures by xmlsec1).

The tenant admin pastes the identity provider's metadata (entity id, single sign-on URL, signing
certificates). Sign-in is SP-initiated only: ``begin_login`` sends an AuthnRequest by HTTP-Redirect and
remembers its id under a single-use RelayState (10 minutes, bound to the tenant); the IdP posts the response
to the tenant's ACS, where ``finish_login`` accepts it only when

- the XML is small, has no DTD, holds exactly one assertion and no encrypted one, and every signature and
  digest algorithm is SHA-256 or stronger (before pysaml2 sees it);
- pysaml2 verifies the assertion's signature against the metadata's certificates (assertions must be
  signed; a signed response alone is not enough), the issuer, the audience (our entity id), the validity
  window and the subject confirmation;
- and, checked again here: the response's ``Destination`` and every bearer confirmation's ``Recipient``
  are our ACS, ``InResponseTo`` is the request we sent, and the assertion id was never seen before (kept
  in Redis until the assertion expires: no replay).

People then join just in time like with OIDC (allowed domains, default role).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import time
import uuid
from functools import cache
from typing import Any

from defusedxml import ElementTree
from rapport_tenants.context import TenantContext, tenant_transaction
from redis.asyncio import Redis
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.sessions import SignedIn, start_session
from rapport.identity.sso import SsoFailed, check_domain, join_just_in_time, remember_state, take_state
from rapport.identity.tables import SsoProvider
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed

__all__ = [
    "ACS_PATH",
    "begin_login",
    "create_provider",
    "finish_login",
    "read_idp_metadata",
    "sp_entity_id",
    "sp_metadata",
]

ACS_PATH = "api/v1/auth/sso/saml/acs"
CLOCK_SKEW_SECONDS = 60
MAX_METADATA_BYTES = 500_000
MAX_RESPONSE_BYTES = 300_000

_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
_DSIG = "http://www.w3.org/2000/09/xmldsig#"
_STRONG_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)
_EMAIL_ATTRIBUTES = ("mail", "email", "emailAddress", "urn:oid:0.9.2342.19200300.100.1.3")


@cache
def _xmlsec() -> str:
    return str(get_xmlsec_binary(["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]))


def sp_entity_id(base_url: str, provider_id: object) -> str:
    """Our entity id for one provider: the URL of our metadata for it."""
    return f"{base_url}api/v1/auth/sso/{provider_id}/saml/metadata"


def _config(provider_id: object, metadata_xml: str, base_url: str) -> SPConfig:
    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(base_url, provider_id),
            "xmlsec_binary": _xmlsec(),
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
            "signing_algorithm": SIG_RSA_SHA256,  # pysaml2 would sign with SHA-1 unless told
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(base_url + ACS_PATH, BINDING_HTTP_POST)]},
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                }
            },
            "metadata": {"inline": [metadata_xml]},
        }
    )
    return config


def read_idp_metadata(metadata_xml: str) -> str:
    """The entity id of the one identity provider described, after checking it can be used; else 422."""
    if len(metadata_xml.encode()) > MAX_METADATA_BYTES:
        raise _bad_metadata("is larger than 500 KB")
    try:
        ElementTree.fromstring(metadata_xml, forbid_dtd=True)
        metadata = _config(uuid.UUID(int=0), metadata_xml, "https://metadata.check/").metadata
        providers = list(metadata.identity_providers())
    except Exception as exc:  # pysaml2 and defusedxml raise many kinds; all mean unusable metadata
        raise _bad_metadata(f"is not readable SAML metadata ({type(exc).__name__})") from None
    if len(providers) != 1:
        raise _bad_metadata(f"describes {len(providers)} identity providers; exactly one is needed")
    entity_id = str(providers[0])
    if not metadata.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT):
        raise _bad_metadata("has no single sign-on service with the HTTP-Redirect binding")
    try:
        certificates = metadata.certs(entity_id, "idpsso", use="signing")
    except (KeyError, ValueError):  # a KeyDescriptor without a certificate
        certificates = []
    if not certificates:
        raise _bad_metadata("has no signing certificate")
    return entity_id


def _bad_metadata(problem: str) -> ValidationFailed:
    return ValidationFailed(
        f"The identity provider's metadata {problem}.", errors=[FieldError("metadata_xml", problem)]
    )


async def create_provider(
    tenant: TenantContext, actor: Actor, name: str, metadata_xml: str, allowed_domains: list[str],
    default_role: str,
) -> uuid.UUID:  # fmt: skip
    """Register a SAML identity provider from its metadata."""
    entity_id = await asyncio.to_thread(read_idp_metadata, metadata_xml)
    provider_id = uuid.uuid4()
    domains = sorted({domain.strip().lower() for domain in allowed_domains if domain.strip()})
    async with tenant_transaction(tenant):
        await SsoProvider.insert(
            SsoProvider(
                id=provider_id, tenant_id=tenant.id, kind="saml", name=name, issuer=entity_id, client_id="",
                client_secret_encrypted="", allowed_domains=domains, default_role=default_role,
                saml_metadata=metadata_xml,
            )
        )  # fmt: skip
        changes = {"name": (None, name), "kind": (None, "saml"), "issuer": (None, entity_id)}
        await audit.record(actor, "sso_provider.created", "sso_provider", provider_id, changes)
    return provider_id


async def _provider(tenant: TenantContext, provider_id: uuid.UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await SsoProvider.select()
        .where(
            (SsoProvider.id == provider_id)
            & (SsoProvider.tenant_id == tenant.id)
            & (SsoProvider.kind == "saml")
        )
        .first()
    )
    if row is None:
        raise NotFoundError("There is no such SAML identity provider in this workspace.")
    return row


async def sp_metadata(tenant: TenantContext, provider_id: uuid.UUID, base_url: str) -> str:
    """Our service-provider metadata for this provider, to give the identity provider's admin."""
    provider = await _provider(tenant, provider_id)
    config = await asyncio.to_thread(_config, provider["id"], provider["saml_metadata"], base_url)
    return str(entity_descriptor(config).to_string(), "utf-8")


async def begin_login(redis: Redis, tenant: TenantContext, provider_id: uuid.UUID, base_url: str) -> str:
    """The identity provider's URL carrying our AuthnRequest; its id waits for the answer 10 minutes."""
    provider = await _provider(tenant, provider_id)
    state = secrets.token_urlsafe(24)

    def prepare() -> tuple[str, str]:
        client = Saml2Client(config=_config(provider["id"], provider["saml_metadata"], base_url))
        request_id, info = client.prepare_for_authenticate(
            entityid=provider["issuer"], relay_state=state, binding=BINDING_HTTP_REDIRECT
        )
        return str(request_id), str(dict(info["headers"])["Location"])

    request_id, location = await asyncio.to_thread(prepare)
    remembered = {"provider_id": str(provider_id), "request_id": request_id}
    await remember_state(redis, "saml", tenant, state, remembered)
    return location


def _precheck(saml_response: str) -> None:
    """Refuse, before any signature work, what no honest identity provider sends us."""
    if len(saml_response) > MAX_RESPONSE_BYTES:
        raise SsoFailed("The SAML response is too large.")
    try:
        document = ElementTree.fromstring(base64.b64decode(saml_response, validate=True), forbid_dtd=True)
    except (binascii.Error, ValueError, ElementTree.ParseError) as exc:
        raise SsoFailed(f"The SAML response is not valid XML ({type(exc).__name__}).") from None
    except Exception as exc:  # defusedxml's DTD, entity and external-reference refusals
        raise SsoFailed(f"The SAML response was refused ({type(exc).__name__}).") from None
    if len(document.findall(f".//{{{_SAML}}}Assertion")) != 1:
        raise SsoFailed("The SAML response must hold exactly one assertion.")
    if document.findall(f".//{{{_SAML}}}EncryptedAssertion"):
        raise SsoFailed("Encrypted assertions are not accepted.")
    for tag in ("SignatureMethod", "DigestMethod"):
        for element in document.iter(f"{{{_DSIG}}}{tag}"):
            if element.get("Algorithm") not in _STRONG_ALGORITHMS:
                raise SsoFailed(
                    f"The SAML response is signed with a weak algorithm ({element.get('Algorithm')})."
                )


def _verify(provider: dict[str, Any], base_url: str, saml_response: str, request_id: str) -> Any:
    """pysaml2's verification, then our own checks of destination, recipient, request and audience."""
    acs = base_url + ACS_PATH
    client = Saml2Client(config=_config(provider["id"], provider["saml_metadata"], base_url))
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}, conv_info={"entity_id": None}
        )
    except Exception as exc:  # pysaml2 raises a different class for every failed check
        raise SsoFailed(f"The SAML response was refused: {type(exc).__name__}: {exc}"[:300]) from None
    if response is None or response.assertion is None:
        raise SsoFailed("The SAML response was refused.")
    assertion = response.assertion
    recipients = [
        confirmation.subject_confirmation_data.recipient
        for confirmation in assertion.subject.subject_confirmation
        if confirmation.subject_confirmation_data is not None
    ]
    audiences = [
        audience.text
        for restriction in assertion.conditions.audience_restriction
        for audience in restriction.audience
    ]
    if (
        response.response.destination != acs
        or not recipients
        or any(recipient != acs for recipient in recipients)
        or response.in_response_to != request_id
        or sp_entity_id(base_url, provider["id"]) not in audiences
        or response.issuer() != provider["issuer"]
    ):
        raise SsoFailed("The SAML response is meant for another request, place or service.")
    return response


def _identity(response: Any) -> tuple[str, str]:
    """The subject (the NameID, unless transient) and the email address the IdP vouches for."""
    name_id = response.name_id
    email = ""
    if name_id is not None and name_id.format == NAMEID_FORMAT_EMAILADDRESS:
        email = str(name_id.text or "")
    for attribute in _EMAIL_ATTRIBUTES:
        values = response.ava.get(attribute) or []
        if not email and values:
            email = str(values[0])
    email = email.strip().lower()
    if "@" not in email:
        raise SsoFailed("The identity provider did not send an email address.")
    transient = name_id is None or name_id.format == NAMEID_FORMAT_TRANSIENT or not name_id.text
    return (email if transient else str(name_id.text)), email


async def finish_login(
    redis: Redis, tenant: TenantContext, saml_response: str, relay_state: str, base_url: str, ip: str,
    user_agent: str,
) -> SignedIn:  # fmt: skip
    """The ACS: verify the response to our request, refuse replays, find or create the member, sign in."""
    remembered = await take_state(redis, "saml", tenant, relay_state)
    provider = await _provider(tenant, uuid.UUID(remembered["provider_id"]))
    _precheck(saml_response)
    response = await asyncio.to_thread(_verify, provider, base_url, saml_response, remembered["request_id"])
    expires = max(int(response.not_on_or_after or 0), int(time.time())) + CLOCK_SKEW_SECONDS
    first_use = await redis.set(
        f"rapport:saml-assertion:{provider['id']}:{response.assertion.id}", "1", nx=True, exat=expires
    )
    if not first_use:
        raise SsoFailed("This SAML assertion was used already.")
    subject, email = _identity(response)
    check_domain(provider, email)
    user_id, role = await join_just_in_time(tenant, provider, subject, email, ip)
    return await start_session(
        tenant, user_id, email, role, ip, user_agent, {"sso": (None, provider["name"])}
    )
