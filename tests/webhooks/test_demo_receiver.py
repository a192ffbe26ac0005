"""The demo's webhooks reach the local receiver: the demo's endpoint (turned off, every event,
its secret written to var/ for its owner only), and `scripts/peers/webhooks.sh run`, a real
process, which verifies the Standard Webhooks signature of the test event and prints it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.demo import extra_webhooks
from portevoix.webhooks import services
from portevoix.webhooks.events import EVENT_TYPES, TEST_EVENT
from portevoix.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.stack import ROOT, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.peers]


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _next(lines: queue.Queue[str], prefix: str) -> str:
    while True:
        line = lines.get(timeout=30)
        if line.startswith(prefix):
            return line


def test_the_demo_endpoint_reaches_the_local_receiver(
    org: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.VAR_DIR = tmp_path
    admin = factories.make_member(org, Role.ADMIN, email=extra_webhooks.ADMIN)
    extra_webhooks.load(org)
    endpoint = WebhookEndpoint.objects.get(organization=org)
    assert endpoint.url == extra_webhooks.RECEIVER_URL
    assert not endpoint.enabled and set(endpoint.event_types) == set(EVENT_TYPES)
    secret_file = tmp_path / extra_webhooks.SECRET_FILE
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert secret_file.read_text().strip() == services.endpoint_secret(endpoint)

    port = free_port()
    receiver = subprocess.Popen(
        ["bash", str(ROOT / "scripts/peers/webhooks.sh"), "run"],
        env={**os.environ, "PORTEVOIX_VAR_DIR": str(tmp_path), "WEBHOOK_PEER_PORT": str(port)},
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        process_group=0,
    )  # fmt: skip
    try:
        lines = _lines(receiver)
        _next(lines, "webhook receiver on")
        # The demo's receiver listens on 8790; this one on a free port.
        services.endpoint_update(
            actor=admin,
            endpoint=endpoint,
            data=services.EndpointData(
                url=f"http://127.0.0.1:{port}/portevoix",
                event_types=list(endpoint.event_types),
                description=endpoint.description,
                enabled=False,
            ),
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.test_event_send(actor=admin, endpoint=endpoint)
        line = _next(lines, "verified:")
        assert line.startswith(f"verified: {TEST_EVENT} id="), line
        assert f'"endpoint_id": {endpoint.pk}' in line
        assert WebhookDelivery.objects.get(endpoint=endpoint).state == DeliveryState.DELIVERED
    finally:
        os.killpg(receiver.pid, signal.SIGTERM)
        receiver.wait(timeout=10)
