"""The demo's password comes from DEMO_PASSWORD when the operator sets it (its own module:
the other demo tests share one load with the published password)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import User
from portevoix.demo import data

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "une-autre-phrase-de-passe")
    out = StringIO()
    call_command("load_demo", stdout=out)
    output = out.getvalue()
    assert "une-autre-phrase-de-passe" not in output  # not echoed when chosen by the operator
    user = User.objects.get(email=data.ADMIN)
    assert user.check_password("une-autre-phrase-de-passe")
    assert not user.check_password(data.DEFAULT_PASSWORD)
