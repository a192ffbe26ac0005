"""The totals of members no board lists (inactive, withdrawn, "not at all" by choice) are
marked, so a rank counts the listed rows above on a partial index (decision 0033)."""

from django.db import migrations, models
from django.db.models import Q


def mark_unlisted(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    PointTotal = apps.get_model("recognition", "PointTotal")
    unlisted = Membership.objects.filter(
        Q(is_active=False)
        | Q(ambassador__opted_in=False, ambassador__opted_out_at__isnull=False)
        | Q(ambassador__visibility="hidden")
    ).values("pk")
    PointTotal.objects.filter(membership_id__in=unlisted).update(listed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_erasure"),
        ("recognition", "0005_team_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="pointtotal",
            name="listed",
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.RunPython(mark_unlisted, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="pointtotal",
            index=models.Index(
                condition=models.Q(("listed", True)),
                fields=["organization", "period", "start", "-points", "membership"],
                name="point_total_listed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="pointtotal",
            index=models.Index(
                condition=models.Q(("listed", False)),
                fields=["organization", "period", "start", "membership", "points"],
                name="point_total_unlisted_idx",
            ),
        ),
    ]
