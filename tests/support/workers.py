"""Real `cartpath worker` processes for tests that need RQ, Redis and fork."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from core.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def worker_env(config: Config) -> dict[str, str]:
    """The environment that gives a worker process the same settings as `config`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARTPATH_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DATABASE_URL=config.database_url,
        REDIS_URL=config.redis_url or "",
        CARTPATH_SECRET_KEY=config.secret_key,
        CARTPATH_ENCRYPTION_KEY=",".join(config.encryption_keys),
        CARTPATH_INSTANCE_PATH=str(config.instance_path),
        CARTPATH_JOB_LEASE_MARGIN=str(config.job_lease_margin),
        CARTPATH_SWEEP_INTERVAL=str(config.sweep_interval),
        CARTPATH_SWEEP_GRACE=str(config.sweep_grace),
        CARTPATH_LOG_LEVEL="WARNING",
    )
    return env


def start_worker(config: Config, log_path: Path) -> subprocess.Popen[bytes]:
    """A worker in its own session, so a test can kill it and everything it started."""
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", "from app import main; main()", "worker"],
            cwd=PROJECT_ROOT,
            env=worker_env(config),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_until(condition: Callable[[], bool], timeout: float, message: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting until {message}")


def start_cartpath(*arguments: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """`cartpath <arguments>` as a child process writing its output to `log_path`.

    A file rather than a pipe: a pipe nobody reads fills up and blocks the child.
    """
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", "from app import main; main()", *arguments],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop_worker signals its whole process group
        )
