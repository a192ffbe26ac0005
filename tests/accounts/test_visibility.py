"""How a person appears to others: one choice in accounts (by name, under a pseudonym, not
at all; the organization's default until they choose), its services and its selectors."""

from __future__ import annotations

import pytest

from portevoix.accounts import selectors, services
from portevoix.accounts.models import AmbassadorProfile, Membership, Organization
from portevoix.core.errors import DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def named(org, name, visibility="", pseudonym="", *, ambassador=True):
    membership = factories.make_member(org, ambassador=ambassador)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    if visibility:
        services.visibility_set(membership=membership, visibility=visibility, pseudonym=pseudonym)
    return membership


class TestVisibilitySet:
    def test_the_choice_is_checked_and_tidied(self, ambassador):
        with pytest.raises(DomainError) as bad:
            services.visibility_set(membership=ambassador, visibility="everyone")
        assert "visibility" in bad.value.field_errors
        with pytest.raises(DomainError) as long:
            services.visibility_set(
                membership=ambassador, visibility="pseudonym", pseudonym="x" * 41
            )
        assert "pseudonym" in long.value.field_errors
        profile = services.visibility_set(
            membership=ambassador, visibility="pseudonym", pseudonym="  Le   Renard "
        )
        assert (profile.visibility, profile.pseudonym) == ("pseudonym", "Le Renard")
        assert profile.visibility_updated_at is not None

    def test_idempotent_and_back_to_the_default(self, ambassador):
        first = services.visibility_set(membership=ambassador, visibility="hidden")
        again = services.visibility_set(membership=ambassador, visibility="hidden")
        again.refresh_from_db()
        assert again.visibility_updated_at == first.visibility_updated_at
        services.visibility_set(membership=ambassador, visibility="")
        choice = selectors.visibility_choice(membership=ambassador)
        assert (choice.visibility, choice.chosen) == ("pseudonym", False)

    def test_someone_who_never_enrolled_may_choose_too(self, member):
        services.visibility_set(membership=member, visibility="hidden")
        profile = AmbassadorProfile.objects.get(membership=member)
        assert profile.visibility == "hidden" and not profile.opted_in

    def test_an_inactive_membership_may_not(self, org):
        gone = named(org, "Gone")
        Membership.objects.filter(pk=gone.pk).update(is_active=False)
        gone.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.visibility_set(membership=gone, visibility="name")


class TestDefault:
    def test_only_an_administrator_sets_it(self, org, admin, manager, ambassador):
        assert selectors.default_visibility(org.pk) == "pseudonym"
        for someone in (manager, ambassador):
            with pytest.raises(PermissionDenied):
                services.default_visibility_set(actor=someone, visibility="name")
        with pytest.raises(DomainError):
            services.default_visibility_set(actor=admin, visibility="everyone")
        services.default_visibility_set(actor=admin, visibility="hidden")
        assert Organization.objects.get(pk=org.pk).default_visibility == "hidden"

    def test_it_is_per_organization(self, org, admin, outsider):
        services.default_visibility_set(actor=admin, visibility="hidden")
        assert selectors.default_visibility(outsider.organization_id) == "pseudonym"


class TestSelectors:
    def test_public_names_in_one_query(self, org, admin, django_assert_num_queries):
        people = [
            named(org, "Nina", "name"),
            named(org, "Marc", "pseudonym", "Le Renard"),
            named(org, "Anon", "pseudonym"),
            named(org, "Hélène", "hidden"),
            named(org, "Ugo"),
            named(org, "Never", ambassador=False),
        ]
        ids = [p.pk for p in people]
        with django_assert_num_queries(1):
            names = selectors.public_names(organization_id=org.pk, membership_ids=ids)
        made_up = selectors.made_up_pseudonym
        assert [(names[i].name, names[i].visibility) for i in ids] == [
            ("Nina", "name"),
            ("Le Renard", "pseudonym"),
            (made_up(ids[2]), "pseudonym"),
            ("", "hidden"),
            (made_up(ids[4]), "pseudonym"),
            (made_up(ids[5]), "pseudonym"),
        ]
        assert names[ids[3]].hidden and names[ids[1]].pseudonymous
        with django_assert_num_queries(0):
            assert selectors.public_names(organization_id=org.pk, membership_ids=[]) == {}
        services.default_visibility_set(actor=admin, visibility="name")
        names = selectors.public_names(organization_id=org.pk, membership_ids=ids)
        assert [names[i].name for i in ids[4:]] == ["Ugo", "Never"]

    def test_another_organizations_members_are_not_named(self, org, outsider):
        names = selectors.public_names(organization_id=org.pk, membership_ids=[outsider.pk])
        assert names == {}

    def test_made_up_pseudonyms_are_stable_and_say_nothing(self, settings):
        first = selectors.made_up_pseudonym(42)
        assert first == selectors.made_up_pseudonym(42) != selectors.made_up_pseudonym(43)
        assert "42" not in first
        settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
        assert selectors.made_up_pseudonym(42) != first

    def test_the_hidden_as_a_subquery_and_as_a_filter(self, org, admin, outsider):
        nina = named(org, "Nina", "name")
        hidden = named(org, "Hélène", "hidden")
        undecided = named(org, "Ugo")
        never = named(org, "Never", ambassador=False)
        services.visibility_set(membership=outsider, visibility="hidden")

        def hidden_ids():
            return set(
                selectors.hidden_member_ids(organization_id=org.pk).values_list("pk", flat=True)
            )

        def shown_ids():
            qs = Membership.objects.filter(organization=org)
            return set(
                qs.filter(selectors.shown_q(organization_id=org.pk, path="")).values_list(
                    "pk", flat=True
                )
            )

        assert hidden_ids() == {hidden.pk}
        assert {nina.pk, undecided.pk, never.pk, admin.pk} <= shown_ids()
        assert hidden.pk not in shown_ids()
        services.default_visibility_set(actor=admin, visibility="hidden")
        everyone = set(Membership.objects.filter(organization=org).values_list("pk", flat=True))
        assert {hidden.pk, undecided.pk, never.pk, admin.pk} <= hidden_ids()
        assert hidden_ids() == everyone - {nina.pk}
        assert shown_ids() == {nina.pk}
        # As a subquery: one query in all.
        subquery = selectors.hidden_member_ids(organization_id=org.pk)
        rows = Membership.objects.filter(organization=org).exclude(pk__in=subquery)
        assert set(rows.values_list("pk", flat=True)) == {nina.pk}

    def test_one_name_from_a_joined_member(self, org, django_assert_num_queries):
        nina = named(org, "Nina", "name")
        masked = named(org, "Marc", "pseudonym", "Le Renard")
        members = list(
            Membership.objects.filter(pk__in=[nina.pk, masked.pk])
            .select_related("user", "ambassador")
            .order_by("pk")
        )
        with django_assert_num_queries(0):
            shown = [selectors.public_name_of(m, "hidden").name for m in members]
        assert shown == ["Nina", "Le Renard"]
