"""Domain errors, and the one place that maps errors to RFC 9457 problem-details responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

__all__ = [
    "ConflictError",
    "DomainError",
    "FieldError",
    "ForbiddenError",
    "NotFoundError",
    "ProblemDetailsPlugin",
    "TooManyRequests",
    "UnauthorizedError",
    "ValidationFailed",
    "problem_details_plugin",
    "unhandled_exception_handler",
]

PROBLEM_BASE = "https://rapport.dev/problems/"
log = structlog.get_logger(__name__)


class FieldError(Exception):
    """One invalid input field: ``field`` is a dotted path, ``message`` is for people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DomainError(Exception):
    """Raised by services; carries a stable problem ``type`` slug, a title and an HTTP status."""

    type_slug: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "The request could not be completed"
    status: ClassVar[int] = 400

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers
        self.extra = extra


class ValidationFailed(DomainError):
    type_slug = "validation-error"
    title = "The input is not valid"
    status = 422


class NotFoundError(DomainError):
    type_slug = "not-found"
    title = "Not found"
    status = 404


class ConflictError(DomainError):
    type_slug = "conflict"
    title = "Conflict"
    status = 409


class ForbiddenError(DomainError):
    type_slug = "forbidden"
    title = "Forbidden"
    status = 403


class UnauthorizedError(DomainError):
    type_slug = "unauthorized"
    title = "Authentication required"
    status = 401


class TooManyRequests(DomainError):
    type_slug = "rate-limited"
    title = "Too many requests"
    status = 429


def _domain_to_problem(exc: DomainError) -> ProblemDetailsException:
    extra: dict[str, Any] = dict(exc.extra)
    if exc.errors:
        extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return ProblemDetailsException(
        type_=PROBLEM_BASE + exc.type_slug,
        title=exc.title,
        status_code=exc.status,
        detail=exc.detail,
        extra=extra or None,
        headers=exc.headers,
    )


def _field_path(key: str | None) -> str:
    return key or "body"


def _validation_to_problem(exc: ValidationException) -> ProblemDetailsException:
    errors: list[dict[str, str]] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, Mapping):
                errors.append({"field": _field_path(item.get("key")), "message": str(item.get("message"))})
    return ProblemDetailsException(
        type_=PROBLEM_BASE + "validation-error",
        title="The input is not valid",
        status_code=422,
        detail=exc.detail or "Validation failed",
        extra={"errors": errors},
    )


def _http_to_problem(exc: HTTPException) -> ProblemDetailsException:
    if exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        # A framework 5xx carries its internal message (a missing dependency, a bad configuration): logged,
        # never answered.
        log.error("server_error", status=exc.status_code, detail=exc.detail)
        return ProblemDetailsException(
            type_=PROBLEM_BASE + "internal-error",
            title="Internal server error",
            status_code=exc.status_code,
            detail="An unexpected error occurred; it has been logged.",
            headers=exc.headers,
        )
    slug = "not-found" if isinstance(exc, NotFoundException) else f"http-{exc.status_code}"
    return ProblemDetailsException(
        type_=PROBLEM_BASE + slug,
        title=exc.detail,
        status_code=exc.status_code,
        detail=exc.detail,
        headers=exc.headers,
    )


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                DomainError: _domain_to_problem,
                ValidationException: _validation_to_problem,
                HTTPException: _http_to_problem,
            }
        )
    )


def unhandled_exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything unexpected: log it with the request id, answer a problem without internals."""
    log.exception("unhandled_error", path=request.url.path, exc_info=exc)
    return ProblemDetailsException(
        type_=PROBLEM_BASE + "internal-error",
        title="Internal server error",
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="An unexpected error occurred; it has been logged.",
    ).to_response(request)
