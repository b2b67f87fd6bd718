"""Notification tests sign several people in: each test starts with fresh sign-in budgets."""

from tests.identity.conftest import fresh_auth_limits  # noqa: F401 - an autouse fixture
