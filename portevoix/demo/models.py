from django.db import models


class DemoExtraLoaded(models.Model):
    """Which optional part of the demo (charter, training, shares...) was loaded into which
    organization, so `load_demo` adds new parts to an existing demo exactly once."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE)
    name = models.CharField(max_length=40)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="demo_extra_once")
        ]
