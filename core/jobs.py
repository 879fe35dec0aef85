"""Background jobs: the one place that enqueues, and the two places that run them.

A job is a plain function of JSON-able ids, decorated with `@job(...)` to declare
its retry policy and timeout, and named by its import path ("pkg.module:func").
With REDIS_URL the jobs go to RQ on Redis (`cartpath worker` runs them); without
it they run on an in-process worker with the same retry schedule, so the demo
exercises the same code path. Durable work goes through core/outbox, not here.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from flask import Flask, has_app_context

from core.logs import bind_log_context

log = logging.getLogger(__name__)

QUEUE_NAME = "cartpath"
# RQ job ids allow letters, digits, "_" and "-" only.
_JOB_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass(frozen=True)
class RetryPolicy:
    """How often a job runs before it is given up, and how long it waits in between."""

    max_attempts: int = 5
    backoff: tuple[float, ...] = (10.0, 60.0, 300.0, 1800.0)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if len(self.backoff) < self.max_attempts - 1:
            raise ValueError("backoff needs one delay per retry")

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return self.backoff[attempt - 1]


@dataclass(frozen=True)
class JobSpec:
    path: str
    func: Callable[..., Any]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: int = 300
    # Called with the job's args and the last error when durable work is given up,
    # so the job's own record (a webhook event, an order) can say "failed".
    on_give_up: Callable[..., None] | None = None


def job(
    *,
    retry: RetryPolicy | None = None,
    timeout: int = 300,
    on_give_up: Callable[..., None] | None = None,
) -> Callable[[Callable], Callable]:
    """Declare a function as a job; its spec travels on the function as `job_spec`."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        path = f"{func.__module__}:{func.__qualname__}"
        spec = JobSpec(path, func, retry or RetryPolicy(), timeout, on_give_up)
        func.job_spec = spec  # type: ignore[attr-defined]
        return func

    return decorate


def resolve(path: str) -> JobSpec:
    """The spec of the job at `path`; only functions decorated with @job can run."""
    module_name, _, name = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in name.split("."):
        target = getattr(target, part)
    spec = getattr(target, "job_spec", None)
    if not isinstance(spec, JobSpec):
        raise LookupError(f"{path} is not a @job")
    return spec


def spec_of(func: Callable[..., Any]) -> JobSpec:
    spec = getattr(func, "job_spec", None)
    if not isinstance(spec, JobSpec):
        raise LookupError(f"{func!r} is not a @job")
    return spec


def validate_job_id(job_id: str) -> str:
    if not job_id or not set(job_id) <= _JOB_ID_CHARACTERS:
        raise ValueError(f"job id {job_id!r} may use only letters, digits, '_' and '-'")
    return job_id


class JobQueue(Protocol):
    """What the app needs from a queue backend."""

    backend: str

    def enqueue(
        self,
        spec: JobSpec,
        args: tuple[Any, ...],
        *,
        job_id: str | None = None,
        delay: float = 0,
        timeout: int | None = None,
    ) -> None:
        """Run `spec` with `args` in the background (after `delay` seconds).

        `timeout` overrides the spec's, for a wrapper job running another (the outbox).
        """

    def is_pending(self, job_id: str) -> bool:
        """Whether a job with this id is waiting to run (queued or scheduled).

        Running jobs do not count: after a worker dies RQ still reports its job as
        started for a while, and the outbox lease is the judge of that case.
        """

    def depth(self) -> dict[str, int]:
        """Jobs by state, for /metrics."""

    def outcomes(self) -> dict[tuple[str, str], int]:
        """(job path, outcome) counts: succeeded, retried, failed."""

    def ping(self) -> None:
        """:raises Exception: when the backend cannot be reached."""

    def close(self) -> None:
        """Stop background threads and release connections."""


