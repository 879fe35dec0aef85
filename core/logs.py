"""Structured JSON logs, one object per line, with the request or job they belong to.

A request id (from X-Request-Id when it looks sane, else a new one) is bound for
the whole request and echoed in the response, so support can follow one
shopper's checkout across the web process and the workers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@contextmanager
def bind_log_context(**values: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set({**_context.get(), **values})
    try:
        yield
    finally:
        _context.reset(token)


def set_log_context(**values: Any) -> contextvars.Token[dict[str, Any]]:
    return _context.set({**_context.get(), **values})


def reset_log_context(token: contextvars.Token[dict[str, Any]]) -> None:
    _context.reset(token)


def request_id_from(header: str | None) -> str:
    """Trust an incoming id only if it is short and plain; otherwise make one."""
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "context", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


_base_factory = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Snapshot the context when the line is logged, not when a handler formats it."""
    record = _base_factory(*args, **kwargs)
    record.context = _context.get()
    return record


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the root logger; idempotent across app factories."""
    logging.setLogRecordFactory(_record_with_context)
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "cartpath", False):
            break
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.cartpath = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
