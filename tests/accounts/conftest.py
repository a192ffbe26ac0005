"""Fixtures of the accounts tests: a team, and a client logged in as the admin or a member."""

from __future__ import annotations

import pytest

from portevoix.accounts import services


@pytest.fixture
def team(admin):
    return services.team_create(actor=admin, name="Marketing")


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin.user)
    return client


@pytest.fixture
def as_member(client, member):
    client.force_login(member.user)
    return client
