"""`cartpath worker`: an RQ worker whose jobs run inside the app, plus the periodic tasks."""

from __future__ import annotations

from flask import Flask

from core.jobs import RQJobQueue, use_worker_app
from core.periodic import Periodic, default_tasks
from core.services import services_of

# RQ's scheduler (delayed retries) runs in one worker at a time, under a lock that
# expires 61 s after its holder dies; the others only try to take it over at their
# maintenance run, every 10 minutes by default, and an idle worker looks up from its
# queue every worker_ttl - 15 s. A minute each lets a survivor take over within two.
MAINTENANCE_SECONDS = 60
WORKER_TTL_SECONDS = MAINTENANCE_SECONDS + 15


def run_worker(app: Flask, *, burst: bool = False) -> int:
    """Work until stopped (or, with `burst`, until the queue is empty). Returns an exit code."""
    from rq import Worker

    svc = services_of(app)
    if not isinstance(svc.jobs, RQJobQueue):
        raise RuntimeError("run_worker needs the RQ backend (REDIS_URL)")
    # Forked work-horses inherit this; each job runs inside the app's context.
    use_worker_app(app)
    sweeper = Periodic(app, default_tasks(app)).start()
    try:
        worker = Worker(
            [svc.jobs.queue],
            connection=svc.jobs.redis,
            maintenance_interval=MAINTENANCE_SECONDS,
            worker_ttl=WORKER_TTL_SECONDS,
        )
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        sweeper.stop()
    return 0
