"""`manage.py serve`: run the whole platform on one machine, the production way.

Four child processes:

- web: granian serving `config.wsgi:application` (Django, with the tracked-link redirect
  /l/<code> in front of it) on HOST:PORT (default 127.0.0.1:8000) with WEB_CONCURRENCY
  worker processes (default 2) and WEB_THREADS threads each (default 8); no access log
  unless ACCESS_LOG=1, and then one without client addresses, query strings or secret
  paths (`portevoix.core.accesslog`);
- worker: the huey consumer (`manage.py run_huey`) with the periodic schedule of
  `config/schedule.py`, HUEY_WORKERS threads (default 2);
- clicks: the click ingester (`manage.py ingest_clicks --follow`), which moves the clicks
  journaled by this machine's web processes into the database;
- stream: the listening stream worker (`manage.py listening_stream`), which follows the
  Bluesky firehose of the hosts the organizations listen to (decision 0026).

SIGTERM stops them gracefully (granian finishes its requests, huey its running tasks);
SIGINT (Ctrl-C) stops them quickly; a second signal kills them. If a child exits on its
own, the others are stopped and `serve` exits with an error. Bigger installations run the
commands on their own, on as many machines as needed (one ingester per web host, one stream
worker per installation).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from config.env import env_bool, env_int, env_str
from portevoix.core.accesslog import ACCESS_LOG_FORMAT, write_granian_log_config

# How long the children may take to stop gracefully before they are killed.
GRACE_SECONDS = 20
POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the child gets SIGTERM if `serve` itself is killed (even with SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def granian_args(host: str, port: int, workers: int, threads: int, base_dir: str) -> list[str]:
    """granian's arguments for the web process (deploy/systemd/portevoix-web.service runs
    the same: tests/core/test_deploy.py compares them)."""
    return [
        "config.wsgi:application",
        "--interface", "wsgi",
        "--host", host.strip("[]"),
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--working-dir", base_dir,
        "--workers-kill-timeout", str(GRACE_SECONDS - 5),
        "--respawn-failed-workers",
    ]  # fmt: skip


def worker_args(workers: int) -> list[str]:
    """`manage.py` arguments of the huey consumer (deploy/systemd/portevoix-worker.service)."""
    return [
        "run_huey",
        "--workers", str(workers),
        "--graceful-signal", "TERM",  # like granian: TERM is graceful, INT is quick
        "--shutdown-timeout", str(GRACE_SECONDS - 5),
    ]  # fmt: skip


# `manage.py` arguments of the click ingester (deploy/systemd/portevoix-clicks.service).
CLICKS_ARGS = ["ingest_clicks", "--follow"]
# `manage.py` arguments of the listening stream worker (deploy/systemd/portevoix-stream.service).
STREAM_ARGS = ["listening_stream"]


class Command(BaseCommand):
    help = (
        "Run Portevoix on this machine: granian (web), the huey consumer (background jobs "
        "and the periodic schedule), the click ingester and the listening stream worker. "
        "Configured by HOST, PORT, "
        "WEB_CONCURRENCY, WEB_THREADS, HUEY_WORKERS, ACCESS_LOG."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="Address to bind (env HOST, default 127.0.0.1).")
        parser.add_argument("--port", type=int, help="Port to bind (env PORT, default 8000).")
        parser.add_argument(
            "--workers", type=int, help="web worker processes (env WEB_CONCURRENCY, 2)."
        )
        parser.add_argument(
            "--huey-workers", type=int, help="huey worker threads (env HUEY_WORKERS, 2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or env_str("HOST", "127.0.0.1")
        port = options["port"] or env_int("PORT", 8000)
        web_workers = options["workers"] or env_int("WEB_CONCURRENCY", 2)
        huey_workers = options["huey_workers"] or env_int("HUEY_WORKERS", 2)
        if not 0 < port < 65536:
            raise CommandError(f"PORT={port} is not a TCP port.")
        if web_workers < 1 or huey_workers < 1:
            raise CommandError("WEB_CONCURRENCY and HUEY_WORKERS must be at least 1.")

        self._warn_unapplied_migrations()
        base_dir = str(settings.BASE_DIR)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "PYTHONUNBUFFERED": "1",
        }
        web_cmd = [
            sys.executable, "-m", "granian",
            *granian_args(host, port, web_workers, env_int("WEB_THREADS", 8), base_dir),
        ]  # fmt: skip
        log_config: Path | None = None
        if env_bool("ACCESS_LOG", False):
            # Off by default: an access line per click would hold the visitor's address and the
            # link's code. When asked for, no address, no query string, secret paths masked.
            fd, name = tempfile.mkstemp(prefix="portevoix-granian-log-", suffix=".json")
            os.close(fd)
            log_config = write_granian_log_config(Path(name))
            web_cmd += [
                "--access-log",
                "--access-log-fmt", ACCESS_LOG_FORMAT,
                "--log-config", str(log_config),
            ]  # fmt: skip
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        worker_cmd = [*manage, *worker_args(huey_workers)]
        clicks_cmd = [*manage, *CLICKS_ARGS]
        stream_cmd = [*manage, *STREAM_ARGS]

        children: list[Child] = []
        stopping: dict[str, int] = {"signals": 0}

        def forward(signum: int, _frame: FrameType | None) -> None:
            stopping["signals"] += 1
            for child in children:
                if child.running:
                    child.process.send_signal(
                        signum if stopping["signals"] == 1 else signal.SIGKILL
                    )

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, cmd in (
                ("web", web_cmd),
                ("worker", worker_cmd),
                ("clicks", clicks_cmd),
                ("stream", stream_cmd),
            ):
                children.append(Child(name, self._spawn(cmd, env, base_dir)))
            if stopping["signals"]:  # a signal came while the children were starting
                forward(signal.SIGTERM, None)
            if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - every interface, as asked
                shown_host = "127.0.0.1"
            else:
                shown_host = f"[{host.strip('[]')}]" if ":" in host else host
            self.stdout.write(
                f"Portevoix is running at http://{shown_host}:{port}/ "
                f"(web: granian pid {children[0].process.pid}, {web_workers} workers; "
                f"worker: huey pid {children[1].process.pid}; "
                f"clicks: ingester pid {children[2].process.pid}; "
                f"stream: listening pid {children[3].process.pid}). Press Ctrl-C to stop."
            )
            self.stdout.flush()
            failed = self._supervise(children, stopping)
        finally:
            # After a signal the children were told already: give them time, then kill.
            self._stop(children, terminate=not stopping["signals"])
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if log_config is not None:
                log_config.unlink(missing_ok=True)
        if failed is not None:
            raise CommandError(
                f"The {failed.name} process exited with code {failed.process.returncode}; "
                "stopped the others."
            )
        self.stdout.write("Portevoix stopped.")

    def _warn_unapplied_migrations(self) -> None:
        try:
            self.check_migrations()  # prints a notice when `migrate` has not been run
        except DatabaseError as exc:
            self.stderr.write(self.style.WARNING(f"Cannot read the database yet: {exc}"))
        finally:
            connections.close_all()  # the children open their own connections

    def _spawn(self, cmd: list[str], env: dict[str, str], cwd: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            cmd,
            env=env,
            cwd=cwd,
            # Own process group: Ctrl-C in a terminal reaches `serve` only, which forwards it
            # once to each child.
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    def _supervise(self, children: list[Child], stopping: dict[str, int]) -> Child | None:
        """Wait until a signal stops us (returns None) or a child exits (returns it)."""
        while not stopping["signals"]:
            for child in children:
                if not child.running:
                    return child
            time.sleep(POLL_SECONDS)
        return None

    def _stop(self, children: list[Child], *, terminate: bool) -> None:
        """Wait for every child to exit (after a SIGTERM if `terminate`); SIGKILL the ones
        still running after the grace period."""
        if terminate:
            for child in children:
                if child.running:
                    child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
