"""The tenancy control plane: tenant registry, domains, provisioning, schema routing, migrations."""
