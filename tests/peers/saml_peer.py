"""A SAML 2.0 identity provider on 127.0.0.1: pysaml2's own IdP (`saml2.server.Server`)
behind a small HTTP server (tests/peers/server.py), with a key pair made at start (nothing
committed), in a temporary folder.

- `GET /metadata`: its metadata (what the admin pastes in /settings/sso/).
- `GET /sso/redirect?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…&account=…`: the
  HTTP-Redirect binding. The AuthnRequest must be signed by an SP it trusts (`trust()` loads
  the SP's metadata, as an IdP admin would); it answers with the auto-posting form of the
  HTTP-POST binding to the request's ACS, for `account` (no password: a test IdP).
- `idp_initiated(...)`: an unsolicited Response for the SP, as an IdP's portal sends.

The extra query parameters `audience=another` (the assertion is for `OTHER_SP`, another SP
the IdP knows), `lifetime`
(minutes, negative for an expired assertion) and `unsigned=1` (the response signed but
not the assertion) make the wrong answers the tests need.
"""

from __future__ import annotations

import contextlib
import html
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

from portevoix.sso import saml
from tests.peers.server import FakeApp, Req, Resp, serve

ACCOUNTS: dict[str, dict[str, list[str]]] = {
    "ada@example.com": {
        "email": ["ada@example.com"],
        "displayName": ["Ada Lovelace"],
        "title": ["Engineer"],
        "groups": ["engineering", "Unknown"],
    },
    "grace@example.com": {
        "email": ["grace@example.com"],
        "displayName": ["Grace Hopper"],
        "title": ["Admiral"],
        "groups": [],
    },
    "eve@elsewhere.test": {
        "email": ["eve@elsewhere.test"],
        "displayName": ["Eve"],
        "title": [],
        "groups": [],
    },
}


OTHER_SP = "https://another-app.example.com/saml/metadata"


