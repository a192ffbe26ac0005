"""The data migrations that carry the two old choices over to accounts' one choice: rows of
analytics' `Visibility` and recognition's `RecognitionPreference`/`RecognitionSettings`,
written at the schema before, read back through accounts after (and back again)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portevoix.accounts.models import AmbassadorProfile, Organization
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0008_visibility_choice"),
    ("analytics", "0004_ranking_visibility"),
    ("recognition", "0001_ledger_totals_rules_visibility"),
]
WHEN = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def choices(*memberships):
    found = dict(
        AmbassadorProfile.objects.filter(membership__in=memberships).values_list(
            "membership_id", "visibility"
        )
    )
    return [found.get(m.pk, "") for m in memberships]


def test_both_old_choices_become_the_one_choice(org, other_org):
    hidden_in_top = factories.make_member(org, ambassador=True)
    hidden_beats_name = factories.make_member(org, ambassador=True)
    masked = factories.make_member(org)  # never enrolled: the profile is made for them
    shown_in_top = factories.make_member(org, ambassador=True)
    named = factories.make_member(org, ambassador=True)
    elsewhere = factories.make_member(other_org, ambassador=True)
    try:
        old = migrate(BEFORE)
        Visibility = old.get_model("analytics", "Visibility")
        Preference = old.get_model("recognition", "RecognitionPreference")
        Settings = old.get_model("recognition", "RecognitionSettings")
        for member, in_rankings in [
            (hidden_in_top, False),
            (hidden_beats_name, False),
            (shown_in_top, True),
        ]:
            Visibility.objects.create(
                organization_id=org.pk,
                membership_id=member.pk,
                in_rankings=in_rankings,
                updated_at=WHEN,
            )
        for member, visibility, pseudonym in [
            (hidden_beats_name, "name", ""),
            (masked, "pseudonym", "Le Renard"),
            (named, "name", ""),
            (elsewhere, "hidden", ""),
        ]:
            Preference.objects.create(
                organization_id=member.organization_id,
                membership_id=member.pk,
                visibility=visibility,
                pseudonym=pseudonym,
                updated_at=WHEN,
            )
        # (Going back made each organization's row from its default: "pseudonym".)
        Settings.objects.update_or_create(
            organization_id=org.pk, defaults={"default_visibility": "name"}
        )

        migrate(latest())

        assert choices(hidden_in_top, hidden_beats_name, masked, shown_in_top, named) == [
            "hidden",
            "hidden",  # not appearing is the stronger wish
            "pseudonym",
            "",  # shown in the top was what no row meant: the default applies
            "name",
        ]
        assert choices(elsewhere) == ["hidden"]
        profile = AmbassadorProfile.objects.get(membership=masked)
        assert (profile.pseudonym, profile.visibility_updated_at) == ("Le Renard", WHEN)
        assert not profile.opted_in
        defaults = dict(Organization.objects.values_list("pk", "default_visibility"))
        assert (defaults[org.pk], defaults[other_org.pk]) == ("name", "pseudonym")

        # Reversed: the old rows come back from the one choice.
        old = migrate(BEFORE)
        Visibility = old.get_model("analytics", "Visibility")
        Preference = old.get_model("recognition", "RecognitionPreference")
        Settings = old.get_model("recognition", "RecognitionSettings")
        assert set(
            Visibility.objects.filter(in_rankings=False).values_list("membership_id", flat=True)
        ) == {hidden_in_top.pk, hidden_beats_name.pk, elsewhere.pk}
        assert Preference.objects.get(membership_id=masked.pk).pseudonym == "Le Renard"
        assert Settings.objects.get(organization_id=org.pk).default_visibility == "name"
    finally:
        migrate(latest())
