"""Periodic tasks run once per interval, and once per fleet when there is Redis."""

from __future__ import annotations

import time

from app import create_app
from core.periodic import Periodic, PeriodicTask
from core.services import services_of
from tests.support.database import empty_all_tables


def test_a_task_runs_each_interval_until_stopped(app):
    runs: list[float] = []
    periodic = Periodic(
        app, [PeriodicTask("count", 0.2, lambda svc: runs.append(1))], tick=0.05
    ).start()
    time.sleep(1.1)
    periodic.stop()
    stopped_at = len(runs)
    time.sleep(0.3)

    assert 3 <= stopped_at <= 6
    assert len(runs) == stopped_at


def test_with_redis_two_processes_run_a_task_once_per_interval(make_config, redis_url):
    apps = [create_app(make_config(redis_url=redis_url)) for _ in range(2)]
    runs: list[int] = []
    runners = [
        Periodic(
            a, [PeriodicTask("shared", 1.0, lambda svc, n=n: runs.append(n))], tick=0.05
        ).start()
        for n, a in enumerate(apps)
    ]
    time.sleep(2.5)
    for runner in runners:
        runner.stop()
    svc = services_of(apps[0])
    empty_all_tables(svc.database.engine)
    for a in apps:
        services_of(a).close()

    assert 1 <= len(runs) <= 3, "one run per interval across both processes"
