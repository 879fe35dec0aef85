"""A test's handle on the running sandbox: its URL and its control API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class SandboxControl:
    url: str

    def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, f"{self.url}/_control{path}", json=json, timeout=70)
        response.raise_for_status()
        return response.json()

    def reset(self, seed: str | None = "demo") -> None:
        self._call("POST", "/reset")
        if seed:
            self._call("POST", "/seed", {"seed": seed})

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")

    def fault(self, **rule: Any) -> dict[str, Any]:
        """Arm a fault rule (see sandbox/faults.py for the fields)."""
        return self._call("POST", "/faults", rule)

    def count_requests(self, path: str) -> Callable[[], int]:
        """Count the requests whose path matches `path` from now on, with a fault rule that
        changes nothing; returns how to read the count. Arm other faults on the same path
        first: the first matching rule is the one that fires."""
        rule = self.fault(kind="slow", path=path, seconds=0.0, count=None)

        def seen() -> int:
            [counted] = [r for r in self._call("GET", "/faults")["faults"] if r["id"] == rule["id"]]
            return counted["fired"]

        return seen

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def clock(self, **change: float) -> dict[str, Any]:
        return self._call("POST", "/clock", change)

    def deliveries(self) -> list[dict[str, Any]]:
        return self._call("GET", "/deliveries")["deliveries"]

    def chaos(self, *, duplicate_probability: float = 0.0, reorder_window: float = 0.0) -> None:
        self._call(
            "POST",
            "/deliveries/chaos",
            {"duplicate_probability": duplicate_probability, "reorder_window": reorder_window},
        )

    def wait_for_deliveries(self, timeout: float = 10) -> None:
        self._call("POST", "/deliveries/wait", {"timeout": timeout})

    def call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        """An emulator's own control route, e.g. call("POST", "/shopify/apps", {...})."""
        return self._call(method, path, json)
