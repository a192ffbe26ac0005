# Engagement measures from connected accounts: `engagements`, `impressions` and
# `impression_engagements` on every rollup table (fine, coarse, all-time sums), 0 for the
# existing rows; the covering indexes list every figure, so they are rebuilt with the new
# columns, and the all-time sums get an index on each new figure a breakdown can be sorted
# by. No backfill: engagement comes from publishing snapshots, which did not exist before
# this migration (`rollups.rollups_rebuild` recomputes any range from the raw rows).
#
# The columns are added with `ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT 0`, which
# both SQLite and PostgreSQL (11+) run without rewriting the table, where Django's own
# AddField would copy each rollup table once per column on SQLite. PostgreSQL then drops
# the default, as Django does; SQLite cannot drop it and keeps it (harmless: Django always
# writes the column).

from django.db import migrations, models

TABLES = (
    "dailyrollup",
    "networkrollup",
    "campaignrollup",
    "itemrollup",
    "memberrollup",
    "teamrollup",
    "membertotal",
)
NEW = ("engagements", "impressions", "impression_engagements")
FIGURES = (
    "shares",
    "original_posts",
    "potential_reach",
    "clicks",
    "unique_visitors",
    "conversions",
    "conversion_value_cents",
    *NEW,
)


def _columns(apps, schema_editor, add):
    connection = schema_editor.connection
    qn = schema_editor.quote_name
    for name in TABLES:
        model = apps.get_model("analytics", name)
        table = qn(model._meta.db_table)
        for column in NEW:
            if connection.vendor not in {"sqlite", "postgresql"}:
                # Elsewhere, Django's own way.
                field = models.BigIntegerField(default=0)
                field.set_attributes_from_name(column)
                field.model = model
                if add:
                    schema_editor.add_field(model, field)
                else:
                    schema_editor.remove_field(model, field)
            elif add:
                schema_editor.execute(
                    f"ALTER TABLE {table} ADD COLUMN {qn(column)} bigint NOT NULL DEFAULT 0"
                )
                if connection.vendor == "postgresql":
                    schema_editor.execute(
                        f"ALTER TABLE {table} ALTER COLUMN {qn(column)} DROP DEFAULT"
                    )
            else:
                schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {qn(column)}")


def add_columns(apps, schema_editor):
    _columns(apps, schema_editor, add=True)


def drop_columns(apps, schema_editor):
    _columns(apps, schema_editor, add=False)


def _cover(fields, name):
    return models.Index(fields=[*fields, *FIGURES], name=name)


COVERS = {
    "networkrollup": (["organization", "grain", "period", "network"], "rollup_network_cover"),
    "campaignrollup": (
        ["organization", "grain", "period", "campaign_id", "network"],
        "rollup_campaign_cover",
    ),
    "itemrollup": (
        ["organization", "grain", "period", "item_id", "network", "campaign_id"],
        "rollup_item_cover",
    ),
    "memberrollup": (
        ["organization", "grain", "period", "membership_id", "network"],
        "rollup_member_cover",
    ),
    "teamrollup": (["organization", "grain", "period", "team_id", "network"], "rollup_team_cover"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_rollups_by_network"),
    ]

    operations = [
        *(
            migrations.RemoveIndex(model_name=model, name=name)
            for model, (_fields, name) in COVERS.items()
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name=model,
                    name=column,
                    field=models.BigIntegerField(default=0),
                )
                for model in TABLES
                for column in NEW
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        *(
            migrations.AddIndex(model_name=model, index=_cover(fields, name))
            for model, (fields, name) in COVERS.items()
        ),
        *(
            migrations.AddIndex(
                model_name="membertotal",
                index=models.Index(
                    fields=["organization", "network", f"-{m}", "membership_id"],
                    name=f"total_{m[:18]}",
                ),
            )
            for m in ("engagements", "impressions")
        ),
    ]
