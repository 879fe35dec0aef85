"""Jobs retry with backoff on both backends: a real RQ worker on real Redis, and
the in-process worker the demo uses."""

from __future__ import annotations

import uuid

import pytest

from core.jobs import enqueue, resolve
from core.services import services_of
from tests.support import jobs
from tests.support.workers import start_worker, stop_worker, wait_until


def test_in_process_job_fails_twice_then_succeeds(app):
    marker = uuid.uuid4().hex
    with app.app_context():
        enqueue(jobs.flaky, marker, 2)
        assert services_of(app).jobs.wait_idle(timeout=10)

        assert jobs.count("attempt", marker) == 3
        assert jobs.count("effect", marker) == 1
        outcomes = services_of(app).jobs.outcomes()
    assert outcomes[("tests.support.jobs:flaky", "retried")] == 2
    assert outcomes[("tests.support.jobs:flaky", "succeeded")] == 1


def test_in_process_job_gives_up_after_its_last_attempt(app):
    marker = uuid.uuid4().hex
    with app.app_context():
        enqueue(jobs.flaky, marker, 10)
        assert services_of(app).jobs.wait_idle(timeout=10)

        assert jobs.count("attempt", marker) == jobs.FAST_RETRY.max_attempts
        assert jobs.count("effect", marker) == 0
    assert services_of(app).jobs.outcomes()[("tests.support.jobs:flaky", "failed")] == 1


def test_only_declared_jobs_can_be_enqueued_or_resolved(app):
    with app.app_context(), pytest.raises(LookupError):
        enqueue(jobs.not_a_job)
    with pytest.raises(LookupError):
        resolve("tests.support.jobs:not_a_job")
    with app.app_context(), pytest.raises(ValueError, match="job id"):
        enqueue(jobs.flaky, "x", 0, job_id="has spaces")


@pytest.mark.slow
def test_rq_job_fails_twice_then_succeeds_on_a_real_worker(rq_app, tmp_path):
    marker = uuid.uuid4().hex
    config = services_of(rq_app).config
    with rq_app.app_context():
        enqueue(jobs.flaky_with_rq_backoff, marker, 2)
    worker = start_worker(config, tmp_path / "worker.log")
    try:
        with rq_app.app_context():
            wait_until(lambda: jobs.count("effect", marker) == 1, 40, "the third attempt succeeds")
            assert jobs.count("attempt", marker) == 3
            path = "tests.support.jobs:flaky_with_rq_backoff"
            wait_until(
                lambda: services_of(rq_app).jobs.outcomes().get((path, "succeeded")) == 1,
                10,
                "the success is counted",
            )
            assert services_of(rq_app).jobs.outcomes()[(path, "retried")] == 2
    finally:
        stop_worker(worker)
