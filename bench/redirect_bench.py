# ruff: noqa: S603, S607, SIM115
"""Benchmark of the tracked-link redirect hot path against nginx on the same machine.

    .venv/bin/python bench/redirect_bench.py [--duration 10] [--only NAME,...] [--no-redis]
                                             [--no-django] [--no-kill] [--out bench/RESULTS.md]

Two set-ups, each with its own nginx reference:

- pinned: every server gets one worker process pinned to core 0 (nginx: worker_processes 1,
  also on core 0); wrk runs on core 1 with one thread and 64 connections.
- default: the stack `make run` starts (`manage.py serve` with its defaults: 2 granian workers
  with 8 threads each, the huey consumer and the click ingester running, no access log)
  against nginx with 2 worker processes; nothing pinned, wrk with one thread and 64
  connections on the same two cores (`portevoix-default`, `nginx-2w`).
 Redis, when used, is pinned to core 1
too (next to wrk), with appendonly everysec. Only 127.0.0.1 is targeted. Every process started
here is stopped here (by its own pid), and every step has a time bound.

Needs: nginx (nginx-light), wrk, redis-server (optional), and in the venv: granian, uvicorn,
uvloop, httptools (versions in the report).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
URL_PATH = "/l/abc123"
SERVER_CORE = "0"
CLIENT_CORE = "1"
CONNECTIONS = 64


# --------------------------------------------------------------------------- helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {HOST}:{port} after {timeout}s")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class Proc:
    """A process we started, in its own process group; stopped by its own pid."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._fh = open(log, "wb")
        self.p = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def children(self) -> list[int]:
        try:
            txt = Path(f"/proc/{self.p.pid}/task/{self.p.pid}/children").read_text()
        except OSError:
            return []
        return [int(x) for x in txt.split()]

    def stop(self) -> None:
        if self.p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(timeout=5)
        self._fh.close()


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of all cores busy (incl. steal) over `seconds`, from /proc/stat."""

    def snap() -> tuple[int, int]:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = f[3] + f[4]
        return sum(f[:8]), idle

    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def wait_quiet(limit_s: float, threshold: float = 0.10) -> float:
    """Wait (at most limit_s) until the machine is idle apart from us; return the busy share."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


def parse_wrk(out: str) -> dict:
    def dur_ms(v: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
        if not m:
            raise ValueError(v)
        x, u = float(m.group(1)), m.group(2)
        return {"us": x / 1000, "ms": x, "s": x * 1000, "m": x * 60000}[u]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = dur_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = dur_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non3xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "total": total,
        "bad": int(non3xx.group(1)) if non3xx else 0,
        "errors": errors.group(0) if errors else "",
    }


def run_wrk(
    port: int,
    duration: int,
    path: str = URL_PATH,
    script: Path | None = None,
    *,
    pinned: bool = True,
) -> str:
    argv = ["taskset", "-c", CLIENT_CORE] if pinned else []
    argv += ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s"]
    argv += ["--latency", "--timeout", "5s"]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"http://{HOST}:{port}{path}")
    return subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30).stdout


# --------------------------------------------------------------------------- servers
NGINX_CONF = """\
{workers}
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp; uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp;
    server {{
        listen {host}:{port};
        location /l/ {{ return 302 https://example.org/; }}
    }}
}}
"""


@dataclass
class Candidate:
    name: str
    server: str  # nginx | granian-rsgi | granian-asgi | uvicorn
    sink: str = "none"  # none | file | redis | redis1
    app: str = ""  # module:callable
    django: bool = False
    note: str = ""
    # The real Portevoix web tier (config.wsgi): a seeded database and a real short link.
    real: bool = False
    path: str = URL_PATH
    # False: the default set-up (2 workers, nothing pinned; compared with nginx-2w).
    pinned: bool = True


