"""Work that recurs: the outbox sweep every half minute, the daily webhook repair, the
hourly order reconciliation, the ten-minute check of post-purchase offers whose result
never came, the analytics rollup of recent days, the re-send of upsell charges the
gateway never answered.

One daemon thread per process (web without Redis, every worker) checks which tasks
are due; with Redis, a lock that lives for most of a task's interval lets only one
process in the fleet run each task per interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from core.services import Services, services, services_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    interval: float
    run: Callable[[Services], Any]


def default_tasks(app: Flask) -> list[PeriodicTask]:
    from analytics.rollups import ROLLUP_INTERVAL, roll_up_all_shops
    from checkout.reconcile import reconcile_hosted_shops
    from core.outbox import sweep
    from upsell.native_outcomes import UNREPORTED_CHECK_INTERVAL, settle_unreported
    from upsell.unanswered import queue_unanswered
    from webhooks.subscriptions import check_all_shops

    config = services_of(app).config
    return [
        PeriodicTask("outbox-sweep", config.sweep_interval, sweep),
        PeriodicTask("webhook-subscriptions", config.subscription_check_interval, check_all_shops),
        PeriodicTask("order-reconciliation", config.reconcile_interval, reconcile_hosted_shops),
        PeriodicTask("post-purchase-unreported", UNREPORTED_CHECK_INTERVAL, settle_unreported),
        PeriodicTask("analytics-rollup", ROLLUP_INTERVAL, roll_up_all_shops),
        PeriodicTask("upsell-charges", config.sweep_interval, queue_unanswered),
    ]


class Periodic:
    """Runs each task once per interval (the first time one interval after start)."""

    def __init__(self, app: Flask, tasks: list[PeriodicTask], tick: float = 0.5) -> None:
        self._app = app
        self._tasks = tasks
        self._tick = tick
        start = time.monotonic()
        self._due = {task.name: start + task.interval for task in tasks}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cartpath-periodic", daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._tick):
            for task in self._tasks:
                if time.monotonic() >= self._due[task.name]:
                    self._due[task.name] = time.monotonic() + task.interval
                    self._run(task)

    def _run(self, task: PeriodicTask) -> None:
        try:
            with self._app.app_context():
                svc = services()
                if _may_run(svc, task):
                    task.run(svc)
        except Exception:
            log.exception("periodic task %s failed; it runs again next interval", task.name)


def _may_run(svc: Services, task: PeriodicTask) -> bool:
    redis = svc.redis
    if redis is None:
        return True
    lock_seconds = max(1, int(task.interval * 0.9))
    return bool(redis.set(f"cartpath:periodic:{task.name}", "1", nx=True, ex=lock_seconds))
