"""The migration that adds `live_at` and `search_text` fills them for existing items."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from portevoix.content.models import ContentItem
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db

fill = importlib.import_module("portevoix.content.migrations.0003_feed_live_at_search_text").fill


def test_existing_items_get_their_search_key_and_live_moment(manager, approver):
    live = make_live_item(manager, approver, title="Éloge de l'été")
    draft = make_item(manager, title="Brouillon")
    expected_live_at = ContentItem.objects.get(pk=live.pk).live_at
    ContentItem.objects.update(live_at=None, search_text="")
    fill(apps, None)
    live.refresh_from_db()
    draft.refresh_from_db()
    assert live.search_text.startswith("eloge de l'ete ")
    # The moment of the approval that published it (recorded in its transition).
    assert live.live_at is not None and expected_live_at is not None
    assert abs((live.live_at - expected_live_at).total_seconds()) < 1
    assert draft.live_at is None and draft.search_text.startswith("brouillon ")
