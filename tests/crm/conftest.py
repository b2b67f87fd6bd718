"""CRM tests sign many people in: each test starts with fresh sign-in budgets, like the identity tests."""

from tests.identity.conftest import fresh_auth_limits  # noqa: F401 - an autouse fixture
