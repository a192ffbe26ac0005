from __future__ import annotations

import pytest

from portevoix.accounts.roles import Role
from tests import factories


@pytest.fixture
def org(db):
    return factories.make_org("Acme")


@pytest.fixture
def other_org(db):
    return factories.make_org("Globex")


@pytest.fixture
def admin(org):
    return factories.make_member(org, Role.ADMIN, email="admin@acme.test")


@pytest.fixture
def manager(org):
    return factories.make_member(org, Role.CONTENT_MANAGER, email="manager@acme.test")


@pytest.fixture
def approver(org):
    return factories.make_member(org, Role.APPROVER, email="approver@acme.test")


@pytest.fixture
def final_approver(org):
    return factories.make_member(org, Role.FINAL_APPROVER, email="final@acme.test")


@pytest.fixture
def member(org):
    """A plain employee: no role, not an ambassador."""
    return factories.make_member(org, email="member@acme.test")


@pytest.fixture
def ambassador(org):
    return factories.make_member(org, email="ambassador@acme.test", ambassador=True)


@pytest.fixture
def outsider(other_org):
    """An admin of another organization: must get 404 on everything of `org`."""
    return factories.make_member(
        other_org, Role.ADMIN, Role.CONTENT_MANAGER, email="outsider@globex.test", ambassador=True
    )


@pytest.fixture(autouse=True)
def _no_language_leak():
    """Django keeps the last request's language active in the thread: a test that renders a
    page in French must not make the next test read French messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
