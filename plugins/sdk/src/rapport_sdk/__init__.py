"""The Rapport plugin contract. It imports nothing of the platform's; plugins depend on it alone."""

from rapport_sdk.manifest import Manifest

__all__ = ["Manifest"]
