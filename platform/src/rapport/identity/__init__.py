"""Identity and access: global users, per-tenant memberships (login, SSO and roles build on these)."""