def start(c: Candidate, port: int, work: Path, env: dict[str, str]) -> Proc:
    log = work / f"{c.name}.log"
    if c.server == "nginx":
        prefix = work / "nginx"
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        workers = (
            "worker_processes 1;\nworker_cpu_affinity 01;" if c.pinned else "worker_processes 2;"
        )
        conf.write_text(NGINX_CONF.format(workers=workers, prefix=prefix, host=HOST, port=port))
        argv = ["nginx", "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"]
    elif c.server == "serve":  # `make run`'s stack, with every default of `manage.py serve`
        argv = [sys.executable, "manage.py", "serve", "--host", HOST, "--port", str(port)]
    elif c.server.startswith("granian"):
        iface = c.server.split("-", 1)[1]
        argv = [
            str(VENV_BIN / "granian"),
            "--interface",
            iface,
            "--host",
            HOST,
            "--port",
            str(port),
        ]
        argv += ["--workers", "1", "--runtime-mode", "st", "--loop", "uvloop", "--log-level"]
        argv += ["warning", "--no-ws", c.app]
    elif c.server == "uvicorn":
        argv = [str(VENV_BIN / "uvicorn"), "--host", HOST, "--port", str(port), "--loop", "uvloop"]
        argv += ["--http", "httptools", "--no-access-log", "--log-level", "warning", c.app]
    else:
        raise ValueError(c.server)
    if c.pinned:
        argv = ["taskset", "-c", SERVER_CORE, *argv]
    return Proc(argv, cwd=ROOT, env=env, log=log)


def app_env(c: Candidate, work: Path, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REDIRECT_SINK=c.sink,
        REDIRECT_JOURNAL_DIR=str(work / f"journal-{c.name}"),
        REDIS_URL=redis_url,
        PYTHONPATH=str(ROOT),
    )
    if c.django or c.real:
        env.update(
            REDIRECT_DJANGO_IFACE="wsgi" if c.server in {"granian-wsgi", "serve"} else "asgi",
            REDIRECT_WITH_DJANGO="1",
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY="bench-" + "x" * 40,
            FIELD_ENCRYPTION_KEY="bench-field-key-" + "y" * 40,
            ALLOWED_HOSTS=HOST,
            PORTEVOIX_VAR_DIR=str(var_dir_of(c, work)),
        )
    return env


def journal_lines(d: Path) -> int:
    if not d.is_dir():
        return 0
    n = 0
    for f in d.iterdir():
        with open(f, "rb") as fh:
            n += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return n


def count_records(c: Candidate, work: Path, redis_port: int) -> int:
    if c.sink == "file":
        return journal_lines(journal_dir_of(c, work))
    if c.sink == "redisb":  # entries hold several lines each: count the lines
        return redis_stream_lines(redis_port)
    if c.sink.startswith("redis"):
        return int(redis_cli(redis_port, "XLEN", "portevoix:clicks") or 0)
    return 0


def redis_stream_lines(redis_port: int) -> int:
    import redis

    r = redis.Redis(host=HOST, port=redis_port)
    n, last = 0, "-"
    while True:
        batch = r.xrange("portevoix:clicks", min=last, count=10000)
        if last != "-" and batch:
            batch = batch[1:]
        if not batch:
            break
        for _id, fields in batch:
            n += fields[b"c"].count(b"\n")
        last = batch[-1][0]
    r.close()
    return n


