"""Several test hosts on one machine, each in a network namespace of its own.

`Lab(2)` makes a bridge in the machine's own namespace (the "database machine": PostgreSQL,
Redis and the test's peers live there) and, per host, a network namespace joined to the bridge
by a veth pair, with its own address and its own loopback. A host reaches the database machine
only at the bridge's address (`lab.gateway`): `lab.forward(port)` relays that address and port
to the same port on 127.0.0.1, where PostgreSQL and Redis listen (trust authentication applies
to 127.0.0.1 only). Killing a host kills every process in its namespace (`ip netns pids`),
as a machine that loses power: what it wrote to disk stays.

It needs root and iproute2 (`ip netns`). Where namespaces cannot be made, the lab says so
(`lab.namespaces` is False) and its hosts are plain process groups on 127.0.0.1, each with
its own ports and folders: the same test then runs, with one network instead of three.
Every name carries the test process's id, and everything made is removed on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@dataclass
class Host:
    name: str
    address: str  # where the others reach it
    netns: str | None  # None: a plain process group on 127.0.0.1
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def popen(self, cmd: Sequence[str], **kwargs: object) -> subprocess.Popen[bytes]:
        """Start `cmd` on this host (in its namespace), in a process group of its own."""
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        process = subprocess.Popen([*prefix, *cmd], process_group=0, **kwargs)  # type: ignore[call-overload]
        self.processes.append(process)
        return process

    def run(self, cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]

    def pids(self) -> set[int]:
        """Every process running on this host."""
        if self.netns:
            out = subprocess.run(
                ["ip", "netns", "pids", self.netns], capture_output=True, text=True, timeout=30
            ).stdout
            return {int(pid) for pid in out.split()}
        return {p.pid for p in self.processes if p.poll() is None}

    def kill(self) -> None:
        """Power cut: SIGKILL every process of the host, at once."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=30)


class _Relay:
    """TCP relay from (listen_host, port) to 127.0.0.1:port, in threads."""

    def __init__(self, listen_host: str, port: int) -> None:
        self.port = port
        self.server = socket.create_server((listen_host, port), reuse_port=False)
        self.server.settimeout(0.2)
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, name=f"relay-{port}", daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stopped.set()
        self.server.close()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


class Lab:
    def __init__(self, hosts: int) -> None:
        self.count = hosts
        tag = f"{os.getpid() % 100000}"
        self.bridge = f"pvbr{tag}"
        # A private /24 per test process: 10.<a>.<b>.0, away from common LAN ranges.
        n = os.getpid() % 60000
        self.subnet = f"10.{200 + n // 256 % 50}.{n % 256}"
        self.hosts: list[Host] = []
        self.relays: list[_Relay] = []
        self.namespaces = False
        self._tag = tag
        self.gateway = "127.0.0.1"

    def __enter__(self) -> Lab:
        if os.geteuid() == 0 and shutil.which("ip"):
            try:
                self._make_namespaces()
                self.namespaces = True
            except (subprocess.CalledProcessError, OSError):
                self._remove_namespaces()
                self.hosts = []
        if not self.namespaces:
            self.hosts = [Host(f"host{i}", "127.0.0.1", None) for i in range(self.count)]
        return self

    def _make_namespaces(self) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.subnet}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        self.gateway = f"{self.subnet}.1"
        for i in range(self.count):
            netns = f"pv{self._tag}h{i}"
            outside, inside = f"pv{self._tag}v{i}", f"pv{self._tag}p{i}"
            address = f"{self.subnet}.{i + 2}"
            self.hosts.append(Host(f"host{i}", address, netns))
            _ip("netns", "add", netns)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", netns)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("-n", netns, "addr", "add", f"{address}/24", "dev", inside)
            _ip("-n", netns, "link", "set", inside, "up")
            _ip("-n", netns, "link", "set", "lo", "up")
            _ip("-n", netns, "route", "add", "default", "via", self.gateway)

    def forward(self, port: int) -> None:
        """Let the hosts reach 127.0.0.1:port of this machine at gateway:port."""
        if self.namespaces:
            self.relays.append(_Relay(self.gateway, port))

    def _remove_namespaces(self) -> None:
        for i in range(self.count):
            subprocess.run(["ip", "netns", "del", f"pv{self._tag}h{i}"], capture_output=True)
            subprocess.run(["ip", "link", "del", f"pv{self._tag}v{i}"], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for host in self.hosts:
            host.kill()
        for relay in self.relays:
            relay.close()
        if self.namespaces:
            self._remove_namespaces()
