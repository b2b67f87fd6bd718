"""The ``system`` module: platform status and the worker heartbeat."""
