"""Jobs used by the tests of core/jobs and core/outbox.

They record what happened as AuditLog rows, a real table every process sees, so a
test can count attempts and effects made by a worker in another process.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import func, select

from core.jobs import RetryPolicy, job
from core.models import AuditLog
from core.services import services

FAST_RETRY = RetryPolicy(max_attempts=3, backoff=(0.2, 0.2))


def _record(action: str, marker: str) -> None:
    with services().database.session() as session:
        session.add(
            AuditLog(actor="test", action=action, target=marker, details={"pid": os.getpid()})
        )
        session.commit()


def count(action: str, marker: str) -> int:
    with services().database.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == action, AuditLog.target == marker)
            )
            or 0
        )


def pid_of_attempt(marker: str) -> int | None:
    with services().database.session() as session:
        row = session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "attempt", AuditLog.target == marker)
            .order_by(AuditLog.id.desc())
        ).first()
        return row.details["pid"] if row else None


def _apply_effect_once(marker: str) -> None:
    """The idempotent effect: a second run finds it and does nothing."""
    if count("effect", marker) == 0:
        _record("effect", marker)


@job(retry=FAST_RETRY, timeout=30)
def flaky(marker: str, failures: int) -> str:
    """Fails its first `failures` attempts, then applies its effect."""
    _record("attempt", marker)
    if count("attempt", marker) <= failures:
        raise RuntimeError(f"planned failure {count('attempt', marker)} of {failures}")
    _apply_effect_once(marker)
    return "done"


@job(retry=RetryPolicy(max_attempts=3, backoff=(1, 1)), timeout=30)
def flaky_with_rq_backoff(marker: str, failures: int) -> str:
    """`flaky` with whole-second backoff, which RQ's scheduler needs."""
    return flaky(marker, failures)


@job(retry=FAST_RETRY, timeout=4)
def slow_effect(marker: str, seconds: float) -> None:
    """Records its pid, works for `seconds` (long enough to be killed), then the effect."""
    _record("attempt", marker)
    time.sleep(seconds)
    _apply_effect_once(marker)


def not_a_job() -> None:
    """Has no @job: enqueueing it must be refused."""
