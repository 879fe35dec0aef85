"""Durable jobs: an Outbox row written with the change, a queue job sent after commit.

The row is the guarantee. Redis may lose the queued job, a worker may be killed
mid-run, the enqueue after commit may fail: the sweeper finds rows that are
pending too long, or running past their lease, and sends them again. A row is
claimed atomically under a lease before it runs, so two deliveries of the same
job never run it at the same time, and a row that is done is never run again.
The work itself must still be idempotent: a worker can die after the effect and
before the row is marked done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.jobs import JobQueue, JobSpec, RetryPolicy, job, resolve, spec_of
from core.models import Outbox, OutboxStatus
from core.services import Services, services

log = logging.getLogger(__name__)

_DISPATCH_KEY = "cartpath_outbox_dispatch"
_LISTENING_KEY = "cartpath_outbox_listening"
WORKER_LOST = "gave up: the last attempt never finished (worker lost)"


def job_id_for(outbox_id: int) -> str:
    return f"outbox-{outbox_id}"


def defer(
    session: Session,
    func: Callable[..., Any],
    *args: Any,
    dedupe_key: str | None = None,
    shop_id: int | None = None,
) -> int:
    """Record that `func(*args)` must run once this transaction commits; returns the row id.

    With `dedupe_key`, a second defer of the same work returns the first row's id.
    The queue job is sent only after commit, or a worker might not see the row.
    """
    spec = spec_of(func)
    values = {
        "job": spec.path,
        "args": list(args),
        "dedupe_key": dedupe_key,
        "shop_id": shop_id,
        "max_attempts": spec.retry.max_attempts,
    }
    if dedupe_key is None:
        # Nothing can collide, so one INSERT (this is on the webhook intake path).
        outbox_id = session.scalar(insert(Outbox).values(**values).returning(Outbox.id))
    else:
        existing = session.scalar(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
        try:
            with session.begin_nested():
                outbox_id = session.scalar(insert(Outbox).values(**values).returning(Outbox.id))
        except IntegrityError:
            # Another transaction recorded the same work first; that one stands.
            existing = session.scalar(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key))
            if existing is None:
                raise
            return existing
    _dispatch_after_commit(session, outbox_id, spec.path)
    return outbox_id


def _dispatch_after_commit(session: Session, outbox_id: int, job_path: str) -> None:
    session.info.setdefault(_DISPATCH_KEY, []).append((outbox_id, job_path))
    if session.info.get(_LISTENING_KEY):
        return
    session.info[_LISTENING_KEY] = True
    queue = services().jobs

    # SQLAlchemy fires both events for a SAVEPOINT too (released or rolled back) while the
    # outer transaction is still open: only the outermost end may send or drop the work.
    def after_commit(committed: Session) -> None:
        if not committed.in_nested_transaction():
            for committed_id, path in committed.info.pop(_DISPATCH_KEY, []):
                dispatch(queue, committed_id, job_path=path)

    def after_rollback(rolled_back: Session) -> None:
        if not rolled_back.in_nested_transaction():
            rolled_back.info.pop(_DISPATCH_KEY, None)

    event.listen(session, "after_commit", after_commit)
    event.listen(session, "after_rollback", after_rollback)


def dispatch(queue: JobQueue, outbox_id: int, *, job_path: str, delay: float = 0) -> None:
    """Send the queue job for a row; a failure here is logged, the sweeper will retry."""
    try:
        queue.enqueue(
            spec_of(run),
            (outbox_id,),
            job_id=job_id_for(outbox_id),
            delay=delay,
            timeout=resolve(job_path).timeout,
        )
    except Exception:
        log.warning("could not enqueue outbox row %s; the sweeper will", outbox_id, exc_info=True)


# The retries live in the row (attempts/max_attempts), so the queue job itself runs once
# per delivery; backoff is the target job's, applied by re-dispatching with a delay.
@job(retry=RetryPolicy(max_attempts=1, backoff=()), timeout=3600)
def run(outbox_id: int) -> str:
    """Claim the row, run its job, record the outcome. Returns the row's new status."""
    svc = services()
    now = utcnow()
    with svc.database.session() as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return "missing"
        target = resolve(row.job)
        args = list(row.args)
        claim, attempt = _claim(session, row, now, target.timeout, svc.config)
        if claim == "exhausted":
            _give_up(target, args, WORKER_LOST)
        if claim != "claimed":
            session.refresh(row)
            return row.status.value
    try:
        target.func(*args)
    except Exception as error:  # noqa: BLE001 - every failure is recorded, then retried or failed
        return _record_failure(svc, outbox_id, attempt, target, args, error)
    with svc.database.session() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id)
            .values(
                status=OutboxStatus.DONE,
                finished_at=utcnow(),
                lease_until=None,
                last_error=None,
                updated_at=utcnow(),
            )
        )
        session.commit()
    return OutboxStatus.DONE.value


