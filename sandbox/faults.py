"""Fault injection for every sandbox path, as WSGI middleware.

A test arms rules through the control API; each rule matches a method and a path
pattern and fires for the next `count` matching requests or with probability `p`.
Kinds:
- "status": answer `status` (500, 503, 429 with Retry-After) without doing the work;
- "slow": wait `seconds` of real time, then do the work and answer normally;
- "timeout": hold the connection `seconds` without doing the work, then close it;
- "drop": do the work (it commits on the platform), then close the connection
  without an answer: the dangerous case where the client cannot know it succeeded.
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("status", "slow", "timeout", "drop")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Renders an injected status as the platform's own error body, so client libraries
# classify it as they would a real one (stripe-python needs {"error": {...}}).
ErrorBody = Callable[[int], dict[str, Any]]


def default_error_body(status: int) -> dict[str, Any]:
    return {"errors": f"injected fault: HTTP {status}"}


class FaultRuleError(ValueError):
    """A fault rule sent to the control API does not make sense."""


@dataclass
class FaultRule:
    kind: str
    path: str = ".*"
    method: str = "*"
    count: int | None = 1
    probability: float = 1.0
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0
    fired: int = 0
    id: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}")
        if self.count is not None and self.count < 1:
            raise FaultRuleError("count must be a positive number, or null for no limit")
        if not 0 < self.probability <= 1:
            raise FaultRuleError("probability must be in (0, 1]")
        if not 100 <= self.status <= 599:
            raise FaultRuleError("status must be an HTTP status code")
        try:
            self._pattern = re.compile(self.path)
        except re.error as error:
            raise FaultRuleError(f"path is not a regular expression: {error}") from None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {
            "kind",
            "path",
            "method",
            "count",
            "probability",
            "status",
            "retry_after",
            "seconds",
        }
        unknown = set(data) - allowed
        if unknown:
            raise FaultRuleError(f"unknown fields: {', '.join(sorted(unknown))}")
        try:
            return cls(**data)
        except TypeError as error:
            raise FaultRuleError(str(error)) from None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and bool(self._pattern.search(path))

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class FaultInjector:
    """Holds the armed rules and wraps a WSGI app to apply them."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._random = random.Random(seed)  # noqa: S311 - chaos, not security
        self._error_bodies: list[tuple[re.Pattern[str], ErrorBody]] = []

    def set_error_body(self, path_pattern: str, render: ErrorBody) -> None:
        """Shape injected errors on paths matching `path_pattern` like that platform's.

        The last registered pattern that matches wins, so a specific path (an API's
        GraphQL endpoint) can be registered after the general one (the whole API).
        """
        self._error_bodies.append((re.compile(path_pattern), render))

    def error_body(self, path: str, status: int) -> bytes:
        render = next(
            (render for pattern, render in reversed(self._error_bodies) if pattern.search(path)),
            default_error_body,
        )
        return json.dumps(render(status)).encode()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (consumes one of its count)."""
        if path.startswith("/_control/"):
            return None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                return rule
        return None

    def wrap(self, app: WSGIApp) -> WSGIApp:
        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]):
            rule = self.pick(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"))
            if rule is None:
                return app(environ, start_response)
            if rule.kind == "status":
                body = self.error_body(environ.get("PATH_INFO", "/"), rule.status)
                return _answer_status(rule, body, start_response)
            return _apply(rule, app, environ, start_response)

        return middleware


def _answer_status(rule: FaultRule, body: bytes, start_response: Callable[..., Any]):
    headers = [("Content-Type", "application/json")]
    if rule.retry_after is not None:
        headers.append(("Retry-After", f"{rule.retry_after:g}"))
    start_response(f"{rule.status} Injected", headers)
    return [body]


def _apply(rule: FaultRule, app: WSGIApp, environ: dict[str, Any], start_response):
    if rule.kind == "slow":
        time.sleep(rule.seconds)
        return app(environ, start_response)
    if rule.kind == "timeout":
        time.sleep(rule.seconds)
        return _hang_up(environ, start_response)
    # drop: perform the request completely, then hang up without answering.
    result = app(environ, lambda *args, **kwargs: lambda data: None)
    try:
        for _chunk in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return _hang_up(environ, start_response)


def _hang_up(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Shut the client's socket so it sees the connection end with no answer.

    werkzeug exposes the request's socket; writing the (never delivered) status
    afterwards fails with a broken pipe, which werkzeug treats as a dropped client.
    """
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("dropping a response needs the werkzeug server (werkzeug.socket)")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    start_response("502 Dropped By Sandbox", [("Content-Length", "0")])
    return [b""]
