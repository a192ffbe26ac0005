"""The choice to appear in the top ambassadors moves to accounts (one choice for every
page): who said no here becomes "not at all" there; then the table goes."""

from django.db import migrations


def carry_over(apps, schema_editor):
    """Each `in_rankings=False` row: the member's profile says "hidden" (whatever it said:
    not appearing is the stronger wish, so the order with recognition's copy is moot).
    `in_rankings=True` is what no row meant: nothing to carry."""
    Visibility = apps.get_model("analytics", "Visibility")
    AmbassadorProfile = apps.get_model("accounts", "AmbassadorProfile")
    hidden = Visibility.objects.filter(in_rankings=False).values_list(
        "membership_id", "updated_at"
    )
    for membership_id, updated_at in hidden.iterator():
        profile, _created = AmbassadorProfile.objects.get_or_create(membership_id=membership_id)
        profile.visibility = "hidden"
        profile.visibility_updated_at = updated_at
        profile.save(update_fields=["visibility", "visibility_updated_at"])


def bring_back(apps, schema_editor):
    """Reversed: each hidden profile gets its `in_rankings=False` row again."""
    Visibility = apps.get_model("analytics", "Visibility")
    AmbassadorProfile = apps.get_model("accounts", "AmbassadorProfile")
    from django.utils import timezone

    # Named columns only: going back, later migrations of accounts may already be undone in
    # the database while the state still has their fields.
    hidden = AmbassadorProfile.objects.filter(visibility="hidden").values_list(
        "membership_id", "membership__organization_id", "visibility_updated_at"
    )
    for membership_id, organization_id, updated_at in hidden:
        Visibility.objects.update_or_create(
            membership_id=membership_id,
            defaults={
                "organization_id": organization_id,
                "in_rankings": False,
                "updated_at": updated_at or timezone.now(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_ranking_visibility"),
        ("accounts", "0008_visibility_choice"),
    ]

    operations = [
        migrations.RunPython(carry_over, bring_back),
        migrations.DeleteModel(
            name="Visibility",
        ),
    ]
