from __future__ import annotations

import pytest

from portevoix.content.models import Topic
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped

pytestmark = pytest.mark.django_db


def test_scoped_only_returns_own_rows(org, other_org):
    mine = Topic.objects.create(organization=org, name="A", slug="a")
    theirs = Topic.objects.create(organization=other_org, name="B", slug="b")
    assert list(scoped(Topic, org)) == [mine]
    assert get_scoped_or_404(Topic, org, pk=mine.pk) == mine
    with pytest.raises(NotFound):
        get_scoped_or_404(Topic, org, pk=theirs.pk)
    with pytest.raises(NotFound):
        get_scoped_or_404(Topic, org, pk="not-a-number")


def test_scoped_needs_an_organization():
    with pytest.raises(ValueError):
        scoped(Topic, None)
