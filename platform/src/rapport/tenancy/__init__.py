"""The platform side of tenancy: registers the ``rapport_tenants`` control plane as a module."""
