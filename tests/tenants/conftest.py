"""Tenancy tests share the fixtures of ``tests/conftest.py``; the factories live in ``tests/factories.py``."""

from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp, sign_up, unique_slug

__all__ = ["PASSWORD", "SHARED_EMAIL", "SignedUp", "sign_up", "unique_slug"]
