# The feed's "new since your last visit" and its search: when each item reached
# ambassadors (`live_at`), and its title and body folded for search (`search_text`).

from django.db import migrations, models

from portevoix.core.search import search_key

PUBLISHED = ("approved", "live", "expired")


def fill(apps, schema_editor):
    """Existing items: the search key of their title and body; for approved, live or
    expired ones, `live_at` as the approval service sets it (the later of the last approval
    that published them and publish-at; the last change when no approval is recorded)."""
    ContentItem = apps.get_model("content", "ContentItem")
    Transition = apps.get_model("content", "Transition")
    batch = []
    for item in ContentItem.objects.order_by("pk").iterator(chunk_size=500):
        item.search_text = search_key(f"{item.title}\n{item.body}")
        if item.state in PUBLISHED:
            approved = (
                Transition.objects.filter(item_id=item.pk, action="approve", to_state__in=PUBLISHED)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
            moments = [m for m in (approved, item.publish_at) if m is not None]
            item.live_at = max(moments) if moments else item.updated_at
        batch.append(item)
        if len(batch) >= 500:
            ContentItem.objects.bulk_update(batch, ["search_text", "live_at"])
            batch = []
    if batch:
        ContentItem.objects.bulk_update(batch, ["search_text", "live_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_content_link_preview"),
    ]

    operations = [
        migrations.AddField(
            model_name="contentitem",
            name="live_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contentitem",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
