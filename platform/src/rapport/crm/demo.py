"""Demo CRM data (``make run``): 1,000 companies and 5,000 contacts with realistic values (Faker).

Written with ``COPY`` in one tenant transaction, owned round-robin by the demo workspace's people, plus a
"Sales" team of the manager and the member so team row scope can be tried. Idempotent: a workspace that
has contacts already is left alone. Seed data is not announced as events (nothing reacts to a fixture).
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING

from faker import Faker
from rapport_tenants.context import tenant_transaction
from rapport_tenants.registry import tenant_by_slug

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["seed_crm"]

COMPANIES = 1_000
CONTACTS = 5_000
INDUSTRIES = [
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Education",
    "Media",
]


async def seed_crm(settings: Settings) -> list[str]:
    from rapport.tenancy.demo import DEMO_SLUG

    tenant = await tenant_by_slug(DEMO_SLUG)
    if tenant is None:
        return []
    fake = Faker()
    Faker.seed(4321)
    pick = random.Random(4321)  # noqa: S311 - demo data, not secrets
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM contacts)"):
            return [f"demo CRM data: present in '{tenant.slug}'"]
        people = [
            row["user_id"] for row in await connection.fetch("SELECT user_id FROM memberships ORDER BY id")
        ]
        now = await connection.fetchval("SELECT now()")
        companies = []
        for index in range(COMPANIES):
            name = fake.unique.company()
            domain = fake.unique.domain_name()
            companies.append((name, domain, pick.choice(INDUSTRIES), people[index % len(people)], now, now))
        await connection.copy_records_to_table(
            "companies",
            records=companies,
            columns=["name", "domain", "industry", "owner_id", "created_at", "updated_at"],
        )
        company_ids = [row["id"] for row in await connection.fetch("SELECT id FROM companies ORDER BY id")]
        contacts = []
        for index in range(CONTACTS):
            first, last = fake.first_name(), fake.last_name()
            email = f"{first}.{last}{index}@{fake.free_email_domain()}".lower()
            phone = fake.numerify("+1 ###-###-####")
            contacts.append((
                first, last, email,
                json.dumps([{"value": email, "label": "work", "primary": True}]),
                json.dumps([{"value": phone, "label": "work", "primary": True}]),
                fake.job()[:150], pick.choice(company_ids), people[index % len(people)], now, now,
            ))  # fmt: skip
        await connection.copy_records_to_table(
            "contacts",
            records=contacts,
            columns=["first_name", "last_name", "email", "emails", "phones", "title", "company", "owner_id",
                     "created_at", "updated_at"],
        )  # fmt: skip
        await _sales_team(connection)
        await connection.execute("ANALYZE companies, contacts")  # list estimates right from the start
    return [f"demo CRM data: {COMPANIES} companies and {CONTACTS} contacts in '{tenant.slug}'"]


async def _sales_team(connection: object) -> None:
    """A "Sales" team of the demo manager and member (team row scope)."""
    from rapport.identity.tables import Role
    from rapport.tenancy.demo import demo_email

    team_id = await connection.fetchval(  # type: ignore[attr-defined]
        "INSERT INTO teams (name, created_at) VALUES ('Sales', now()) ON CONFLICT (name) DO UPDATE "
        "SET name = excluded.name RETURNING id"
    )
    await connection.execute(  # type: ignore[attr-defined]
        "INSERT INTO team_members (team, user_id) SELECT $1, u.id FROM control.users u "
        "WHERE u.email = ANY($2::text[]) ON CONFLICT DO NOTHING",
        team_id,
        [demo_email(Role.MANAGER), demo_email(Role.MEMBER)],
    )
