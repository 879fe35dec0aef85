"""Measure a candidate against a baseline in the same process, interleaved."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    name: str
    baseline_per_second: float
    candidate_per_second: float
    candidate_p99_ms: float
    goal: float | None = None

    @property
    def ratio(self) -> float:
        """Candidate throughput as a fraction of the baseline's."""
        return self.candidate_per_second / self.baseline_per_second

    def line(self) -> str:
        verdict = ""
        if self.goal is not None:
            verdict = f"  goal >= {self.goal:.2f}: {'met' if self.ratio >= self.goal else 'MISSED'}"
        return (
            f"{self.name}: {self.ratio:.2f}x baseline "
            f"({self.candidate_per_second:,.0f}/s vs {self.baseline_per_second:,.0f}/s, "
            f"p99 {self.candidate_p99_ms:.2f} ms){verdict}"
        )


def _timings(operation: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - started)
    return samples


def _alternating(
    baseline: Callable[[], object], candidate: Callable[[], object], rounds: int, per_round: int
) -> tuple[list[float], list[float]]:
    base: list[float] = []
    cand: list[float] = []
    for _ in range(rounds):
        base += _timings(baseline, per_round)
        cand += _timings(candidate, per_round)
    return base, cand


def compare(
    name: str,
    baseline: Callable[[], object],
    candidate: Callable[[], object],
    *,
    rounds: int = 5,
    per_round: int = 200,
    goal: float | None = None,
) -> Comparison:
    """Alternate rounds of baseline and candidate so drift on the machine hits both."""
    base, cand = _alternating(baseline, candidate, rounds, per_round)
    p99 = statistics.quantiles(cand, n=100)[98] * 1000
    return Comparison(name, len(base) / sum(base), len(cand) / sum(cand), p99, goal)


@dataclass(frozen=True)
class LatencyComparison:
    """One page's p95 latency against the same page in a baseline setting (e.g. a small
    database), with an absolute budget for the candidate."""

    name: str
    baseline_p95_ms: float
    candidate_p95_ms: float
    budget_ms: float | None = None

    @property
    def ratio(self) -> float:
        """Candidate p95 as a multiple of the baseline's."""
        return self.candidate_p95_ms / self.baseline_p95_ms

    def line(self) -> str:
        verdict = ""
        if self.budget_ms is not None:
            met = self.candidate_p95_ms < self.budget_ms
            verdict = f"  goal p95 < {self.budget_ms:.0f} ms: {'met' if met else 'MISSED'}"
        return (
            f"{self.name}: {self.ratio:.2f}x baseline "
            f"(p95 {self.candidate_p95_ms:.1f} ms vs {self.baseline_p95_ms:.1f} ms){verdict}"
        )


def compare_latency(
    name: str,
    baseline: Callable[[], object],
    candidate: Callable[[], object],
    *,
    rounds: int = 5,
    per_round: int = 40,
    budget_ms: float | None = None,
) -> LatencyComparison:
    """p95 of each, measured in alternating rounds like `compare`."""
    base, cand = _alternating(baseline, candidate, rounds, per_round)

    def p95(samples: list[float]) -> float:
        return statistics.quantiles(samples, n=20)[18] * 1000

    return LatencyComparison(name, p95(base), p95(cand), budget_ms)