def _claim(
    session: Session, row: Outbox, now: datetime, timeout: int, config: Any
) -> tuple[str, int]:
    """Atomically move the row to running under a lease.

    Returns ("claimed", the attempt's number, read back by the same UPDATE), or ("busy", 0)
    (someone else has it, or it is done), or ("exhausted", 0) (its last attempt died with
    its worker; it is now failed).
    """
    lease = now + timedelta(seconds=timeout + config.job_lease_margin)
    attempt = session.execute(
        update(Outbox)
        .where(Outbox.id == row.id, Outbox.attempts < Outbox.max_attempts)
        .where(
            or_(
                (Outbox.status == OutboxStatus.PENDING) & (Outbox.available_at <= now),
                (Outbox.status == OutboxStatus.RUNNING) & (Outbox.lease_until < now),
            )
        )
        .values(
            status=OutboxStatus.RUNNING,
            attempts=Outbox.attempts + 1,
            lease_until=lease,
            updated_at=now,
        )
        .returning(Outbox.attempts)
        .execution_options(synchronize_session=False)
    ).scalar()
    exhausted = attempt is None and _fail_if_exhausted(session, row.id, now)
    session.commit()
    if attempt is not None:
        return "claimed", attempt
    return ("exhausted" if exhausted else "busy"), 0


def _fail_if_exhausted(session: Session, outbox_id: int, now: datetime) -> bool:
    """A row whose last attempt died with its worker is failed, not retried forever."""
    return bool(
        session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id, Outbox.attempts >= Outbox.max_attempts)
            .where(
                or_(
                    Outbox.status == OutboxStatus.PENDING,
                    (Outbox.status == OutboxStatus.RUNNING) & (Outbox.lease_until < now),
                )
            )
            .values(
                status=OutboxStatus.FAILED,
                lease_until=None,
                updated_at=now,
                last_error=WORKER_LOST,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _give_up(target: JobSpec, args: list[Any], message: str) -> None:
    """Tell the job's own record that its work was given up (its on_give_up hook)."""
    if target.on_give_up is None:
        return
    try:
        target.on_give_up(*args, message)
    except Exception:
        log.exception("on_give_up of %s failed", target.path)


def _record_failure(
    svc: Services,
    outbox_id: int,
    attempt: int,
    target: JobSpec,
    args: list[Any],
    error: Exception,
) -> str:
    retry = target.retry
    message = f"{type(error).__name__}: {error}"[:2000]
    final = attempt >= retry.max_attempts
    now = utcnow()
    delay = 0.0 if final else retry.delay_after(attempt)
    with svc.database.session() as session:
        row = session.get(Outbox, outbox_id)
        row.status = OutboxStatus.FAILED if final else OutboxStatus.PENDING
        row.last_error, row.lease_until = message, None
        row.available_at = now + timedelta(seconds=delay)
        row.finished_at = now if final else None
        job_path = row.job
        session.commit()
    if final:
        log.error("outbox %s failed for good after %d attempts: %s", outbox_id, attempt, message)
        _give_up(target, args, message)
        return OutboxStatus.FAILED.value
    log.warning(
        "outbox %s attempt %d failed (%s); again in %.1fs", outbox_id, attempt, message, delay
    )
    dispatch(svc.jobs, outbox_id, job_path=job_path, delay=delay)
    return OutboxStatus.PENDING.value


def replay(session: Session, outbox_id: int) -> Outbox:
    """Staff asked to run a failed row again: a fresh set of attempts, sent after commit."""
    row = session.get(Outbox, outbox_id)
    if row is None:
        raise LookupError(f"no outbox row {outbox_id}")
    if row.status is not OutboxStatus.FAILED:
        raise ValueError(f"outbox row {outbox_id} is {row.status.value}, not failed")
    row.status, row.attempts, row.finished_at = OutboxStatus.PENDING, 0, None
    row.available_at = utcnow()
    _dispatch_after_commit(session, row.id, row.job)
    return row


def sweep(svc: Services) -> int:
    """Re-send rows whose queue job was lost; returns how many were sent.

    A pending row is stale once it has been due for `sweep_grace` seconds and no
    job for it is queued (Redis lost it, or the enqueue after commit failed); a
    running row is stale once its lease has passed (its worker died: the lease
    outlives the job's timeout, after which RQ would have killed it anyway).
    """
    now = utcnow()
    grace = timedelta(seconds=svc.config.sweep_grace)
    with svc.database.session() as session:
        candidates = session.execute(
            select(Outbox.id, Outbox.job, Outbox.status)
            .where(
                or_(
                    (Outbox.status == OutboxStatus.PENDING) & (Outbox.available_at < now - grace),
                    (Outbox.status == OutboxStatus.RUNNING) & (Outbox.lease_until < now),
                )
            )
            .order_by(Outbox.id)
            .limit(1000)
        ).all()
    sent = 0
    for outbox_id, job_path, status in candidates:
        if status is OutboxStatus.PENDING and svc.jobs.is_pending(job_id_for(outbox_id)):
            continue
        dispatch(svc.jobs, outbox_id, job_path=job_path)
        sent += 1
    if sent:
        log.info("outbox sweeper re-sent %d rows", sent)
    return sent


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status.value: count for status, count in rows})
    return counts
