"""A share's potential reach: the synced follower count comes from the providers listed in
`settings.SHARE_AUDIENCE_PROVIDERS` (sharing imports no publishing), else the declared
audience."""

from __future__ import annotations

from typing import Any

from portevoix.sharing import selectors, services

HERE = "tests.sharing.test_audience_providers"


def no_count(*, membership: Any, network: str) -> int | None:
    return None


def a_thousand_on_linkedin(*, membership: Any, network: str) -> int | None:
    return 1000 if network == "linkedin" else None


def five_thousand(*, membership: Any, network: str) -> int | None:
    return 5000


def test_the_default_provider_is_publishings_connected_followers(settings):
    assert settings.SHARE_AUDIENCE_PROVIDERS == [
        "portevoix.publishing.selectors.connected_followers"
    ]


def test_without_provider_the_declared_audience_counts(settings, ambassador, item):
    settings.SHARE_AUDIENCE_PROVIDERS = []
    assert selectors.connected_audience(membership=ambassador, network="linkedin") is None
    start = services.share_open(membership=ambassador, item_id=item.pk, network="linkedin")
    assert start.share.audience == 300  # the ambassador's declared LinkedIn audience


def test_a_providers_count_replaces_the_declared_audience(settings, ambassador, item):
    settings.SHARE_AUDIENCE_PROVIDERS = [f"{HERE}.no_count", f"{HERE}.a_thousand_on_linkedin"]
    start = services.share_open(membership=ambassador, item_id=item.pk, network="linkedin")
    assert start.share.audience == 1000
    # No provider has a count on X: the declared audience (none on X) counts.
    assert selectors.connected_audience(membership=ambassador, network="x") is None


def test_the_largest_count_of_several_providers_wins(settings, ambassador):
    settings.SHARE_AUDIENCE_PROVIDERS = [f"{HERE}.a_thousand_on_linkedin", f"{HERE}.five_thousand"]
    assert selectors.connected_audience(membership=ambassador, network="linkedin") == 5000