def redis_cli(redis_port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", HOST, "-p", str(redis_port), *args],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()


# --------------------------------------------------------------------------- micro benchmarks
def micro(work: Path) -> list[tuple[str, float]]:
    sys.path.insert(0, str(ROOT))
    os.environ["REDIRECT_SINK"] = "none"
    import hmac
    from hashlib import blake2b, sha256

    from bench import redirect_app as ra

    ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
    ref = "https://www.linkedin.com/feed/update/urn:li:activity:7160000000000000000/"
    ip = "203.0.113.42"
    now = time.time()
    salt = ra._daily_salt(now)
    fd = os.open(work / "micro.journal", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    line = ra.click_line("abc123", now, ip, ua, ref)
    cases = {
        "blake2b(salt+ip+ua), 12-byte hexdigest": lambda: blake2b(
            salt + ip.encode() + b"\0" + ua.encode(), digest_size=12
        ).hexdigest(),
        "HMAC-SHA256(salt, ip+ua) (for comparison)": lambda: hmac.new(
            salt, (ip + "\0" + ua).encode(), sha256
        ).hexdigest(),
        "ua_class(ua)": lambda: ra.ua_class(ua),
        "referrer_host(ref)": lambda: ra.referrer_host(ref),
        "whole click line (hash + class + host + format)": lambda: ra.click_line(
            "abc123", now, ip, ua, ref
        ),
        "location(code): dict lookup + URL build": lambda: ra.location("abc123"),
        "os.write(O_APPEND fd, line)": lambda: os.write(fd, line),
    }
    out = []
    for name, fn in cases.items():
        n = 200_000
        best = min(timeit.repeat(fn, number=n, repeat=3)) / n
        out.append((name, best * 1e6))
    n = 200
    t0 = time.perf_counter()
    for _ in range(n):
        os.write(fd, line)
        os.fdatasync(fd)
    out.append(
        (
            "os.write + fdatasync (NOT used; for power-loss comparison)",
            (time.perf_counter() - t0) / n * 1e6,
        )
    )
    os.close(fd)
    return out


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        help="before each run, wait up to this many seconds for the CPUs to be idle",
    )
    ap.add_argument("--repeat", type=int, default=1, help="runs per candidate; the best is kept")
    ap.add_argument("--only", default="", help="comma-separated candidate names")
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--no-django", action="store_true")
    ap.add_argument("--no-kill", action="store_true", help="skip the SIGKILL durability check")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = ap.parse_args()

    for tool in ("nginx", "wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is required (apt-get install nginx-light wrk util-linux)")
    have_redis = not args.no_redis and bool(shutil.which("redis-server"))

    R, A, D = (
        "bench.redirect_app:rsgi_app",
        "bench.redirect_app:asgi_app",
        "bench.redirect_app:dispatch_app",
    )
    W, WD = "bench.redirect_app:wsgi_redirect", "bench.redirect_app:wsgi_dispatch"
    candidates = [
        Candidate("nginx", "nginx", note="static `return 302`"),
        Candidate("granian-rsgi-none", "granian-rsgi", "none", R, note="no click record"),
        Candidate("granian-rsgi-file", "granian-rsgi", "file", R),
        Candidate("granian-asgi-none", "granian-asgi", "none", A, note="no click record"),
        Candidate("granian-asgi-file", "granian-asgi", "file", A),
        Candidate("granian-wsgi-file", "granian-wsgi", "file", W),
        Candidate("uvicorn-none", "uvicorn", "none", A, note="no click record"),
        Candidate("uvicorn-file", "uvicorn", "file", A),
    ]
    if have_redis:
        candidates += [
            Candidate("granian-rsgi-redis", "granian-rsgi", "redis", R, note="XADD, group commit"),
            Candidate(
                "granian-rsgi-redisb",
                "granian-rsgi",
                "redisb",
                R,
                note="group commit, one XADD entry per group",
            ),
            Candidate("granian-rsgi-redis1", "granian-rsgi", "redis1", R, note="XADD per request"),
            Candidate("granian-asgi-redis", "granian-asgi", "redis", A, note="XADD, group commit"),
            Candidate(
                "granian-asgi-redisb",
                "granian-asgi",
                "redisb",
                A,
                note="group commit, one XADD entry per group",
            ),
            Candidate("uvicorn-redis", "uvicorn", "redis", A, note="XADD, group commit"),
            Candidate(
                "uvicorn-redisb",
                "uvicorn",
                "redisb",
                A,
                note="group commit, one XADD entry per group",
            ),
        ]
    if not args.no_django:
        candidates.append(
            Candidate(
                "granian-asgi-file+django",
                "granian-asgi",
                "file",
                D,
                django=True,
                note="dispatcher: /l/ fast path, rest to Django ASGI",
            )
        )
        candidates.append(
            Candidate(
                "granian-wsgi-file+django",
                "granian-wsgi",
                "file",
                WD,
                django=True,
                note="dispatcher: /l/ fast path, rest to Django WSGI",
            )
        )
    candidates.append(
        Candidate(
            "portevoix",
            "granian-wsgi",
            "file",
            "config.wsgi:application",
            real=True,
            note="THE REAL APP: config.wsgi (redirect in front of Django), link cache, journal",
        )
    )
    candidates.append(Candidate("nginx-again", "nginx", note="drift check"))
    candidates += [
        Candidate("nginx-2w", "nginx", note="static `return 302`, 2 workers", pinned=False),
        Candidate(
            "portevoix-default",
            "serve",
            "file",
            real=True,
            pinned=False,
            note="THE DEFAULT `make run` STACK: manage.py serve (2 granian workers x 8 threads, "
            "huey consumer, click ingester), no access log",
        ),
        Candidate("nginx-2w-again", "nginx", note="drift check, 2 workers", pinned=False),
    ]
    if args.only:
        keep = set(args.only.split(",")) | {c.name for c in candidates if c.server == "nginx"}
        candidates = [c for c in candidates if c.name in keep]

    work = Path(tempfile.mkdtemp(prefix="pv-redirect-bench-"))
    procs: list[Proc] = []
    results: list[tuple[Candidate, dict, str]] = []
    redis_url, redis_port = "", 0
    kill_report: list[str] = []
    failures: list[str] = []
    django_report: list[str] = []
    deadline = time.monotonic() + 40 * 60  # hard bound for the whole run
    try:
        if have_redis:
            redis_port = free_port()
            rdir = work / "redis"
            rdir.mkdir()
            rp = Proc(
                [
                    "taskset",
                    "-c",
                    CLIENT_CORE,
                    "redis-server",
                    "--bind",
                    HOST,
                    "--port",
                    str(redis_port),
                    "--dir",
                    str(rdir),
                    "--save",
                    "",
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--protected-mode",
                    "yes",
                ],
                cwd=work,
                env=dict(os.environ),
                log=work / "redis.log",
            )
            procs.append(rp)
            wait_port(redis_port)
            redis_url = f"redis://{HOST}:{redis_port}/0"

        for c in candidates:
            if time.monotonic() > deadline:
                print("time bound reached, stopping", file=sys.stderr)
                break
            try:
                run_candidate(c, args, work, redis_url, redis_port, procs, results, django_report)
            except Exception as exc:  # one broken candidate must not hide the others
                print(f"{c.name}: FAILED: {exc!r}", file=sys.stderr, flush=True)
                failures.append(f"- {c.name}: {type(exc).__name__}: {str(exc)[:300]}")

        if not args.no_kill:
            kill_report += kill_test(work, redis_url, redis_port, "file", "granian-rsgi")
            if have_redis:
                kill_report += kill_test(work, redis_url, redis_port, "redisb", "granian-rsgi")
        micro_rows = micro(work)
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(work, ignore_errors=True)

    write_results(Path(args.out), args, results, micro_rows, kill_report, django_report, failures)
    print(Path(args.out).read_text().split(START, 1)[1].split(END, 1)[0])
    return 0


def run_candidate(c, args, work, redis_url, redis_port, procs, results, django_report) -> None:
    port = free_port()
    if redis_port:
        redis_cli(redis_port, "DEL", "portevoix:clicks")
    if c.django or c.real:
        prepare_django(work, app_env(c, work, redis_url))
    if c.real:
        c.path = "/l/" + seed_link(app_env(c, work, redis_url))
    p = start(c, port, work, app_env(c, work, redis_url))
    procs.append(p)
    try:
        try:
            wait_port(port, timeout=20.0 if c.pinned else 90.0)
            if c.server == "serve":  # granian listens before its workers have loaded Django
                wait_healthy(port)
        except RuntimeError:
            print(p.log.read_text()[-3000:], file=sys.stderr)
            raise
        st, hd, _ = get(
            port,
            c.path,
            {
                "User-Agent": "Mozilla/5.0 (X11; Linux)",
                "Referer": "https://www.linkedin.com/feed/",
            },
        )
        assert st == 302 and hd.get("location", "").startswith("https://example.org/"), (
            st,
            hd,
        )
        if c.django:
            django_report.extend(django_check(port, p.log, c.name))
        run_wrk(port, 2, path=c.path, pinned=c.pinned)  # warm-up
        runs = []
        for _ in range(args.repeat):
            load1 = wait_quiet(args.wait_quiet) if args.wait_quiet else cpu_busy()
            before = count_records(c, work, redis_port)
            out = run_wrk(port, args.duration, path=c.path, pinned=c.pinned)
            r = parse_wrk(out)
            r["load1"] = load1
            # cross-check: every request answered during the run left a record
            if c.sink != "none" and c.server != "serve":  # serve's ingester empties the journal
                r["records"] = count_records(c, work, redis_port) - before
            runs.append(r)
        res = max(runs, key=lambda r: r["rps"])  # best of N: other tenants only slow us down
        res["all_rps"] = [round(r["rps"]) for r in runs]
        if c.django:
            dj = parse_wrk(run_wrk(port, max(3, args.duration // 2), path="/healthz"))
            django_report.append(
                f"- {c.name}: Django `/healthz` under wrk -c{CONNECTIONS}, same worker: "
                f"{dj['rps']:.0f} req/s, p99 {dj['p99']:.2f} ms, non-2xx/3xx {dj['bad']}"
            )
        results.append((c, res, out))
        print(
            f"{c.name:28s} {res['rps']:>10.0f} req/s  p99 {res['p99']:.2f} ms"
            f"  records={res.get('records', '-')} total={res['total']}",
            flush=True,
        )
    finally:
        p.stop()
        procs.remove(p)


SEED = """
from tests import factories
from portevoix.accounts.roles import Role
from portevoix.sharing.services import link_get_or_create
org = factories.make_org("Bench")
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/launch?ref=bench")
print("CODE=" + link_get_or_create(membership=ambassador, item=item, network="linkedin").code)
"""


def wait_healthy(port: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if get(port, "/healthz")[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer 200 on {HOST}:{port} after {timeout}s")


def seed_link(env: dict[str, str]) -> str:
    """A live item and its short link in the benchmark's database; returns the code."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=ROOT, env=env, check=True, timeout=300, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.split("CODE=")[1].split()[0]


def journal_dir_of(c: Candidate, work: Path) -> Path:
    return var_dir_of(c, work) / "clicks" if c.real else work / f"journal-{c.name}"


def var_dir_of(c: Candidate, work: Path) -> Path:
    """One database per set-up: each seeds its own link."""
    return work / "var" if c.pinned else work / f"var-{c.name}"


def prepare_django(work: Path, env: dict[str, str]) -> None:
    for cmd in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, check=True, timeout=300
        )


def django_check(port: int, log: Path, name: str) -> list[str]:
    lines = []
    for path in ("/healthz", "/login/"):
        st, _hd, body = get(port, path)
        ok = st == 200
        lines.append(
            f"- {name}: Django `{path}` through the dispatcher: HTTP {st}"
            f"{' (' + str(len(body)) + ' bytes)' if ok else ''}"
        )
        if not ok:
            time.sleep(0.5)
            print(log.read_text()[-3000:], file=sys.stderr)
            raise AssertionError(f"Django {path} answered {st}: {body[:300]!r}")
    return lines


KILL_LUA = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n302 = 0 end
function response(status, headers, body) if status == 302 then n302 = n302 + 1 end end
function done(summary, latency, requests)
  local t = 0
  for _, th in ipairs(threads) do t = t + th:get("n302") end
  io.write(string.format("GOT302 %d\\n", t))
end
"""


def kill_test(work: Path, redis_url: str, redis_port: int, sink: str, server: str) -> list[str]:
    """Load the server, SIGKILL its worker mid-run, then compare 302s received with records."""
    c = Candidate(
        f"kill-{server}-{sink}",
        server,
        sink,
        "bench.redirect_app:rsgi_app" if server.endswith("rsgi") else "bench.redirect_app:asgi_app",
    )
    script = work / "count302.lua"
    script.write_text(KILL_LUA)
    if sink.startswith("redis"):
        redis_cli(redis_port, "DEL", "portevoix:clicks")
    port = free_port()
    p = start(c, port, work, app_env(c, work, redis_url))
    try:
        wait_port(port)
        time.sleep(0.3)
        worker = (p.children() or [p.p.pid])[0]
        wrk = subprocess.Popen(
            [
                "taskset",
                "-c",
                CLIENT_CORE,
                "wrk",
                "-t1",
                f"-c{CONNECTIONS}",
                "-d4s",
                "-s",
                str(script),
                f"http://{HOST}:{port}{URL_PATH}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(2.0)
        os.kill(worker, signal.SIGKILL)
        out, _ = wrk.communicate(timeout=30)
    finally:
        p.stop()
    got = int(re.search(r"GOT302 (\d+)", out).group(1))
    rec = count_records(c, work, redis_port)
    verdict = "OK, none lost" if rec >= got else f"LOST {got - rec}"
    return [
        f"- {server}, sink `{sink}`: worker pid {worker} got SIGKILL under load after 2 s; "
        f"302s received by wrk: {got}; click records found: {rec} -> {verdict}"
    ]


def write_results(out: Path, args, results, micro_rows, kill_report, django_report, failures):
    def nginx_mean(pinned: bool) -> float:
        ng = [r for c, r, _ in results if c.server == "nginx" and c.pinned == pinned]
        return sum(r["rps"] for r in ng) / len(ng) if ng else float("nan")

    ng_rps, ng2_rps = nginx_mean(True), nginx_mean(False)
    vers = []
    for pkg in ("granian", "uvicorn", "uvloop", "httptools", "redis", "hiredis", "Django"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            vers.append(f"{pkg} {metadata.version(pkg)}")
    tool_v = []
    for argv in (["nginx", "-v"], ["redis-server", "--version"]):
        with contextlib.suppress(Exception):
            r = subprocess.run(argv, capture_output=True, text=True, timeout=5)
            tool_v.append((r.stdout + r.stderr).strip().splitlines()[0])
    lines = [
        "## Redirect hot path (`GET /l/<code>`) against nginx",
        "",
        f"Recorded {time.strftime('%Y-%m-%d %H:%M %Z')} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}).",
        f"Command: `{' '.join(['python', 'bench/redirect_bench.py', *sys.argv[1:]])}`",
        "",
        f"Pinned set-up (the rows above `nginx-again`): each server has one worker process "
        f"pinned to core {SERVER_CORE}. Load: "
        f"`taskset -c {CLIENT_CORE} wrk -t1 -c{CONNECTIONS} -d{args.duration}s --latency "
        f"http://127.0.0.1:PORT{URL_PATH}` after a 2 s warm-up. Redis (when used) on core "
        f"{CLIENT_CORE} with appendonly everysec. nginx req/s for the ratio = mean of the runs "
        f"at the start and end ({ng_rps:.0f}). Default set-up (`nginx-2w`, "
        "`portevoix-default`, `nginx-2w-again`): `manage.py serve` exactly as `make run` "
        "starts it (2 granian workers x 8 threads, huey consumer and click ingester running, "
        "no access log: the defaults) against nginx with 2 worker processes, nothing pinned, "
        f"`wrk -t1 -c{CONNECTIONS}` on the same cores; its ratio is to the mean of the two "
        f"2-worker nginx runs ({ng2_rps:.0f}). Target: ratio >= 0.333 and p99 < 10 ms. "
        f"Each candidate ran {args.repeat} time(s); the row shows the run with the most req/s "
        "(other work on the machine only slows a run down); 'CPU busy before' is the share of "
        "both cores busy (incl. steal) in the second before that run, with our server idle: "
        f"each run first waited up to {args.wait_quiet:.0f} s for it to fall under 10%.",
        "",
        "| candidate | click record | req/s | p50 ms | p99 ms | ratio to nginx | target "
        "| records / wrk total | all runs req/s | CPU busy before | note |",
        "|---|---|---:|---:|---:|---:|:-:|---:|---|---:|---|",
    ]
    for c, r, _ in results:
        ratio = r["rps"] / (ng_rps if c.pinned else ng2_rps)
        ok = "yes" if ratio >= 1 / 3 and r["p99"] < 10 and not r["bad"] else "no"
        if c.server == "nginx":
            ok = "-"
        rec = f"{r['records']} / {r['total']}" if "records" in r else "-"
        note = (
            c.note
            + (f"; {r['bad']} non-3xx" if r["bad"] else "")
            + (f"; {r['errors']}" if r["errors"] else "")
        )
        lines.append(
            f"| {c.name} | {c.sink if c.server != 'nginx' else '-'} | {r['rps']:.0f} | "
            f"{r['p50']:.2f} | {r['p99']:.2f} | {ratio:.3f} | {ok} | {rec} | "
            f"{', '.join(map(str, r['all_rps']))} | {r['load1'] * 100:.0f}% | {note} |"
        )
    lines += [
        "",
        "Records are counted over the measured run only (journal lines or stream lines, "
        "before/after). Records >= wrk total is expected: wrk counts the responses it finished "
        "reading before its deadline; the server recorded every click it answered, in-flight "
        "ones included.",
        "",
    ]
    if failures:
        lines += ["### Candidates that failed", "", *failures, ""]
    if django_report:
        lines += ["### Django behind the dispatcher (same process)", "", *django_report, ""]
    if kill_report:
        lines += ["### SIGKILL durability check", "", *kill_report, ""]
    lines += [
        "### Per-call costs (best of 3 x 200k calls, one core, no load)",
        "",
        "| operation | µs per call |",
        "|---|---:|",
    ]
    lines += [f"| {n} | {us:.2f} |" for n, us in micro_rows]
    lines += ["", "Versions: " + ", ".join(vers + tool_v) + ".", ""]
    update_section(out, "\n".join(lines))


START, END = "<!-- redirect-bench:start -->", "<!-- redirect-bench:end -->"


def update_section(out: Path, text: str) -> None:
    """bench/RESULTS.md is shared with other benchmarks: replace only our marked section."""
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    old = out.read_text() if out.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "") + block
    out.write_text(new)


if __name__ == "__main__":
    sys.exit(main())