def enqueue(func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
    """Enqueue the @job `func` on the current app's queue."""
    from core.services import services

    services().jobs.enqueue(spec_of(func), args, job_id=job_id and validate_job_id(job_id))


def execute(path: str, *args: Any) -> Any:
    """Run one attempt of a job inside an app context: what both backends call.

    Exceptions propagate on purpose: the backend retries them or records the failure.
    """
    spec = resolve(path)
    if has_app_context():
        return _run(spec, args)
    with _worker_app().app_context():
        return _run(spec, args)


def _run(spec: JobSpec, args: tuple[Any, ...]) -> Any:
    with bind_log_context(job=spec.path):
        return spec.func(*args)


_process_app: Flask | None = None
_process_app_lock = threading.Lock()


def _worker_app() -> Flask:
    """The app of a worker process that had none in context (an RQ work-horse)."""
    global _process_app
    with _process_app_lock:
        if _process_app is None:
            from app import create_app

            _process_app = create_app()
        return _process_app


def use_worker_app(app: Flask) -> None:
    """Let jobs in this process (and its forked work-horses) run inside `app`."""
    global _process_app
    with _process_app_lock:
        _process_app = app


# --- RQ on Redis ---------------------------------------------------------------------------


class RQJobQueue:
    """Jobs on Redis through RQ; RQ's Retry carries the policy's backoff."""

    backend = "rq"

    def __init__(self, redis_url: str, *, queue_name: str = QUEUE_NAME) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
        self.queue = Queue(queue_name, connection=self.redis)
        self._outcomes_key = f"cartpath:job-outcomes:{queue_name}"

    def enqueue(
        self,
        spec: JobSpec,
        args: tuple[Any, ...],
        *,
        job_id: str | None = None,
        delay: float = 0,
        timeout: int | None = None,
    ) -> None:
        from rq import Callback, Retry

        options: dict[str, Any] = {
            "job_id": job_id,
            "job_timeout": timeout or spec.timeout,
            "result_ttl": 3600,
            "failure_ttl": 7 * 24 * 3600,
            "on_success": Callback(_record_rq_success),
            "on_failure": Callback(_record_rq_failure),
            "meta": {"max_attempts": spec.retry.max_attempts},
        }
        if spec.retry.max_attempts > 1:
            intervals = [int(max(1, round(d))) for d in spec.retry.backoff]
            options["retry"] = Retry(max=spec.retry.max_attempts - 1, interval=intervals)
        if delay > 0:
            self.queue.enqueue_in(timedelta(seconds=delay), execute, spec.path, *args, **options)
        else:
            self.queue.enqueue(execute, spec.path, *args, **options)

    def is_pending(self, job_id: str) -> bool:
        # Where the job waits, not its status: a worker pops the id (LMOVE into RQ's
        # intermediate list) before it marks the job started, so one that dies in between
        # leaves the status "queued" with the id in no list a worker reads. A scheduled job
        # waits only until its time: past it, RQ's scheduler has stopped (the worker holding
        # its lock was killed, and others take it over only at their maintenance run,
        # minutes later). Cartpath makes no dependent jobs, so none is ever deferred.
        check = self.redis.pipeline(transaction=False)
        check.lpos(self.queue.key, job_id)
        check.zscore(self.queue.scheduled_job_registry.key, job_id)
        queued_at, scheduled_for = check.execute()
        return queued_at is not None or (scheduled_for is not None and scheduled_for > time.time())

    def depth(self) -> dict[str, int]:
        return {
            "queued": self.queue.count,
            "started": self.queue.started_job_registry.count,
            "scheduled": self.queue.scheduled_job_registry.count,
            "failed": self.queue.failed_job_registry.count,
        }

    def outcomes(self) -> dict[tuple[str, str], int]:
        raw = self.redis.hgetall(self._outcomes_key)
        counts: dict[tuple[str, str], int] = {}
        for key, value in raw.items():
            path, _, outcome = key.decode().rpartition("|")
            counts[(path, outcome)] = int(value)
        return counts

    def ping(self) -> None:
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()


def _count_rq_outcome(job: Any, connection: Any, outcome: str) -> None:
    queue_name = job.origin or QUEUE_NAME
    path = job.args[0] if job.args else job.func_name
    connection.hincrby(f"cartpath:job-outcomes:{queue_name}", f"{path}|{outcome}", 1)


def _record_rq_success(job: Any, connection: Any, result: Any, *args: Any, **kwargs: Any) -> None:
    _count_rq_outcome(job, connection, "succeeded")


def _record_rq_failure(job: Any, connection: Any, *args: Any, **kwargs: Any) -> None:
    # RQ calls this on every failed attempt; retries_left tells retry from final failure.
    _count_rq_outcome(job, connection, "retried" if job.retries_left else "failed")


# --- In-process -----------------------------------------------------------------------------


@dataclass(order=True)
class _Scheduled:
    due: float
    sequence: int
    spec: JobSpec = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    job_id: str | None = field(compare=False)
    attempt: int = field(compare=False, default=1)


class InProcessJobQueue:
    """Worker threads inside this process, with the same retries as RQ.

    For the demo and for a machine without Redis. It is not durable: a crash
    loses queued jobs, which is why durable work goes through the outbox, whose
    sweeper finds and re-runs it.
    """

    backend = "in-process"

    def __init__(self, app: Flask | None = None, *, threads: int = 2) -> None:
        self._app = app
        self._condition = threading.Condition()
        self._heap: list[_Scheduled] = []
        self._sequence = itertools.count()
        self._busy = 0
        self._outcomes: Counter[tuple[str, str]] = Counter()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"cartpath-job-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def enqueue(
        self,
        spec: JobSpec,
        args: tuple[Any, ...],
        *,
        job_id: str | None = None,
        delay: float = 0,
        timeout: int | None = None,
    ) -> None:
        # Threads cannot be killed, so an in-process job's timeout is not enforced.
        self._schedule(_Scheduled(time.monotonic() + delay, 0, spec, tuple(args), job_id))

    def is_pending(self, job_id: str) -> bool:
        with self._condition:
            return any(item.job_id == job_id for item in self._heap)

    def depth(self) -> dict[str, int]:
        with self._condition:
            now = time.monotonic()
            due = sum(1 for item in self._heap if item.due <= now)
            return {"queued": due, "started": self._busy, "scheduled": len(self._heap) - due}

    def outcomes(self) -> dict[tuple[str, str], int]:
        with self._condition:
            return dict(self._outcomes)

    def ping(self) -> None:
        if self._stopping or not all(thread.is_alive() for thread in self._threads):
            raise RuntimeError("in-process worker is not running")

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, scheduled or running (tests, the demo)."""
        end = time.monotonic() + timeout
        with self._condition:
            while self._heap or self._busy:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(min(remaining, 0.05))
        return True

    def close(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def _schedule(self, item: _Scheduled) -> None:
        with self._condition:
            item.sequence = next(self._sequence)
            heapq.heappush(self._heap, item)
            self._condition.notify()

    def _next(self) -> _Scheduled | None:
        with self._condition:
            while not self._stopping:
                if self._heap and self._heap[0].due <= time.monotonic():
                    item = heapq.heappop(self._heap)
                    self._busy += 1
                    return item
                wait = self._heap[0].due - time.monotonic() if self._heap else 0.5
                self._condition.wait(min(max(wait, 0.001), 0.5))
            return None

    def _work(self) -> None:
        while (item := self._next()) is not None:
            outcome = self._attempt(item)
            with self._condition:
                self._busy -= 1
                self._outcomes[(item.spec.path, outcome)] += 1
                self._condition.notify_all()

    def _attempt(self, item: _Scheduled) -> str:
        try:
            if self._app is None:
                raise RuntimeError("in-process job queue has no app bound")
            with self._app.app_context():
                execute(item.spec.path, *item.args)
        except Exception:
            if item.attempt < item.spec.retry.max_attempts:
                delay = item.spec.retry.delay_after(item.attempt)
                log.warning(
                    "job %s failed (attempt %d), retrying in %.1fs",
                    item.spec.path,
                    item.attempt,
                    delay,
                    exc_info=True,
                )
                self._schedule(
                    _Scheduled(
                        time.monotonic() + delay,
                        0,
                        item.spec,
                        item.args,
                        item.job_id,
                        item.attempt + 1,
                    )
                )
                return "retried"
            log.exception("job %s failed after %d attempts", item.spec.path, item.attempt)
            return "failed"
        return "succeeded"
