"""A real SAML 2.0 identity provider for the tests (pysaml2's ``Server``), on loopback over HTTP.

``GET /sso`` takes our AuthnRequest (HTTP-Redirect binding) and answers with the auto-submitting form of
the HTTP-POST binding, like any IdP. Assertions are signed with RSA-SHA256 by xmlsec1. ``tamper`` lets a
test change the assertion before it is signed again (wrong audience, expired, other recipient), sign with a
foreign key or SHA-1, or rearrange the signed XML afterwards (signature wrapping).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as StdElementTree

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree as SafeElementTree
from litestar import Litestar, Request, get
from litestar.response import Response
from rapport.kernel.devservices import free_port
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, Assertion, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

from tests.support import wait_for_http

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
for prefix, uri in (("saml", SAML), ("samlp", SAMLP), ("ds", DSIG)):
    StdElementTree.register_namespace(prefix, uri)


def _key_pair(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256())
    )  # fmt: skip
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@dataclass
class Tamper:
    """How the next responses misbehave (all off: an honest IdP)."""

    edit: Callable[[StdElementTree.Element], None] | None = None
    """Changes the assertion, which is then signed again (so the signature is valid)."""
    after_signing: Callable[[StdElementTree.Element], None] | None = None
    """Changes the signed response (breaking or wrapping the signature)."""
    foreign_key: bool = False
    sha1: bool = False
    unsigned: bool = False
    email: str | None = None


@dataclass
class SamlIdp:
    directory: Path
    port: int = field(default_factory=free_port)
    email: str = "sally@saml.example"
    tamper: Tamper = field(default_factory=Tamper)
    last_response: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base = f"http://127.0.0.1:{self.port}"
        self.entity_id = f"{self.base}/idp"
        self.key_file, self.cert_file = _key_pair(self.directory, "idp")
        self.foreign_key_file, _ = _key_pair(self.directory, "foreign")
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                    }
                },
                "metadata": {"inline": []},
            }
        )
        self.server = Server(config=config)
        self.metadata_xml = entity_descriptor(config).to_string().decode()
        self.http = uvicorn.Server(
            uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.http.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        wait_for_http(f"{self.base}/health", self.thread)

    def stop(self) -> None:
        self.http.should_exit = True
        self.thread.join(timeout=10)

    def trust(self, sp_metadata: str) -> None:
        """Know the service provider (from the metadata it publishes)."""
        self.server.metadata.load("inline", sp_metadata)

    def respond(self, saml_request: str, relay_state: str) -> str:
        """The signed (or tampered) response to an AuthnRequest, as the auto-submitting HTML form."""
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        args = self.server.response_args(request.message)
        email = self.tamper.email or self.email
        sha1 = self.tamper.sha1
        response = self.server.create_authn_response(
            identity={"mail": [email], "givenName": ["Sally"], "sn": ["Saml"]},
            userid=email,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=not self.tamper.unsigned,
            sign_response=False,
            sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
            **args,
        )
        xml = str(response)
        if self.tamper.edit is not None or self.tamper.foreign_key:
            xml = self._resign(xml)
        if self.tamper.after_signing is not None:
            document = SafeElementTree.fromstring(xml)
            self.tamper.after_signing(document)
            xml = StdElementTree.tostring(document, encoding="unicode")
        form = self.server.apply_binding(
            BINDING_HTTP_POST, xml, args["destination"], relay_state, response=True
        )
        return str(form["data"])

    def _resign(self, xml: str) -> str:
        document = SafeElementTree.fromstring(xml)
        assertion = document.find(f"{{{SAML}}}Assertion")
        assert assertion is not None
        if self.tamper.edit is not None:
            self.tamper.edit(assertion)
        key_file = self.foreign_key_file if self.tamper.foreign_key else self.key_file
        return str(
            self.server.sec.sign_statement(
                StdElementTree.tostring(document, encoding="unicode"),
                class_name(Assertion()),
                key_file=key_file,
                node_id=assertion.get("ID"),
            )
        )

    def app(self) -> Litestar:
        @get("/health")
        async def health() -> str:
            return "ok"

        @get("/sso", media_type="text/html")
        async def sso(request: Request[Any, Any, Any]) -> Response[str]:
            form = self.respond(
                request.query_params["SAMLRequest"], request.query_params.get("RelayState", "")
            )
            return Response(form, media_type="text/html")

        return Litestar([health, sso])


def form_fields(html: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the IdP's auto-submitting form (what a browser would post)."""
    action = re.search(r'action="([^"]+)"', html)
    assert action is not None, html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return unescape(action.group(1)), {name: unescape(value) for name, value in fields.items()}


def shift_validity(assertion: StdElementTree.Element, seconds: int) -> None:
    """Move every NotOnOrAfter (and NotBefore) ``seconds`` from now."""
    for element in assertion.iter():
        for attribute in ("NotOnOrAfter", "NotBefore"):
            if attribute in element.attrib:
                moved = seconds - 600 if attribute == "NotBefore" else seconds
                element.set(attribute, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + moved)))
