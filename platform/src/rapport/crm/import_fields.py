"""What an import can fill, per object type: the fields, how a file's column name suggests one, and how a
cell (always text in a file) becomes a checked value — with the same rules and messages as the API.

Standard fields are columns of the staging table; custom fields (``custom.<key>``) are gathered into one
JSON object per row. Checks that need the database (owners, users, related records, unique values) are
left to set-based SQL after staging (see ``imports``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapport.crm import custom_fields
from rapport.crm.services import DOMAIN, EMAIL, LEAD_STATUSES, PHONE

__all__ = [
    "IMPORTABLE",
    "ImportField",
    "RowChecker",
    "import_fields",
    "suggest_mapping",
]

IMPORTABLE = ("contact", "company", "lead")
MAX_CELL = 10_000


@dataclass(frozen=True, slots=True)
class ImportField:
    name: str
    """``first_name``… or ``custom.<key>``."""
    label: str
    column: str | None
    """The staging column it fills (None: custom fields, gathered into ``custom``)."""
    check: Callable[[str], Any]
    """Cell text (stripped, not empty) → value, or ValueError with what is expected."""
    synonyms: tuple[str, ...] = ()
    custom: Mapping[str, Any] | None = None
    """A custom field's definition."""


def _text(limit: int) -> Callable[[str], Any]:
    def check(cell: str) -> Any:
        if len(cell) > limit:
            raise ValueError(f"at most {limit} characters")
        return cell

    return check


def _pattern(what: str, pattern: re.Pattern[str], *, lower: bool = False) -> Callable[[str], Any]:
    def check(cell: str) -> Any:
        if len(cell) > 320 or not pattern.match(cell):
            raise ValueError(f"not a valid {what}")
        return cell.lower() if lower else cell

    return check


def _domain(cell: str) -> Any:
    value = cell.lower().removeprefix("http://").removeprefix("https://").removeprefix("www.").rstrip("/")
    if not DOMAIN.match(value):
        raise ValueError("not a domain name (example.com)")
    return value


def _status(cell: str) -> Any:
    value = cell.lower()
    if value not in LEAD_STATUSES:
        raise ValueError(f"one of: {', '.join(LEAD_STATUSES)}")
    return value


def _owner(cell: str) -> Any:
    if not EMAIL.match(cell):
        raise ValueError("the email address of a member")
    return cell.lower()


_NAMES = (
    ImportField(
        "first_name", "First name", "first_name", _text(100), ("firstname", "givenname", "forename", "first")
    ),
    ImportField(
        "last_name", "Last name", "last_name", _text(100), ("lastname", "surname", "familyname", "last")
    ),
    ImportField(
        "full_name",
        "Full name (split into first and last)",
        "full_name",
        _text(201),
        ("name", "fullname", "contactname", "contact", "person"),
    ),
)
_OWNER = ImportField(
    "owner",
    "Owner (a member's email)",
    "owner_ref",
    _owner,
    ("owner", "owneremail", "assignedto", "salesrep", "accountowner"),
)
_EMAIL = ImportField(
    "email",
    "Email",
    "email",
    _pattern("email address", EMAIL, lower=True),
    ("email", "emailaddress", "mail", "e-mail", "workemail"),
)
_PHONE = ImportField(
    "phone",
    "Phone",
    "phone",
    _pattern("phone number", PHONE),
    ("phone", "phonenumber", "telephone", "tel", "mobile", "cell", "workphone"),
)
_TITLE = ImportField("title", "Job title", "title", _text(150), ("title", "jobtitle", "position", "role"))

STANDARD: dict[str, tuple[ImportField, ...]] = {
    "contact": (
        *_NAMES,
        _EMAIL,
        _PHONE,
        _TITLE,
        ImportField(
            "company",
            "Company (by name; created when new)",
            "company_name",
            _text(200),
            ("company", "companyname", "organization", "organisation", "account", "employer"),
        ),
        _OWNER,
    ),
    "company": (
        ImportField(
            "name",
            "Name",
            "name",
            _text(200),
            ("name", "company", "companyname", "organization", "organisation", "account"),
        ),
        ImportField("domain", "Domain", "domain", _domain, ("domain", "website", "web", "url", "site")),
        ImportField("industry", "Industry", "industry", _text(100), ("industry", "sector", "vertical")),
        _OWNER,
    ),
    "lead": (
        *_NAMES,
        _EMAIL,
        _PHONE,
        _TITLE,
        ImportField(
            "company_name",
            "Company name",
            "company_name",
            _text(200),
            ("company", "companyname", "organization", "organisation", "account", "employer"),
        ),
        ImportField("source", "Source", "source", _text(50), ("source", "leadsource", "channel", "origin")),
        ImportField("status", "Status", "status", _status, ("status", "leadstatus", "stage")),
        _OWNER,
    ),
}


def _number(cell: str) -> float | int:
    cleaned = re.sub(r"[\s,$€£¥]", "", cell)
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError("a number") from None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


