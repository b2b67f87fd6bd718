"""Rapport: the core platform (kernel, identity, modules, app factory)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
