"""Numbered pages over a query, for the admin's lists (orders, webhooks, the audit log).

Limit/offset over an index that matches the ORDER BY (newest first); one row more than a
page is read to know whether a next page exists, so no COUNT over the shop's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request
from sqlalchemy import Select
from sqlalchemy.orm import Session

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number() -> int:
    """The ?page= of this request; a clear 400 when it is not a page number."""
    raw = request.args.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        abort(400, f"Page must be a whole number from 1 (got {raw[:20]!r}).")
    return int(raw)


def paginate(session: Session, query: Select, *, size: int = PAGE_SIZE) -> Page:
    """The requested page of `query`; 404 for a page past the end of the list."""
    number = page_number()
    rows = session.execute(query.limit(size + 1).offset((number - 1) * size)).all()
    if number > 1 and not rows:
        abort(404, f"There is no page {number}: the list ends before it.")
    rows = [row[0] if len(row) == 1 else row for row in rows]
    return Page(rows[:size], number, len(rows) > size)
