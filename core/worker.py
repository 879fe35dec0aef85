"""`cartpath worker`: an RQ worker whose jobs run inside the app, plus the periodic tasks."""

from __future__ import annotations

from flask import Flask

from core.jobs import RQJobQueue, use_worker_app
from core.periodic import Periodic, default_tasks
from core.services import services_of


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
        worker = Worker([svc.jobs.queue], connection=svc.jobs.redis)
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        sweeper.stop()
    return 0
