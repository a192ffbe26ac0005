"""A certified OpenID Connect provider (the npm package oidc-provider) on 127.0.0.1.

`tests/peers/oidc/start.mjs` configures two clients (`portevoix`, `another-app`) and fixed
accounts (ada@example.com, grace@example.com, eve@elsewhere.test, nobody@example.com whose
address is not verified); `scripts/peers/oidc.sh install` puts its node_modules in place
from the lockfile (`make peers`). One provider per test session, on a free port. Without it,
the tests are skipped outside CI and fail in CI.

`login(client, url, account)` drives the provider's own login and consent forms with httpx
from the authorization URL the app redirected to, and returns the app's callback URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

PEER_DIR = Path(__file__).resolve().parent / "oidc"
START_SCRIPT = PEER_DIR / "start.mjs"
CLIENT_ID, CLIENT_SECRET = "portevoix", "portevoix-secret"
OTHER_CLIENT_ID, OTHER_CLIENT_SECRET = "another-app", "another-secret"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass
class OidcPeer:
    issuer: str
    process: subprocess.Popen[str]

    def login(self, authorization_url: str, account: str) -> str:
        """The callback URL (with code and state) the provider sends the browser back to."""
        url = authorization_url
        with httpx.Client(follow_redirects=False, timeout=10) as browser:
            for _step in range(12):
                response = browser.get(url)
                if "/interaction/" in url and response.status_code == 200:
                    prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
                    data = {"prompt": prompt.group(1) if prompt else "login"}
                    if data["prompt"] == "login":
                        data |= {"login": account, "password": "any"}
                    response = browser.post(url, data=data)
                location = response.headers.get("location")
                if not location:
                    raise AssertionError(f"the provider stopped at {url}: {response.status_code}")
                url = urljoin(url, location)
                if not url.startswith(self.issuer):
                    return url
        raise AssertionError("too many redirects at the provider")


def oidc_peer_fixture() -> Any:
    @pytest.fixture(scope="session")
    def oidc_peer() -> Iterator[OidcPeer]:
        node = shutil.which("node")
        marker = PEER_DIR / "node_modules" / ".portevoix-installed"
        digest = hashlib.sha256((PEER_DIR / "package-lock.json").read_bytes()).hexdigest()
        if node is None or not marker.exists() or marker.read_text().strip() != digest:
            reason = "the OIDC peer is not installed: run `bash scripts/peers/oidc.sh install`"
            if _in_ci():
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        env = {
            **os.environ,
            "PV_OIDC_PORT": "0",
            "PV_OIDC_REDIRECT_URIS": "http://testserver/sso/callback/",
        }
        process = subprocess.Popen(
            [node, "--no-deprecation", str(START_SCRIPT)],
            cwd=PEER_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            ready = json.loads(line) if line else {}
            if ready.get("event") != "ready":
                raise RuntimeError("the OIDC peer did not start")
            yield OidcPeer(issuer=ready["issuer"], process=process)
        finally:
            process.terminate()
            process.wait(timeout=10)

    return oidc_peer


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
