"""The demo's password comes from DEMO_PASSWORD when the operator sets it (its own module:
the other demo tests share one load with the published password, tests/demo/test_load_demo.py).

Passwords are set by the core of the demo (`loader._load`: the accounts); the optional parts
(`portevoix/demo/extra_*.py`) create no account and set no password, and their load is most
of the demo's time, so this load leaves them out: the whole demo is loaded, and checked, by
test_load_demo.py."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import User
from portevoix.demo import data, loader

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "une-autre-phrase-de-passe")
    monkeypatch.setattr(loader, "EXTRAS", ())
    out = StringIO()
    call_command("load_demo", stdout=out)
    output = out.getvalue()
    assert "Loaded the demo organization" in output  # a first load: the accounts were made now
    assert "une-autre-phrase-de-passe" not in output  # not echoed when chosen by the operator
    assert "the value of DEMO_PASSWORD" in output
    user = User.objects.get(email=data.ADMIN)
    assert user.check_password("une-autre-phrase-de-passe")
    assert not user.check_password(data.DEFAULT_PASSWORD)
    for _role, email in data.LOGINS:  # every demo account, not only the first
        assert User.objects.get(email=email).check_password("une-autre-phrase-de-passe")
