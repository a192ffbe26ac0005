"""The token endpoints' compliance hook shared by the OAuth 2 connectors (LinkedIn, X)."""

from __future__ import annotations

import httpx
import pytest

from portevoix.networks import base, linkedin, x


def _response(status: int, body: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, json=body or {}, request=httpx.Request("POST", "https://example.org/token")
    )


@pytest.mark.parametrize("module", [linkedin, x])
def test_a_success_passes_through(module):
    ok = _response(200, {"access_token": "t"})
    assert module._token_response_hook(ok) is ok


@pytest.mark.parametrize("module", [linkedin, x])
@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_temporary(module, status):
    with pytest.raises(base.TransientError) as caught:
        module._token_response_hook(_response(status))
    assert caught.value.status == status


@pytest.mark.parametrize(("module", "name"), [(linkedin, "LinkedIn"), (x, "X")])
def test_a_refusal_asks_to_connect_again(module, name):
    refused = _response(400, {"error": "invalid_grant", "error_description": "expired"})
    with pytest.raises(base.AuthError) as caught:
        module._token_response_hook(refused)
    message = caught.value.user_message
    assert message.startswith(f"{name} refused the authorization")
    assert "Connect the account again." in message
    assert caught.value.status == 400
    assert "invalid_grant" in caught.value.detail


def test_client_authentication_methods():
    """RFC 6749 2.3.1: Basic carries the form-encoded id and secret; `post` puts both in the
    form; a public client (`none`) sends its id only."""
    import base64

    from portevoix.networks import oauth2

    form: dict[str, str] = {}
    headers = oauth2.Client("id:1", "s/é", "client_secret_basic").authenticate(form)
    assert form == {}
    assert base64.b64decode(headers["Authorization"].removeprefix("Basic ")) == b"id%3A1:s%2F%C3%A9"
    form = {}
    assert oauth2.Client("id", "secret", "client_secret_post").authenticate(form) == {}
    assert form == {"client_id": "id", "client_secret": "secret"}
    form = {}
    assert oauth2.Client("id", "", "none").authenticate(form) == {}
    assert form == {"client_id": "id"}
    with pytest.raises(ValueError):
        oauth2.Client("id", auth_method="private_key_jwt")
