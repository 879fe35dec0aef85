"""The outbox: work recorded with the change runs after commit, exactly once,
even when the queue forgets it or a worker is killed in the middle."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid

import pytest
from flask import Flask
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select

from core import outbox
from core.db import utcnow
from core.jobs import resolve
from core.models import Outbox, OutboxStatus
from core.services import services_of
from tests.support import jobs
from tests.support.workers import start_worker, stop_worker, wait_until


def _row(app: Flask, outbox_id: int) -> Outbox:
    with services_of(app).database.session() as session:
        return session.get(Outbox, outbox_id)


def _defer(app: Flask, func, *args, **kwargs) -> int:
    with app.app_context(), services_of(app).database.session() as session:
        outbox_id = outbox.defer(session, func, *args, **kwargs)
        session.commit()
        return outbox_id


def test_deferred_work_runs_after_commit(app):
    marker = uuid.uuid4().hex
    outbox_id = _defer(app, jobs.flaky, marker, 0)

    assert services_of(app).jobs.wait_idle(timeout=10)
    row = _row(app, outbox_id)
    assert row.status is OutboxStatus.DONE
    assert row.attempts == 1
    with app.app_context():
        assert jobs.count("effect", marker) == 1


def test_rolled_back_work_never_runs(app):
    marker = uuid.uuid4().hex
    with app.app_context(), services_of(app).database.session() as session:
        outbox.defer(session, jobs.flaky, marker, 0)
        session.rollback()

    assert services_of(app).jobs.wait_idle(timeout=5)
    with app.app_context():
        assert jobs.count("attempt", marker) == 0
    with services_of(app).database.session() as session:
        assert session.scalars(select(Outbox)).all() == []


def test_savepoints_neither_dispatch_nor_drop_work_before_the_outer_commit(app, monkeypatch):
    """SQLAlchemy fires after_commit/after_rollback for SAVEPOINTs too; work deferred earlier
    in the transaction must wait for the real commit (and survive a savepoint's rollback)."""
    marker = uuid.uuid4().hex
    sent: list[int] = []
    real_dispatch = outbox.dispatch
    monkeypatch.setattr(
        outbox,
        "dispatch",
        lambda queue, oid, **kw: (sent.append(oid), real_dispatch(queue, oid, **kw)),
    )
    with app.app_context(), services_of(app).database.session() as session:
        outbox_id = outbox.defer(session, jobs.flaky, marker, 0)
        with session.begin_nested():  # released
            pass
        session.begin_nested().rollback()  # rolled back
        assert sent == [], "nothing is sent while the row is not committed"
        session.commit()

    assert sent == [outbox_id]
    assert services_of(app).jobs.wait_idle(timeout=10)
    assert _row(app, outbox_id).status is OutboxStatus.DONE


def test_the_same_dedupe_key_is_recorded_once(app):
    marker = uuid.uuid4().hex
    first = _defer(app, jobs.flaky, marker, 0, dedupe_key=f"effect:{marker}")
    second = _defer(app, jobs.flaky, marker, 0, dedupe_key=f"effect:{marker}")

    assert first == second
    assert services_of(app).jobs.wait_idle(timeout=10)
    with app.app_context():
        assert jobs.count("attempt", marker) == 1


def test_failures_retry_then_fail_visibly_and_can_be_replayed(app):
    marker = uuid.uuid4().hex
    outbox_id = _defer(app, jobs.flaky, marker, jobs.FAST_RETRY.max_attempts)

    assert services_of(app).jobs.wait_idle(timeout=10)
    failed = _row(app, outbox_id)
    assert failed.status is OutboxStatus.FAILED
    assert failed.attempts == jobs.FAST_RETRY.max_attempts
    assert "planned failure 3 of 3" in failed.last_error

    with app.app_context(), services_of(app).database.session() as session:
        outbox.replay(session, outbox_id)
        session.commit()
    assert services_of(app).jobs.wait_idle(timeout=10)
    replayed = _row(app, outbox_id)
    assert replayed.status is OutboxStatus.DONE
    with app.app_context():
        assert jobs.count("effect", marker) == 1


def test_replay_refuses_work_that_has_not_failed(app):
    outbox_id = _defer(app, jobs.flaky, uuid.uuid4().hex, 0)
    assert services_of(app).jobs.wait_idle(timeout=10)
    with app.app_context(), services_of(app).database.session() as session:
        with pytest.raises(ValueError, match="is done, not failed"):
            outbox.replay(session, outbox_id)
        with pytest.raises(LookupError):
            outbox.replay(session, 999_999)


def test_the_sweeper_resends_work_the_queue_lost(app):
    # given: a committed row whose queue job never existed (Redis lost it)
    marker = uuid.uuid4().hex
    with services_of(app).database.session() as session:
        row = Outbox(
            job="tests.support.jobs:flaky",
            args=[marker, 0],
            max_attempts=3,
            available_at=utcnow().replace(year=2020),
        )
        session.add(row)
        session.commit()
        outbox_id = row.id

    # when
    with app.app_context():
        sent = outbox.sweep(services_of(app))

    # then
    assert sent == 1
    assert services_of(app).jobs.wait_idle(timeout=10)
    assert _row(app, outbox_id).status is OutboxStatus.DONE
    with app.app_context():
        assert outbox.sweep(services_of(app)) == 0


def _overdue_and_swept(app, outbox_id: int) -> int:
    """The row's time comes long past; the sweeper runs. Returns how many it sent again."""
    svc = services_of(app)
    with svc.database.session() as session:
        session.get(Outbox, outbox_id).available_at = utcnow().replace(year=2020)
        session.commit()
    with app.app_context():
        return outbox.sweep(svc)


def test_the_sweeper_resends_work_a_dead_worker_took_off_the_queue(rq_app):
    # given: a worker popped a row's job (as RQ's Worker.dequeue_job does) and died before
    # starting it, so RQ still calls the job "queued" but no worker will ever read it
    marker = uuid.uuid4().hex
    svc = services_of(rq_app)
    outbox_id = _defer(rq_app, jobs.flaky, marker, 0)
    popped, _ = Queue.dequeue_any([svc.jobs.queue], None, connection=svc.jobs.redis)
    assert popped.id == outbox.job_id_for(outbox_id)
    assert popped.get_status() == JobStatus.QUEUED

    # when
    sent = _overdue_and_swept(rq_app, outbox_id)

    # then: it is sent again, and the next worker to take it does the work once
    assert sent == 1
    assert svc.jobs.is_pending(outbox.job_id_for(outbox_id))
    again, _ = Queue.dequeue_any([svc.jobs.queue], None, connection=svc.jobs.redis)
    with rq_app.app_context():
        assert again.perform() == "done"
        assert jobs.count("effect", marker) == 1
    assert _row(rq_app, outbox_id).status is OutboxStatus.DONE


def test_queued_and_scheduled_jobs_count_as_pending_on_rq(rq_app):
    svc = services_of(rq_app)
    spec = resolve("tests.support.jobs:flaky")
    svc.jobs.enqueue(spec, ("now", 0), job_id="waits-in-the-list")
    svc.jobs.enqueue(spec, ("later", 0), job_id="waits-in-the-schedule", delay=600)

    assert svc.jobs.is_pending("waits-in-the-list")
    assert svc.jobs.is_pending("waits-in-the-schedule")
    assert not svc.jobs.is_pending("never-enqueued")


def test_the_sweeper_resends_a_retry_rq_s_stopped_scheduler_never_enqueued(rq_app):
    # given: a row's retry scheduled on RQ, whose time passed with no scheduler running
    # (the worker holding the scheduler's lock was killed)
    marker = uuid.uuid4().hex
    svc = services_of(rq_app)
    outbox_id = _defer(rq_app, jobs.flaky, marker, 0)
    Queue.dequeue_any([svc.jobs.queue], None, connection=svc.jobs.redis)  # the first delivery
    outbox.dispatch(svc.jobs, outbox_id, job_path="tests.support.jobs:flaky", delay=600)
    job_id = outbox.job_id_for(outbox_id)
    svc.jobs.redis.zadd(svc.jobs.queue.scheduled_job_registry.key, {job_id: time.time() - 120})

    # when
    sent = _overdue_and_swept(rq_app, outbox_id)

    # then: it is in the queue's list for the next worker
    assert sent == 1
    assert svc.jobs.redis.lpos(svc.jobs.queue.key, job_id) is not None


def test_concurrent_deliveries_of_one_row_run_it_once(app):
    marker = uuid.uuid4().hex
    with services_of(app).database.session() as session:
        row = Outbox(job="tests.support.jobs:slow_effect", args=[marker, 0.5], max_attempts=3)
        session.add(row)
        session.commit()
        outbox_id = row.id
    results: list[str] = []

    def deliver() -> None:
        with app.app_context():
            results.append(outbox.run(outbox_id))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert results.count("done") >= 1
    with app.app_context():
        assert jobs.count("attempt", marker) == 1
        assert jobs.count("effect", marker) == 1
    assert _row(app, outbox_id).attempts == 1


@pytest.mark.slow
def test_a_killed_worker_s_job_runs_again_to_completion_once(rq_app, tmp_path):
    # given: a durable job on Redis, picked up by a worker
    marker = uuid.uuid4().hex
    config = services_of(rq_app).config
    outbox_id = _defer(rq_app, jobs.slow_effect, marker, 2.0)
    first = start_worker(config, tmp_path / "first.log")
    try:
        with rq_app.app_context():
            wait_until(lambda: jobs.count("attempt", marker) == 1, 30, "the job starts")
            horse = jobs.pid_of_attempt(marker)
        assert _row(rq_app, outbox_id).status is OutboxStatus.RUNNING

        # when: the worker and its work-horse die mid-job (SIGKILL, no cleanup)
        os.killpg(first.pid, signal.SIGKILL)
        os.kill(horse, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop_worker(first)
    with rq_app.app_context():
        assert jobs.count("effect", marker) == 0

    # then: a new worker's sweeper finds the expired lease and the job completes, once
    second = start_worker(config, tmp_path / "second.log")
    try:
        wait_until(
            lambda: _row(rq_app, outbox_id).status is OutboxStatus.DONE,
            40,
            "the job completes on the second worker",
        )
    finally:
        stop_worker(second)
    with rq_app.app_context():
        assert jobs.count("effect", marker) == 1
        assert jobs.count("attempt", marker) == 2
    assert _row(rq_app, outbox_id).attempts == 2
