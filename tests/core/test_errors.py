"""One place maps domain and validation errors to RFC 9457 problem details, naming the fields."""

from __future__ import annotations

import msgspec
from litestar import Litestar, get, post
from litestar.exceptions import InternalServerException
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient
from rapport.kernel.errors import (
    ConflictError,
    FieldError,
    ValidationFailed,
    problem_details_plugin,
    unhandled_exception_handler,
)


class Thing(msgspec.Struct):
    name: str
    size: int


@post("/things")
async def create_thing(data: JSONBody[Thing]) -> Thing:
    if data.size < 0:
        raise ValidationFailed("size is negative", errors=[FieldError("size", "must be 0 or more")])
    if data.name == "taken":
        raise ConflictError("a thing with this name exists", field="name")
    return data


@get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals")


def make_client() -> AsyncTestClient:  # type: ignore[type-arg]
    app = Litestar(
        [create_thing, crash],
        plugins=[problem_details_plugin()],
        exception_handlers={Exception: unhandled_exception_handler},
    )
    return AsyncTestClient(app=app)


async def test_body_validation_names_the_field() -> None:
    async with make_client() as client:
        response = await client.post("/things", json={"name": "a", "size": "big"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/validation-error")
    assert body["errors"][0]["field"] == "size"


async def test_domain_validation_error() -> None:
    async with make_client() as client:
        response = await client.post("/things", json={"name": "a", "size": -1})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [{"field": "size", "message": "must be 0 or more"}]


async def test_conflict_error() -> None:
    async with make_client() as client:
        response = await client.post("/things", json={"name": "taken", "size": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/conflict")
    assert body["field"] == "name"


async def test_unexpected_error_hides_internals() -> None:
    async with make_client() as client:
        response = await client.get("/crash")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["type"].endswith("/internal-error")


@get("/crash-http")
async def crash_http() -> None:
    raise InternalServerException("password=hunter2 in the connection string")


async def test_a_server_error_from_the_framework_hides_its_text_too() -> None:
    async with AsyncTestClient(
        app=Litestar(
            [crash_http],
            plugins=[problem_details_plugin()],
            exception_handlers={Exception: unhandled_exception_handler},
        )
    ) as client:
        response = await client.get("/crash-http")
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert response.json()["type"].endswith("/internal-error")
