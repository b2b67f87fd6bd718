"""Replaying ``pg_dump``'s plain output under another schema name, in the caller's transaction.

Outside COPY data, statements are made transaction-local (``SET`` becomes ``SET LOCAL``) and the old schema
name (``t_`` + 32 hex digits, so a plain replace is safe there) becomes the new one; COPY blocks go through
asyncpg's ``copy_to_table`` untouched, into the new schema.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg

__all__ = ["DumpFormatError", "replay_dump"]

_IDENTIFIER = rb'(?:"(?:[^"]|"")+"|[^\s."(]+)'
_COPY_START = re.compile(
    rb"^COPY (?P<schema>" + _IDENTIFIER + rb")\.(?P<table>" + _IDENTIFIER + rb")"
    rb"\s*(?:\((?P<columns>.*)\) )?FROM stdin;$"
)
_COPY_END = b"\\."
_COLUMN = re.compile(r'"((?:[^"]|"")*)"|([^\s,]+)')
_SESSION_SET = re.compile(r"^SET (?!LOCAL\b|SESSION\b)")
_SESSION_CONFIG = re.compile(r"^(SELECT pg_catalog\.set_config\(.*), false\);$")


class DumpFormatError(ValueError):
    """The dump is not pg_dump's plain output of the expected schema."""


@dataclass(frozen=True, slots=True)
class _CopyBlock:
    """The rows of one ``COPY ... FROM stdin`` block, in COPY's text format, exactly as pg_dump wrote them."""

    table: str
    columns: list[str] | None
    data: bytes


def _unquote(identifier: str) -> str:
    if identifier.startswith('"') and identifier.endswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier


def _copy_columns(columns: bytes | None) -> list[str] | None:
    if columns is None:
        return None
    found = _COLUMN.findall(columns.decode())
    return [quoted.replace('""', '"') if quoted else plain for quoted, plain in found]


def _copy_block(start: re.Match[bytes], lines: Iterator[bytes], old_schema: str) -> _CopyBlock:
    if _unquote(start["schema"].decode()) != old_schema:
        raise DumpFormatError(f"the dump copies data into another schema than {old_schema}")
    rows: list[bytes] = []
    for line in lines:
        if line == _COPY_END:
            data = b"".join(row + b"\n" for row in rows)
            return _CopyBlock(_unquote(start["table"].decode()), _copy_columns(start["columns"]), data)
        rows.append(line)
    raise DumpFormatError(f"the dump ends inside the data of {start['table'].decode()}")


def _statement_line(line: str, old_schema: str, new_schema: str) -> str | None:
    """One line of SQL outside COPY data, made transaction-local and renamed; None to drop it."""
    if line.startswith(("--", "\\")):  # comments, and psql meta-commands such as \restrict
        return None
    line = _SESSION_SET.sub("SET LOCAL ", line)
    line = _SESSION_CONFIG.sub(r"\1, true);", line)
    return line.replace(old_schema, new_schema)


def _replay_steps(dump: bytes, old_schema: str, new_schema: str) -> Iterator[str | _CopyBlock]:
    """SQL chunks and COPY blocks, in dump order.

    Lines end at ``\\n`` only: COPY's text format escapes newlines and carriage returns but leaves
    characters that ``str.splitlines`` also breaks at (``\\x1c``, ``\\x85``, ``\\u2028``) as they are.
    """
    statements: list[str] = []
    lines = iter(dump.split(b"\n"))
    for raw in lines:
        start = _COPY_START.match(raw)
        if start is None:
            line = _statement_line(raw.decode(), old_schema, new_schema)
            if line is not None and line.strip():
                statements.append(line)
            continue
        if statements:
            yield "\n".join(statements)
            statements = []
        yield _copy_block(start, lines, old_schema)
    if statements:
        yield "\n".join(statements)


async def replay_dump(connection: asyncpg.Connection, dump: bytes, old_schema: str, new_schema: str) -> None:
    """Run ``dump`` (pg_dump plain format of ``old_schema``) so that it creates ``new_schema`` instead."""
    for step in _replay_steps(dump, old_schema, new_schema):
        if isinstance(step, str):
            await connection.execute(step)
        elif step.data:
            await connection.copy_to_table(
                step.table,
                schema_name=new_schema,
                columns=step.columns,
                source=io.BytesIO(step.data),
                format="text",
            )