_TRUE = {"true", "yes", "y", "1", "x", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _boolean(cell: str, options: Sequence[Any]) -> Any:
    lowered = cell.lower()
    if lowered not in _TRUE | _FALSE:
        raise ValueError("true or false (yes/no, 1/0)")
    return lowered in _TRUE


def _relation(cell: str, options: Sequence[Any]) -> Any:
    if not cell.isdigit():
        raise ValueError(f"the id of a {options[0]}")
    return int(cell)


def _member(cell: str, options: Sequence[Any]) -> Any:
    if not EMAIL.match(cell):
        raise ValueError("the email address of a member")
    return cell.lower()


def _day(cell: str, options: Sequence[Any]) -> Any:
    return dt.datetime.fromisoformat(cell).date().isoformat() if "T" in cell else cell


_COERCE: dict[str, Callable[[str, Sequence[Any]], Any]] = {
    "number": lambda cell, _: _number(cell),
    "currency": lambda cell, _: _number(cell),
    "boolean": _boolean,
    "multi_select": lambda cell, _: [part.strip() for part in re.split(r"[;,]", cell) if part.strip()],
    "relation": _relation,
    "user": _member,
    "date": _day,
}
"""Cell text → the JSON value a custom field's check takes (other types take the text itself)."""


def _custom_check(definition: Mapping[str, Any]) -> Callable[[str], Any]:
    field_type, options = definition["type"], definition["options"]
    coerce = _COERCE.get(field_type)

    def check(cell: str) -> Any:
        value = coerce(cell, options) if coerce is not None else cell
        if field_type == "user":
            return value  # resolved to the member's id with the member list
        try:
            return custom_fields.check_value(definition, value)
        except (TypeError, ValueError) as exc:
            if field_type == "date":
                raise ValueError("a date as YYYY-MM-DD") from None
            raise ValueError(str(exc)) from None

    return check


def import_fields(object_type: str, definitions: Sequence[Mapping[str, Any]]) -> dict[str, ImportField]:
    """The fields an import of ``object_type`` may fill, by name (standard ones, then custom ones)."""
    fields = {field.name: field for field in STANDARD[object_type]}
    for definition in definitions:
        name = f"custom.{definition['key']}"
        fields[name] = ImportField(
            name,
            str(definition["label"]),
            None,
            _custom_check(definition),
            (definition["key"].replace("_", ""),),
            definition,
        )
    return fields


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def suggest_mapping(headers: Sequence[str], fields: Mapping[str, ImportField]) -> dict[str, str | None]:
    """Each column's likely field (names, labels, synonyms, then close spellings); each field once."""
    known: dict[str, str] = {}
    for field in fields.values():
        for word in (field.name, field.label, *field.synonyms):
            known.setdefault(_normal(word), field.name)
    taken: set[str] = set()
    suggested: dict[str, str | None] = {}
    for header in headers:
        normal = _normal(header)
        choice = known.get(normal)
        if choice is None:
            close = difflib.get_close_matches(normal, list(known), n=1, cutoff=0.85)
            choice = known[close[0]] if close else None
        if choice in taken or (choice == "full_name" and {"first_name", "last_name"} & taken):
            choice = None
        suggested[header] = choice
        if choice is not None:
            taken.add(choice)
    if "full_name" in taken and {"first_name", "last_name"} & taken:
        suggested = {h: (None if f == "full_name" else f) for h, f in suggested.items()}
    return suggested


class RowChecker:
    """Turns a file row into the staging row and its errors, for one mapping."""

    def __init__(
        self,
        headers: Sequence[str],
        mapping: Mapping[str, str],
        fields: Mapping[str, ImportField],
        columns: Sequence[str],
    ) -> None:
        self.width = len(headers)
        self.headers = list(headers)
        index = {header: position for position, header in enumerate(headers)}
        self.targets = [(index[header], header, fields[name]) for header, name in mapping.items()]
        self.columns = list(columns)
        self.slot = {column: position for position, column in enumerate(columns)}

    def check(self, cells: list[str]) -> tuple[list[Any], list[dict[str, Any]]]:
        """The staging values (in ``columns`` order, ``custom`` as a dict) and the row's errors."""
        errors: list[dict[str, Any]] = []
        if len(cells) != self.width:
            message = f"has {len(cells)} cells where the header has {self.width}"
            errors.append({"column": None, "field": None, "message": message})
        values: list[Any] = [None] * len(self.columns)
        custom: dict[str, Any] = {}
        for position, header, field in self.targets:
            cell = cells[position].strip() if position < len(cells) else ""
            if not cell:
                continue
            if len(cell) > MAX_CELL:
                errors.append(
                    {"column": header, "field": field.name, "message": "longer than 10,000 characters"}
                )
                continue
            try:
                value = field.check(cell)
            except ValueError as exc:
                errors.append({"column": header, "field": field.name, "message": str(exc)})
                continue
            if field.column is None:
                assert field.custom is not None
                custom[field.custom["key"]] = value
            else:
                values[self.slot[field.column]] = value
        if "custom" in self.slot:
            values[self.slot["custom"]] = custom
        return values, errors
