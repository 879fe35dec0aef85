"""At-least-once webhook delivery, shared by the Shopify and BigCommerce emulators.

Each platform supplies the URL, signed headers, body and its own retry schedule
(platform seconds between attempts, run on the sandbox clock); this module sends,
records every attempt, retries on a non-2xx or a timeout, and reports the final
failure to the platform (Shopify deletes the subscription, BigCommerce
deactivates the hook). The control API can make it duplicate deliveries and
reorder them, as real platforms do.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from sandbox.clock import SandboxClock


@dataclass
class Attempt:
    at: float
    status: int | None
    error: str | None
    seconds: float


@dataclass
class Delivery:
    id: str
    platform: str
    topic: str
    url: str
    headers: dict[str, str]
    body: bytes
    retry_schedule: tuple[float, ...]
    connect_timeout: float = 1.0
    read_timeout: float = 5.0
    on_failed: Callable[[Delivery], None] | None = None
    state: str = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    copies: int = 1

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "topic": self.topic,
            "url": self.url,
            "headers": self.headers,
            "body": self.body.decode("utf-8", "replace"),
            "state": self.state,
            "copies": self.copies,
            "attempts": [vars(attempt) for attempt in self.attempts],
        }


@dataclass
class DeliveryChaos:
    """What the control API turns on: duplicates with probability, reordering within a window."""

    duplicate_probability: float = 0.0
    reorder_window: float = 0.0  # platform seconds; each first send is delayed by up to this


class Deliverer:
    """A background thread that sends due deliveries in order of their due time."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Condition()
        self._due: list[tuple[float, int, Delivery]] = []
        self._sequence = itertools.count()
        self._deliveries: list[Delivery] = []
        self._random = random.Random()  # noqa: S311 - chaos, not security
        self.chaos = DeliveryChaos()
        self._session = requests.Session()
        self._thread: threading.Thread | None = None
        self._stopping = False
        # Bumped by reset(): a send in flight across a reset belongs to a world that is gone,
        # and its answer must not queue a retry into the new one.
        self._generation = 0
        self._sending = 0  # sends in flight, whether or not a reset forgot their delivery

    def submit(self, delivery: Delivery) -> None:
        """Queue a delivery; chaos may delay it (reorder) or send it twice (duplicate)."""
        with self._lock:
            self._deliveries.append(delivery)
            delay = self._random.uniform(0, self.chaos.reorder_window)
            self._push(self._clock.now() + delay, delivery)
            if self._random.random() < self.chaos.duplicate_probability:
                delivery.copies += 1
                self._push(
                    self._clock.now() + self._random.uniform(0, self.chaos.reorder_window), delivery
                )
            self._lock.notify()
        self._ensure_thread()

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [delivery.describe() for delivery in self._deliveries]

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._due.clear()
            self._deliveries.clear()
            self.chaos = DeliveryChaos()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is due or being sent (tests); True when idle before the timeout."""
        end = time.monotonic() + timeout
        with self._lock:
            while self._due or self._sending:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
        return True

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()

    def _push(self, due: float, delivery: Delivery) -> None:
        heapq.heappush(self._due, (due, next(self._sequence), delivery))

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-deliverer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopping:
                    if self._due and self._due[0][0] <= self._clock.now():
                        break
                    wait = (
                        self._clock.real_seconds(self._due[0][0] - self._clock.now())
                        if self._due
                        else 0.5
                    )
                    self._lock.wait(min(max(wait, 0.001), 0.5))
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._due)
                delivery.state = "sending"
                generation = self._generation
                self._sending += 1
            try:
                self._attempt(delivery, generation)
            finally:
                with self._lock:
                    self._sending -= 1
                    self._lock.notify_all()

    def _attempt(self, delivery: Delivery, generation: int) -> None:
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            response = self._session.post(
                delivery.url,
                data=delivery.body,
                headers=delivery.headers,
                timeout=(delivery.connect_timeout, delivery.read_timeout),
                allow_redirects=False,
            )
            status = response.status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        attempt = Attempt(self._clock.now(), status, error, round(time.monotonic() - started, 4))
        failed_finally = False
        with self._lock:
            if generation != self._generation:
                return  # reset while sending: forgotten, like everything else it held
            delivery.attempts.append(attempt)
            if status is not None and 200 <= status < 300:
                delivery.state = "delivered"
            else:
                failures = sum(1 for a in delivery.attempts if not (a.status and a.status < 300))
                if failures <= len(delivery.retry_schedule):
                    delivery.state = "retrying"
                    self._push(self._clock.now() + delivery.retry_schedule[failures - 1], delivery)
                else:
                    delivery.state = "failed"
                    failed_finally = True
            self._lock.notify_all()
        if failed_finally and delivery.on_failed is not None:
            delivery.on_failed(delivery)
