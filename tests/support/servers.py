"""Serve a WSGI app on a free loopback port in a background thread (tests, demo)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class ServedApp:
    url: str
    server: BaseWSGIServer


@contextmanager
def serve(app, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[ServedApp]:
    """Run `app` with werkzeug's threaded server until the block ends."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield ServedApp(f"http://{host}:{server.server_port}", server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
