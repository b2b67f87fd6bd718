"""TOTP: enrol, confirm, sign in in two steps, codes used once, recovery codes, turning off, key rotation."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import asyncpg
import pyotp
import pytest
from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings

from tests.factories import PASSWORD, SignedUp, sign_up


@pytest.fixture
async def member(app_client: AsyncTestClient, migrated: Settings) -> tuple[SignedUp, dict[str, str]]:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    login = await password_step(app_client, tenant)
    return tenant, {"x-tenant": tenant.slug, "x-csrf-token": login.json()["csrf_token"]}


async def password_step(client: AsyncTestClient, tenant: SignedUp):  # type: ignore[no-untyped-def, type-arg]
    return await client.post(
        "/api/v1/auth/login",
        json={"email": f"admin@{tenant.slug}.example", "password": PASSWORD},
        headers={"x-tenant": tenant.slug},
    )


async def code_step(client: AsyncTestClient, tenant: SignedUp, challenge: str, code: str):  # type: ignore[no-untyped-def, type-arg]
    return await client.post(
        "/api/v1/auth/login/totp",
        json={"challenge": challenge, "code": code},
        headers={"x-tenant": tenant.slug},
    )


def next_code(secret: str) -> str:
    """A code of the next time step: valid now (drift window), and never the one used just before."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def enrol(client: AsyncTestClient, headers: dict[str, str]) -> tuple[str, list[str]]:  # type: ignore[type-arg]
    started = (await client.post("/api/v1/me/totp", headers=headers)).json()
    secret = started["secret"]
    assert started["otpauth_uri"].startswith("otpauth://totp/Rapport:")
    wrong = await client.post("/api/v1/me/totp/confirm", json={"code": "000000"}, headers=headers)
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "code")
    confirmed = await client.post(
        "/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


async def test_two_step_sign_in_and_single_use_codes(
    app_client: AsyncTestClient,
    member: tuple[SignedUp, dict[str, str]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    tenant, headers = member
    secret, recovery = await enrol(app_client, headers)
    assert len(recovery) == len(set(recovery)) == 10
    connection = await asyncpg.connect(database_url)
    try:
        stored = await connection.fetchval("SELECT secret_encrypted FROM control.totp_credentials")
    finally:
        await connection.close()
    assert secret not in stored  # encrypted at rest
    app_client.cookies.clear()
    first = await password_step(app_client, tenant)
    assert first.json()["status"] == "totp_required"
    assert "set-cookie" not in first.headers
    challenge = first.json()["challenge"]
    code = next_code(secret)
    bad = await code_step(app_client, tenant, challenge, "123456")
    assert bad.status_code == 401
    good = await code_step(app_client, tenant, challenge, code)
    assert (good.status_code, good.json()["status"]) == (200, "signed_in")
    assert "rapport_session=" in good.headers["set-cookie"]
    # The challenge is spent, and the same code cannot open a second session.
    replay = await code_step(app_client, tenant, challenge, code)
    assert replay.status_code == 401
    again = (await password_step(app_client, tenant)).json()["challenge"]
    reused = await code_step(app_client, tenant, again, code)
    assert reused.status_code == 401
    with_recovery = await code_step(app_client, tenant, again, recovery[0])
    assert with_recovery.status_code == 200
    spent = (await password_step(app_client, tenant)).json()["challenge"]
    twice = await code_step(app_client, tenant, spent, recovery[0])
    assert twice.status_code == 401


async def test_turning_totp_off_needs_a_code(
    app_client: AsyncTestClient,
    member: tuple[SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    tenant, headers = member
    _, recovery = await enrol(app_client, headers)
    assert (await app_client.post("/api/v1/me/totp", headers=headers)).status_code == 409
    assert (await app_client.get("/api/v1/me", headers=headers)).json()["totp_enabled"] is True
    refused = await app_client.post("/api/v1/me/totp/disable", json={"code": "999999"}, headers=headers)
    assert refused.status_code == 422
    off = await app_client.post("/api/v1/me/totp/disable", json={"code": recovery[3]}, headers=headers)
    assert off.status_code == 204
    assert (await app_client.get("/api/v1/me", headers=headers)).json()["totp_enabled"] is False
    app_client.cookies.clear()
    assert (await password_step(app_client, tenant)).json()["status"] == "signed_in"
    events = await app_client.get(
        "/api/v1/audit", params={"object_type": "user"}, headers={"x-tenant": tenant.slug}
    )
    assert {"totp.enabled", "totp.disabled"} <= {event["action"] for event in events.json()["items"]}


async def test_key_rotation_keeps_totp_working(
    app_client: AsyncTestClient,
    member: tuple[SignedUp, dict[str, str]],
    service_env: dict[str, str],  # type: ignore[type-arg]
    database_url: str,
) -> None:
    _, headers = member
    await enrol(app_client, headers)  # encrypted with the key derived from the secret key
    new_key = Fernet.generate_key().decode()
    env = {**service_env, "RAPPORT_ENCRYPTION_KEYS": json.dumps([new_key])}
    # Without the old key the stored seeds cannot be read: rotation refuses and changes nothing.
    refused = rotate(env, check=False)
    assert refused.returncode == 1
    assert "keep every key still in use" in refused.stderr
    # With the new key first and the old one (derived) still readable, seeds move to the new key.
    from rapport.kernel.keyring import _derived

    old_key = _derived(service_env["RAPPORT_SECRET_KEY"]).decode()
    env["RAPPORT_ENCRYPTION_KEYS"] = json.dumps([new_key, old_key])
    rotated = rotate(env)
    assert "re-encrypted" in rotated.stdout
    connection = await asyncpg.connect(database_url)
    try:
        stored = await connection.fetch("SELECT secret_encrypted FROM control.totp_credentials")
    finally:
        await connection.close()
    for row in stored:
        Fernet(new_key.encode()).decrypt(row["secret_encrypted"].encode())  # the new key alone reads them all
    # Back to the test settings' key, for the tests after this one.
    rotate({**env, "RAPPORT_ENCRYPTION_KEYS": json.dumps([old_key, new_key])})


def rotate(env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rapport", "keys", "rotate"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=check)
