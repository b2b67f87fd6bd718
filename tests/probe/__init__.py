"""A test-only module: one permission-checked object type with its routes, built on the access layer.

The CRM's object types (contacts, deals, …) will register the same way; until they land, this module is
what the permission matrix runs against. Its table is created in a tenant by :func:`create_probe_table`.
"""
