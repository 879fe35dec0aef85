"""Prometheus text exposition for GET /metrics, without a client library.

Request counters live in each web process (Prometheus scrapes every process, as
with any multi-process server); job outcomes come from the queue backend, which
keeps them in Redis when there is one, so they add up across all workers.
Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Mapping[str, str]) -> str:
    inner = ",".join(f'{key}="{_escape(str(value))}"' for key, value in pairs.items())
    return "{" + inner + "}" if inner else ""


class Metrics:
    """In-process request counters and their latency sums."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str, str]] = Counter()
        self._seconds: Counter[tuple[str, str, str]] = Counter()

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, str(status))
        with self._lock:
            self._requests[key] += 1
            self._seconds[key] += seconds

    def render(
        self,
        *,
        job_outcomes: Mapping[tuple[str, str], int],
        queue_depth: Mapping[str, int],
        outbox_rows: Mapping[str, int],
    ) -> str:
        with self._lock:
            requests, seconds = dict(self._requests), dict(self._seconds)
        lines: list[str] = []
        _family(
            lines,
            "cartpath_http_requests_total",
            "counter",
            "HTTP requests by route and status",
            (({"route": r, "method": m, "status": s}, n) for (r, m, s), n in requests.items()),
        )
        _family(
            lines,
            "cartpath_http_request_seconds_sum",
            "counter",
            "Total seconds spent answering, by route and status",
            (
                ({"route": r, "method": m, "status": s}, round(v, 6))
                for (r, m, s), v in seconds.items()
            ),
        )
        _family(
            lines,
            "cartpath_job_outcomes_total",
            "counter",
            "Job attempts by job and outcome (succeeded, retried, failed)",
            (({"job": job, "outcome": outcome}, n) for (job, outcome), n in job_outcomes.items()),
        )
        _family(
            lines,
            "cartpath_queue_jobs",
            "gauge",
            "Jobs in the queue by state",
            (({"state": state}, n) for state, n in queue_depth.items()),
        )
        _family(
            lines,
            "cartpath_outbox_rows",
            "gauge",
            "Outbox rows by status",
            (({"status": status}, n) for status, n in outbox_rows.items()),
        )
        return "\n".join(lines) + "\n"


def _family(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: Iterable[tuple[Mapping[str, str], float]],
) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in sorted(samples, key=lambda sample: sorted(sample[0].items())):
        lines.append(f"{name}{_labels(labels)} {value}")
