"""The sandbox's webhook deliverer across a reset: what was in flight is forgotten, so one
test's deliveries never keep the next test's `wait_idle` waiting on their retries."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sandbox.clock import SandboxClock
from sandbox.delivery import Deliverer, Delivery


class _SlowFailure(BaseHTTPRequestHandler):
    """Answers 500 once `release` is set: a receiver that is slow and then fails."""

    release = threading.Event()
    arrived = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.arrived.set()
        self.release.wait(5)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_send_in_flight_during_a_reset_queues_no_retry_afterwards():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFailure)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deliverer = Deliverer(SandboxClock())
    try:
        deliverer.submit(
            Delivery(
                id="d1",
                platform="shopify",
                topic="orders/create",
                url=f"http://127.0.0.1:{server.server_port}/webhooks",
                headers={},
                body=b"{}",
                retry_schedule=(60.0,),  # a retry would be due in a minute
            )
        )
        assert _SlowFailure.arrived.wait(5), "the delivery is being sent"

        deliverer.reset()
        _SlowFailure.release.set()  # the receiver now fails the send made before the reset

        assert deliverer.wait_idle(1.0), "nothing is due after the reset"
        assert deliverer.deliveries() == []
    finally:
        deliverer.stop()
        server.shutdown()
        server.server_close()
