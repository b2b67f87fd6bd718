"""A real OpenID Connect provider for the tests, on loopback: discovery, authorize, token (PKCE), JWKS.

ID tokens are signed with joserfc (the JOSE library of authlib). ``misbehave`` makes it issue bad tokens
(wrong audience, nonce, issuer, expired, foreign key, unverified email) for the negative tests.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response
from rapport.kernel.devservices import free_port

from tests.support import wait_for_http

CLIENT_ID = "rapport-test-client"
CLIENT_SECRET = "rapport-test-secret-0123456789"


class OidcProvider:
    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})
        self.user: dict[str, Any] = {"sub": "user-1", "email": "sam@sso.example", "email_verified": True}
        self.misbehave: dict[str, Any] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.server = uvicorn.Server(
            uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        wait_for_http(self.issuer + "/.well-known/openid-configuration", self.thread, timeout=10)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce, **self.user,
        }  # fmt: skip
        for name in ("aud", "iss", "nonce", "email_verified", "email"):
            if name in self.misbehave:
                claims[name] = self.misbehave[name]
        if self.misbehave.get("expired"):
            claims["exp"] = now - 3600
        key = self.foreign_key if self.misbehave.get("foreign_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "signing-1"}, claims, key)

    def app(self) -> Litestar:
        provider = self

        @get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": provider.issuer,
                "authorization_endpoint": provider.issuer + "/authorize",
                "token_endpoint": provider.issuer + "/token",
                "jwks_uri": provider.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }

        @get("/jwks")
        async def jwks() -> dict[str, Any]:
            return dict(KeySet([provider.key]).as_dict(private=False))

        @get("/authorize")
        async def authorize(request: Request[Any, Any, Any]) -> Redirect:
            query = request.query_params
            assert query["client_id"] == CLIENT_ID
            assert query["response_type"] == "code"
            assert query["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {
                "nonce": query["nonce"],
                "challenge": query["code_challenge"],
                "redirect_uri": query["redirect_uri"],
            }
            return Redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")

        @post("/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
            form = await request.form()
            scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
            client = base64.b64decode(encoded).decode() if scheme.lower() == "basic" else ""
            issued = provider.codes.pop(str(form.get("code")), None)
            if client != f"{CLIENT_ID}:{CLIENT_SECRET}" or issued is None:
                return Response({"error": "invalid_grant"}, status_code=400)
            verifier = str(form.get("code_verifier", ""))
            if (
                create_s256_code_challenge(verifier) != issued["challenge"]
                or form.get("redirect_uri") != issued["redirect_uri"]
            ):
                return Response({"error": "invalid_grant"}, status_code=400)
            body = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                    "id_token": provider.id_token(issued["nonce"])}  # fmt: skip
            return Response(body)

        return Litestar([discovery, jwks, authorize, token])
