"""How a person appears on the boards moves to accounts (one choice for every page): each
preference becomes the member's choice, each organization's default its default; then the
two tables go."""

from django.db import migrations


def carry_over(apps, schema_editor):
    """A preference sets the member's choice and pseudonym, except that "hidden" (from the
    top ambassadors' copy, whichever ran first) is never turned back into "shown"."""
    RecognitionPreference = apps.get_model("recognition", "RecognitionPreference")
    RecognitionSettings = apps.get_model("recognition", "RecognitionSettings")
    AmbassadorProfile = apps.get_model("accounts", "AmbassadorProfile")
    Organization = apps.get_model("accounts", "Organization")
    for preference in RecognitionPreference.objects.all().iterator():
        profile, _created = AmbassadorProfile.objects.get_or_create(
            membership_id=preference.membership_id
        )
        if profile.visibility != "hidden":
            profile.visibility = preference.visibility
        profile.pseudonym = preference.pseudonym or profile.pseudonym
        profile.visibility_updated_at = preference.updated_at
        profile.save(update_fields=["visibility", "pseudonym", "visibility_updated_at"])
    for organization_id, default in RecognitionSettings.objects.values_list(
        "organization_id", "default_visibility"
    ):
        Organization.objects.filter(pk=organization_id).update(default_visibility=default)


def bring_back(apps, schema_editor):
    """Reversed: the choices and defaults that are not the model defaults become rows."""
    RecognitionPreference = apps.get_model("recognition", "RecognitionPreference")
    RecognitionSettings = apps.get_model("recognition", "RecognitionSettings")
    AmbassadorProfile = apps.get_model("accounts", "AmbassadorProfile")
    Organization = apps.get_model("accounts", "Organization")
    from django.utils import timezone

    # Named columns only: going back, later migrations of accounts may already be undone in
    # the database while the state still has their fields.
    profiles = AmbassadorProfile.objects.exclude(visibility="").values_list(
        "membership_id",
        "membership__organization_id",
        "visibility",
        "pseudonym",
        "visibility_updated_at",
    )
    for membership_id, organization_id, visibility, pseudonym, updated_at in profiles:
        RecognitionPreference.objects.update_or_create(
            membership_id=membership_id,
            defaults={
                "organization_id": organization_id,
                "visibility": visibility,
                "pseudonym": pseudonym,
                "updated_at": updated_at or timezone.now(),
            },
        )
    for organization_id, default in Organization.objects.values_list("pk", "default_visibility"):
        RecognitionSettings.objects.update_or_create(
            organization_id=organization_id, defaults={"default_visibility": default}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0001_ledger_totals_rules_visibility"),
        ("accounts", "0008_visibility_choice"),
    ]

    operations = [
        migrations.RunPython(carry_over, bring_back),
        migrations.RemoveField(
            model_name="recognitionsettings",
            name="organization",
        ),
        migrations.DeleteModel(
            name="RecognitionPreference",
        ),
        migrations.DeleteModel(
            name="RecognitionSettings",
        ),
    ]
