"""Webhooks end to end: signed per Standard Webhooks, retried, logged, redelivered, disabled with a notice,
SSRF-guarded, owners' and admins' only, and per tenant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.events.conftest import Processes, wait_until
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import sign_in
from tests.webhooks.conftest import Receiver


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The documented check, written independently of the product's code (standardwebhooks.com)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, signature.split(",", 1)[1])
        for signature in headers["webhook-signature"].split(" ")
        if signature.startswith("v1,")
    )


async def _owner(client: AsyncTestClient) -> tuple[SignedUp, dict[str, str]]:  # type: ignore[type-arg]
    tenant = await sign_up(client)
    return tenant, await sign_in(client, tenant.slug, f"admin@{tenant.slug}.example")


async def _endpoint(
    client: AsyncTestClient, headers: dict[str, str], url: str, types: list[str]
) -> dict[str, Any]:  # type: ignore[type-arg]
    response = await client.post("/api/v1/webhooks", json={"url": url, "event_types": types}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_signed_deliveries_retry_until_received_and_log_every_attempt(
    hook_client: AsyncTestClient,
    hook_processes: Processes,
    receiver: Receiver,  # type: ignore[type-arg]
) -> None:
    receiver.fail_first = 3
    tenant, headers = await _owner(hook_client)
    created = await _endpoint(hook_client, headers, receiver.url, ["contact.*"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    endpoint_id = created["webhook"]["id"]
    contact = (
        await hook_client.post("/api/v1/contacts", json={"last_name": "Hooked"}, headers=headers)
    ).json()
    await hook_client.post("/api/v1/companies", json={"name": "Not subscribed"}, headers=headers)

    async def delivered() -> bool:
        return len(receiver.requests) >= 4

    await wait_until(delivered, "four attempts at the receiver", hook_processes)
    ids = {request["headers"]["webhook-id"] for request in receiver.requests}
    assert len(ids) == 1  # the same message id on every attempt: receivers dedupe by it
    for request in receiver.requests:
        assert verify(secret, request["headers"], request["body"])
    body = json.loads(receiver.requests[-1]["body"])
    assert (body["type"], body["data"]["record_type"], body["data"]["record_id"]) == (
        "contact.created",
        "contact",
        str(contact["id"]),
    )
    assert body["data"]["changes"]["last_name"] == [None, "Hooked"]
    tampered = dict(receiver.requests[-1]["headers"])
    assert not verify(secret, tampered, receiver.requests[-1]["body"] + b" ")

    async def logged() -> list[Any]:
        page = (await hook_client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=headers)).json()
        return [item for item in page["items"] if item["status"] == "succeeded"]

    await wait_until(logged, "the delivery to be logged as succeeded", hook_processes)
    (delivery,) = (
        await hook_client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=headers)
    ).json()["items"]
    assert (delivery["event_name"], delivery["attempts"], delivery["last_status_code"]) == (
        "contact.created",
        4,
        200,
    )
    attempts = (
        await hook_client.get(
            f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery['id']}/attempts", headers=headers
        )
    ).json()
    assert [(a["number"], a["status_code"]) for a in attempts] == [(1, 500), (2, 500), (3, 500), (4, 200)]
    assert all(a["response_ms"] is not None for a in attempts)
    # Redelivery sends it once more, same id, signed again.
    redone = await hook_client.post(
        f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery['id']}/redeliver", headers=headers
    )
    assert redone.status_code == 202

    async def again() -> bool:
        return len(receiver.requests) >= 5

    await wait_until(again, "the redelivery", hook_processes)
    assert receiver.requests[-1]["headers"]["webhook-id"] == receiver.requests[0]["headers"]["webhook-id"]
    # A rotated secret signs from then on; the old one no longer verifies.
    new_secret = (
        await hook_client.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret", headers=headers)
    ).json()["secret"]
    await hook_client.post(f"/api/v1/webhooks/{endpoint_id}/test", headers=headers)

    async def tested() -> bool:
        return any(json.loads(r["body"])["type"] == "webhook.test" for r in receiver.requests)

    await wait_until(tested, "the test delivery", hook_processes)
    test_request = next(r for r in receiver.requests if json.loads(r["body"])["type"] == "webhook.test")
    assert verify(new_secret, test_request["headers"], test_request["body"])
    assert not verify(secret, test_request["headers"], test_request["body"])
    assert tenant


async def test_an_endpoint_that_keeps_failing_is_disabled_and_admins_are_told(
    hook_client: AsyncTestClient,
    hook_processes: Processes,
    receiver: Receiver,
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    receiver.always_fail = True
    tenant, headers = await _owner(hook_client)
    endpoint_id = (await _endpoint(hook_client, headers, receiver.url, ["*"]))["webhook"]["id"]
    await hook_client.post("/api/v1/contacts", json={"last_name": "Doomed"}, headers=headers)
    owner_email = f"admin@{tenant.slug}.example"

    async def disabled() -> bool:
        endpoints = (await hook_client.get("/api/v1/webhooks", headers=headers)).json()
        return not endpoints[0]["active"]

    await wait_until(disabled, "the endpoint to be disabled", hook_processes)
    (endpoint,) = (await hook_client.get("/api/v1/webhooks", headers=headers)).json()
    assert endpoint["disabled_reason"] == "disabled after 4 failed deliveries in a row"

    async def told() -> bool:
        return any("was disabled" in str(message["Subject"]) for message in mail_sink.to(owner_email))

    await wait_until(told, "the notice to the owner", hook_processes)
    audit = (
        await hook_client.get("/api/v1/audit", params={"action": "webhook.disabled"}, headers=headers)
    ).json()
    assert [event["object_id"] for event in audit["items"]] == [str(endpoint_id)]
    turned_on = await hook_client.patch(
        f"/api/v1/webhooks/{endpoint_id}", json={"active": True}, headers=headers
    )
    assert (
        turned_on.json()["active"],
        turned_on.json()["failure_streak"],
        turned_on.json()["disabled_reason"],
    ) == (True, 0, None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/hook", "private or reserved"),
        ("http://169.254.169.254/latest/meta-data", "private or reserved"),
        ("http://[::1]:8080/hook", "private or reserved"),
        ("http://localhost/hook", "private or reserved"),
        ("http://127.0.0.1/hook", "private or reserved"),
        ("ftp://example.com/hook", "http(s) URL"),
        ("http://user:pw@example.com/hook", "credentials"),
    ],
)
async def test_private_and_odd_targets_are_refused(
    app_client: AsyncTestClient, url: str, reason: str
) -> None:  # type: ignore[type-arg]
    _, headers = await _owner(app_client)
    refused = await app_client.post(
        "/api/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "url"
    assert reason in refused.json()["errors"][0]["message"]


async def test_webhooks_are_for_admins_and_stay_in_their_tenant(
    hook_client: AsyncTestClient,
    receiver: Receiver,
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    tenant, headers = await _owner(hook_client)
    endpoint_id = (await _endpoint(hook_client, headers, receiver.url, ["*"]))["webhook"]["id"]
    listed = (await hook_client.get("/api/v1/webhooks", headers=headers)).json()
    assert "secret" not in json.dumps(listed)
    await invite_member(hook_client, mail_sink, headers, f"rep@{tenant.slug}.example", "manager")
    manager = await sign_in(hook_client, tenant.slug, f"rep@{tenant.slug}.example")
    assert (await hook_client.get("/api/v1/webhooks", headers=manager)).status_code == 403
    other, theirs = await _owner(hook_client)
    assert other.slug != tenant.slug
    assert (await hook_client.get("/api/v1/webhooks", headers=theirs)).json() == []
    for method, path in (
        ("PATCH", f"/api/v1/webhooks/{endpoint_id}"),
        ("DELETE", f"/api/v1/webhooks/{endpoint_id}"),
        ("POST", f"/api/v1/webhooks/{endpoint_id}/rotate-secret"),
        ("POST", f"/api/v1/webhooks/{endpoint_id}/test"),
        ("GET", f"/api/v1/webhooks/{endpoint_id}/deliveries"),
        ("POST", f"/api/v1/webhooks/{endpoint_id}/deliveries/1/redeliver"),
        ("GET", f"/api/v1/webhooks/{endpoint_id}/deliveries/1/attempts"),
    ):
        kwargs: dict[str, Any] = {"json": {"active": False}} if method == "PATCH" else {}
        response = await hook_client.request(method, path, headers=theirs, **kwargs)
        assert response.status_code == 404, (method, path)
