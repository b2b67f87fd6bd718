"""Demo CRM data (``make run``): 1,000 companies, 5,000 contacts, 800 deals in two pipelines, 3,000
activities and 1,000 notes (Faker).

Written with ``COPY`` in one tenant transaction, owned round-robin by the demo workspace's people, plus a
"Sales" team of the manager and the member so team row scope can be tried. Idempotent: a workspace that
has contacts already is left alone. Seed data is not announced as events (nothing reacts to a fixture).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
from typing import TYPE_CHECKING, Any

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
        await _deals(connection, pick, people, company_ids, now)
        await _activities_and_notes(connection, fake, pick, now)
        await _sales_team(connection)
        await connection.execute(
            "ANALYZE companies, contacts, deals, activities, notes"
        )  # list estimates right from the start
    return [
        f"demo CRM data: {COMPANIES} companies, {CONTACTS} contacts, {DEALS} deals in two pipelines, "
        f"{ACTIVITIES} activities and {NOTES} notes in '{tenant.slug}'"
    ]


PIPELINES = {
    "New business": [("Qualify", 10, "open"), ("Demo", 30, "open"), ("Proposal", 60, "open"),
                     ("Negotiation", 80, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")],
    "Renewals": [("Upcoming", 50, "open"), ("In talks", 75, "open"), ("Renewed", 100, "won"),
                 ("Churned", 0, "lost")],
}  # fmt: skip
DEALS = 800


async def _deals(
    connection: Any, pick: random.Random, people: list[Any], companies: list[int], now: Any
) -> None:
    """Two pipelines and 800 deals spread over their stages (COPY)."""
    stages: list[tuple[int, int, int]] = []
    for position, (name, steps) in enumerate(PIPELINES.items()):
        pipeline_id = await connection.fetchval(
            "INSERT INTO pipelines (name, position, created_at) VALUES ($1, $2, now()) RETURNING id",
            name,
            position,
        )
        await connection.executemany(
            "INSERT INTO stages (pipeline, name, position, probability, kind) VALUES ($1, $2, $3, $4, $5)",
            [
                (pipeline_id, stage, index, probability, kind)
                for index, (stage, probability, kind) in enumerate(steps)
            ],
        )
        rows = await connection.fetch(
            "SELECT id, probability FROM stages WHERE pipeline = $1 ORDER BY position", pipeline_id
        )
        stages += [(pipeline_id, row["id"], row["probability"]) for row in rows]
    deals = []
    for index in range(DEALS):
        pipeline_id, stage_id, probability = pick.choice(stages)
        amount = round(pick.uniform(500, 250_000), 2)
        close = now.date() + dt.timedelta(days=pick.randint(-60, 180))
        kind = pick.choice(["Expansion", "New seats", "Pilot", "Renewal", "Upgrade"])
        deals.append((f"{kind} #{index + 1}",
                      pipeline_id, stage_id, decimal.Decimal(str(amount)), "USD", close, probability,
                      pick.choice(companies), people[index % len(people)], now, now, now))  # fmt: skip
    await connection.copy_records_to_table(
        "deals",
        records=deals,
        columns=["name", "pipeline", "stage", "amount", "currency", "expected_close", "probability",
                 "company", "owner_id", "stage_changed_at", "created_at", "updated_at"],
    )  # fmt: skip


ACTIVITIES = 3_000
NOTES = 1_000
_SUBJECTS = {
    "call": ["Discovery call", "Follow-up call", "Check in on rollout", "Pricing questions"],
    "meeting": ["Demo", "Quarterly review", "Onsite workshop", "Kickoff"],
    "email": ["Sent proposal", "Shared case study", "Intro to solutions engineer"],
    "task": ["Send contract", "Prepare quote", "Update forecast", "Book next meeting"],
}


async def _activities_and_notes(connection: Any, fake: Faker, pick: random.Random, now: Any) -> None:
    """Activities (some done, some due soon) and notes on contacts, each owned by the contact's owner."""
    contacts = [
        (row["id"], row["owner_id"]) for row in await connection.fetch("SELECT id, owner_id FROM contacts")
    ]
    activities = []
    for _ in range(ACTIVITIES):
        contact_id, owner = pick.choice(contacts)
        kind = pick.choice(list(_SUBJECTS))
        due = now + dt.timedelta(hours=pick.randint(-24 * 30, 24 * 30))
        done = due < now and pick.random() < 0.8
        created = now - dt.timedelta(minutes=pick.randint(0, 60 * 24 * 60))
        activities.append((kind, pick.choice(_SUBJECTS[kind]), "", due, done, due if done else None,
                           "contact", contact_id, owner, created, created))  # fmt: skip
    await connection.copy_records_to_table(
        "activities",
        records=activities,
        columns=["kind", "subject", "details", "due_at", "done", "done_at", "record_type", "record_id",
                 "owner_id", "created_at", "updated_at"],
    )  # fmt: skip
    notes = []
    for _ in range(NOTES):
        contact_id, owner = pick.choice(contacts)
        created = now - dt.timedelta(minutes=pick.randint(0, 60 * 24 * 60))
        notes.append(
            (f"<p>{fake.paragraph(nb_sentences=3)}</p>", "contact", contact_id, owner, created, created)
        )
    await connection.copy_records_to_table(
        "notes",
        records=notes,
        columns=["body", "record_type", "record_id", "owner_id", "created_at", "updated_at"],
    )


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
