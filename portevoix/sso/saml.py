"""SAML 2.0, the service provider's side, with pysaml2 (which calls the `xmlsec1` program
for XML signatures): our metadata, the AuthnRequest (HTTP-Redirect binding, signed with
our key), and the checks of the IdP's Response (HTTP-POST binding to our ACS).

Knows no model: the caller gives a `ServiceProvider` (our entity ID, ACS URL, key pair and
the IdP's metadata as the admin pasted it) and gets plain data back. pysaml2 checks the
Response: the XML signature of the assertion (required: `want_assertions_signed`) with the
certificate of the IdP's metadata (the only IdP it knows), the issuer, the audience (our
entity ID), the destination (our ACS), the validity window (NotBefore / NotOnOrAfter, with
`CLOCK_SKEW_SECONDS` of leeway), and InResponseTo against the request we sent (`outstanding`),
or, when there is none, that unsolicited responses are allowed (IdP-initiated). Replays are
the caller's to refuse (`Assertion.response_id`, `assertion_id`, `expires_at`). Nothing here
is fetched from the network: the IdP's metadata is pasted. No assertion, key or attribute is
logged.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED
from saml2.validate import valid_instance
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from portevoix.core import clock
from portevoix.networks import base

from .errors import SignInError

CLOCK_SKEW_SECONDS = 60
MAX_METADATA = 1024 * 1024  # bytes of pasted IdP metadata
MAX_RESPONSE = 512 * 1024  # bytes of a posted SAMLResponse (base64)
METADATA_VALID_HOURS = 24 * 7  # validUntil of our metadata
KEY_YEARS = 10


class SamlError(SignInError):
    """A SAML answer that fails its checks, or settings that cannot be used."""


@dataclass(frozen=True)
class ServiceProvider:
    entity_id: str  # our metadata URL
    acs_url: str
    key_pem: str  # our private key, decrypted only for the call
    cert_pem: str
    idp_metadata: str = ""
    allow_unsolicited: bool = False  # IdP-initiated login


@dataclass(frozen=True)
class IdentityProviderInfo:
    entity_id: str
    sso_url: str  # its SingleSignOnService, HTTP-Redirect binding


@dataclass(frozen=True)
class Assertion:
    response_id: str
    assertion_id: str
    in_response_to: str  # "" for an IdP-initiated response
    expires_at: dt.datetime  # when the assertion may no longer be used (skew included)
    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


def key_pair(common_name: str) -> tuple[str, str]:
    """A new RSA 2048 private key (PEM, PKCS#8) and its self-signed certificate (PEM), valid
    `KEY_YEARS` years: SAML uses the certificate only as a carrier of the public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "portevoix")])
    now = dt.datetime.now(tz=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * KEY_YEARS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise SamlError(
            _("Single sign-on is not set up correctly."),
            detail="xmlsec1 not found: run scripts/system_packages.sh",
        )
    return found


def _write(folder: str, name: str, text: str) -> str:
    path = Path(folder) / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return str(path)


def _config(sp: ServiceProvider, folder: str | None, *, with_key: bool = True) -> SPConfig:
    settings: dict[str, Any] = {
        "entityid": sp.entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "accepted_time_diff": CLOCK_SKEW_SECONDS,
        "allow_unknown_attributes": True,
        "metadata": {"inline": [sp.idp_metadata]} if sp.idp_metadata else {},
        "service": {
            "sp": {
                "name": sp.entity_id,
                "endpoints": {"assertion_consumer_service": [(sp.acs_url, BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                # The assertion's signature is what counts; a signed response is also checked.
                "want_response_signed": False,
                "authn_requests_signed": True,
                "allow_unsolicited": sp.allow_unsolicited,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
                "name_id_format_allow_create": False,
            }
        },
    }
    if folder is not None:
        cert_file = _write(folder, "sp.crt", sp.cert_pem)
        key_file = _write(folder, "sp.key", sp.key_pem) if with_key else None
        settings |= {
            "key_file": key_file,
            "cert_file": cert_file,
            "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
            "valid_for": METADATA_VALID_HOURS,
        }
    config = SPConfig()
    config.load(settings)
    return config


@contextmanager
def _client(sp: ServiceProvider) -> Iterator[Saml2Client]:
    """A pysaml2 client for `sp`, its key in a private temporary folder for the call only
    (xmlsec1 reads files)."""
    with tempfile.TemporaryDirectory(prefix="pv-saml-") as folder:
        yield Saml2Client(config=_config(sp, folder))


def idp_info(metadata_xml: str) -> IdentityProviderInfo:
    """The one identity provider that `metadata_xml` describes, once checked: well-formed
    SAML metadata, exactly one IdP, a signing certificate, and a single sign-on address
    (HTTP-Redirect binding) that passes the address guard."""
    if len(metadata_xml.encode("utf-8")) > MAX_METADATA:
        raise SamlError(_("This metadata is too large."), detail="metadata size")
    probe = ServiceProvider(
        entity_id="urn:portevoix:probe", acs_url="https://probe.invalid/", key_pem="", cert_pem=""
    )
    try:
        config = _config(
            ServiceProvider(**{**probe.__dict__, "idp_metadata": metadata_xml}), folder=None
        )
        providers = list(config.metadata.identity_providers())
    except Exception as exc:  # pysaml2 raises many types for a broken document
        raise SamlError(
            _("This is not SAML metadata of an identity provider."),
            detail=f"metadata: {type(exc).__name__}",
        ) from exc
    if len(providers) != 1:
        raise SamlError(
            _("The metadata must describe exactly one identity provider."),
            detail=f"{len(providers)} identity providers",
        )
    entity_id = str(providers[0])
    if not config.metadata.certs(entity_id, "idpsso", use="signing"):
        raise SamlError(
            _("The metadata has no signing certificate."), detail="no signing certificate"
        )
    try:
        services = config.metadata.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT)
    except Exception:  # no such service
        services = []
    if not services:
        raise SamlError(
            _("The metadata has no single sign-on address for the HTTP-Redirect binding."),
            detail="no redirect sso",
        )
    sso_url = str(services[0]["location"])
    try:
        base.guard_url(sso_url)
    except base.UnsafeAddress as exc:
        raise SamlError(exc.user_message, detail="sso address refused") from exc
    return IdentityProviderInfo(entity_id=entity_id[:500], sso_url=sso_url)


def sp_metadata(sp: ServiceProvider) -> str:
    """Our metadata (entity ID, ACS, signing and encryption certificate), for the IdP.
    Made from the certificate alone: the private key is not unsealed for a public page
    (pysaml2 still asks xmlsec1 which algorithms it supports)."""
    with tempfile.TemporaryDirectory(prefix="pv-saml-") as folder:
        public = ServiceProvider(**{**sp.__dict__, "idp_metadata": "", "key_pem": ""})
        descriptor = entity_descriptor(_config(public, folder, with_key=False))
    valid_instance(descriptor)
    xml = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"}, None)
    return xml.decode("utf-8") if isinstance(xml, bytes) else str(xml)


def authn_request(sp: ServiceProvider, *, relay_state: str) -> tuple[str, str]:
    """The new request's ID, and the IdP's URL to send the browser to (HTTP-Redirect
    binding, the request signed with our key, RSA-SHA256)."""
    info = idp_info(sp.idp_metadata)
    with _client(sp) as client:
        request_id, binding_info = client.prepare_for_authenticate(
            entityid=info.entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
    location = dict(binding_info["headers"]).get("Location", "")
    if not location.startswith(info.sso_url.split("?")[0]):
        raise SamlError(_("Single sign-on is not set up correctly."), detail="request location")
    return str(request_id), location


def _decoded(saml_response: str) -> bytes:
    if not saml_response or len(saml_response) > MAX_RESPONSE:
        raise SamlError(_("The identity provider's answer is missing."), detail="no response")
    try:
        return base64.b64decode(saml_response, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise SamlError(_("The identity provider's answer is missing."), detail="base64") from exc


def in_response_to(saml_response: str) -> str:
    """The InResponseTo of a posted Response ("" for an unsolicited one), read before the
    checks only to find the request it answers."""
    try:
        root = ElementTree.fromstring(_decoded(saml_response))
    except (ElementTree.ParseError, ValueError) as exc:
        raise SamlError(
            _("The identity provider's answer could not be verified."), detail="xml"
        ) from exc
    return str(root.get("InResponseTo") or "")[:100]


def _attributes(response: Any) -> dict[str, list[str]]:
    """The attributes by their name as sent, their FriendlyName, and pysaml2's usual name."""
    found: dict[str, list[str]] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [str(v.text).strip() for v in attribute.attribute_value or [] if v.text]
            for name in (attribute.name, attribute.friendly_name):
                if name:
                    found.setdefault(str(name), values)
    for name, values in (response.ava or {}).items():
        found.setdefault(str(name), [str(v) for v in values])
    return found


def parse_response(
    sp: ServiceProvider, saml_response: str, *, outstanding: dict[str, str]
) -> Assertion:
    """The checked assertion of a posted Response (`outstanding`: the ID of the request it
    answers, when there is one)."""
    _decoded(saml_response)
    with _client(sp) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding=outstanding
            )
        except Exception as exc:  # pysaml2 raises one type per failed check
            raise SamlError(
                _("The identity provider's answer could not be verified."),
                detail=f"response: {type(exc).__name__}",
            ) from exc
    if response is None or response.assertion is None:
        raise SamlError(
            _("The identity provider's answer could not be verified."), detail="no assertion"
        )
    if not response.assertion.signature:  # pysaml2 checks it when present; required here
        raise SamlError(
            _("The identity provider's answer could not be verified."), detail="unsigned assertion"
        )
    now = clock.now()
    until = (
        dt.datetime.fromtimestamp(response.not_on_or_after, tz=dt.UTC)
        if response.not_on_or_after
        else now + dt.timedelta(hours=1)
    )
    name_id = response.assertion.subject.name_id if response.assertion.subject else None
    return Assertion(
        response_id=str(response.response.id or "")[:100],
        assertion_id=str(response.assertion.id or "")[:100],
        in_response_to=str(response.in_response_to or "")[:100],
        expires_at=max(until, now) + dt.timedelta(seconds=CLOCK_SKEW_SECONDS),
        name_id=str(name_id.text or "").strip() if name_id is not None else "",
        name_id_format=str(name_id.format or "") if name_id is not None else "",
        attributes=_attributes(response),
    )