@dataclass
class SamlPeer:
    folder: Path
    base_url: str = ""
    sp_metadata: list[str] = field(default_factory=list)
    key_file: str = ""
    cert_file: str = ""
    other_sp_metadata: str = ""  # another SP it knows: the wrong audience

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    def _server(self, lifetime: float = 15) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": saml.xmlsec_binary(),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {
                    "inline": [m for m in (*self.sp_metadata, self.other_sp_metadata) if m]
                },
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime},
                                "attribute_restrictions": None,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": True,
                    }
                },
            }
        )
        return Server(config=config)

    def metadata(self) -> str:
        xml = create_metadata_string(None, config=self._server().config)
        return xml.decode("utf-8") if isinstance(xml, bytes) else str(xml)

    def trust(self, sp_metadata_xml: str) -> None:
        """Know the SP (its ACS and signing certificate) from the metadata it publishes."""
        self.sp_metadata = [sp_metadata_xml]

    def _response(
        self,
        *,
        account: str,
        in_response_to: str | None,
        acs_url: str,
        sp_entity_id: str,
        relay_state: str,
        audience: str = "",
        lifetime: float = 15,
        unsigned: bool = False,
    ) -> dict[str, str]:
        server = self._server(lifetime)
        response = server.create_authn_response(
            identity=ACCOUNTS[account],
            in_response_to=in_response_to,
            destination=acs_url,
            sp_entity_id=OTHER_SP if audience else sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=account),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=True,
            sign_assertion=not unsigned,
        )
        posted = server.apply_binding(
            BINDING_HTTP_POST, str(response), acs_url, relay_state, response=True
        )
        return self._form(str(posted["data"]))

    @staticmethod
    def _form(page: str) -> dict[str, str]:
        action = re.search(r'<form[^>]*action="([^"]+)"', page)
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
        if action is None or "SAMLResponse" not in fields:
            raise AssertionError("the IdP made no POST form")
        return {"action": html.unescape(action.group(1))} | {
            k: html.unescape(v) for k, v in fields.items()
        }

    def handle_redirect(self, req: Req) -> Resp:
        server = self._server()
        try:
            request = server.parse_authn_request(
                req.query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=req.query.get("RelayState"),
                sigalg=req.query.get("SigAlg"),
                signature=req.query.get("Signature"),
            )
        except Exception as exc:  # an unsigned or unknown request: refused like an IdP does
            return Resp(400, f"refused: {type(exc).__name__}")
        message = request.message
        form = self._response(
            account=req.query.get("account", "ada@example.com"),
            in_response_to=message.id,
            acs_url=message.assertion_consumer_service_url,
            sp_entity_id=message.issuer.text,
            relay_state=req.query.get("RelayState", ""),
            audience=req.query.get("audience", ""),
            lifetime=float(req.query.get("lifetime", "15")),
            unsigned=req.query.get("unsigned") == "1",
        )
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in form.items()
            if k != "action"
        )
        page = (
            '<!doctype html><html lang="en"><title>Test IdP</title><main>'
            f'<form method="post" action="{html.escape(form["action"])}">{inputs}'
            '<button type="submit">Continue to the service</button></form></main></html>'
        )
        return Resp(200, page.encode("utf-8"), {"Content-Type": "text/html"})

    def login(self, redirect_url: str, account: str, **variant: Any) -> dict[str, str]:
        """Follow our redirect to the IdP as a browser does; the form it posts back (its
        `action`, `SAMLResponse` and `RelayState`)."""
        extra = "".join(f"&{k}={v}" for k, v in {"account": account, **variant}.items())
        response = httpx.get(redirect_url + extra, timeout=10)
        if response.status_code != 200:
            raise AssertionError(f"the IdP refused the request: {response.text}")
        return self._form(response.text)

    def idp_initiated(
        self, sp_metadata_xml: str, account: str, relay_state: str = "", **variant: Any
    ) -> dict[str, str]:
        """An unsolicited Response to the SP whose metadata is given."""
        entity = re.search(r'entityID="([^"]+)"', sp_metadata_xml)
        acs = re.search(r'AssertionConsumerService[^>]*Location="([^"]+)"', sp_metadata_xml)
        assert entity and acs
        return self._response(
            account=account,
            in_response_to=None,
            acs_url=html.unescape(acs.group(1)),
            sp_entity_id=html.unescape(entity.group(1)),
            relay_state=relay_state,
            **variant,
        )


@contextlib.contextmanager
def running_peer() -> Iterator[SamlPeer]:
    with tempfile.TemporaryDirectory(prefix="pv-saml-idp-") as folder:
        peer = SamlPeer(folder=Path(folder))
        key_pem, cert_pem = saml.key_pair("Portevoix test IdP")
        peer.key_file = str(peer.folder / "idp.key")
        peer.cert_file = str(peer.folder / "idp.crt")
        Path(peer.key_file).write_text(key_pem)
        Path(peer.cert_file).write_text(cert_pem)
        other_key, other_cert = saml.key_pair("another app")
        peer.other_sp_metadata = saml.sp_metadata(
            saml.ServiceProvider(
                entity_id=OTHER_SP,
                acs_url="https://another-app.example.com/saml/acs",
                key_pem=other_key,
                cert_pem=other_cert,
            )
        )
        app = FakeApp("saml-idp")
        app.route("GET", "/metadata")(
            lambda req: Resp(200, peer.metadata().encode(), {"Content-Type": "application/xml"})
        )
        app.route("GET", "/sso/redirect")(peer.handle_redirect)
        with serve(app) as base_url:
            peer.base_url = base_url
            yield peer


def saml_peer_fixture() -> Any:
    @pytest.fixture(scope="session")
    def saml_peer() -> Iterator[SamlPeer]:
        if shutil.which("xmlsec1") is None:
            pytest.fail("xmlsec1 is missing: run scripts/system_packages.sh", pytrace=False)
        with running_peer() as peer:
            yield peer

    return saml_peer


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
