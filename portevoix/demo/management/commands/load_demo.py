"""`manage.py load_demo`: the Lumen Énergie demo organization, loaded once."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from portevoix.accounts.models import AmbassadorProfile, Membership, Team, User
from portevoix.content.models import ContentItem
from portevoix.core.errors import DomainError
from portevoix.demo import loader


class Command(BaseCommand):
    help = (
        "Load the demo organization (Lumen Énergie: 40 people, 4 teams, 31 content items). "
        "Safe to run again: an existing demo is kept as it is. Every demo account shares one "
        "password, DEMO_PASSWORD (default: portevoix-demo)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = loader.demo_password()
        try:
            result = loader.load_demo(password=password)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.field_errors}") from exc
        org = result.organization
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo organization {org.name}."))
        else:
            self.stdout.write(
                f"The demo organization {org.name} ({org.slug}) exists already: nothing changed."
            )
        members = Membership.objects.filter(organization=org, is_active=True)
        ambassadors = AmbassadorProfile.objects.filter(
            membership__organization=org, opted_in=True
        ).count()
        self.stdout.write(
            f"  {members.count()} members in {Team.objects.filter(organization=org).count()} "
            f"teams, {ambassadors} ambassadors, "
            f"{ContentItem.objects.filter(organization=org).count()} content items."
        )

        shown = "the value of DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else password
        login_url = settings.SITE_URL + reverse("accounts:login")
        self.stdout.write("")
        self.stdout.write(f"Log in at {login_url} with any of these accounts.")
        self.stdout.write(f"Password (the same for every demo account): {shown}")
        admin = User.objects.filter(email__iexact=result.logins[0].email).first()
        if not result.created and admin is not None and not admin.check_password(password):
            self.stdout.write(
                self.style.WARNING(
                    "  Note: the demo accounts keep the password they were created with, "
                    "which is not this one."
                )
            )
        self.stdout.write("")
        rows = [("Role", "Email", "Name")] + [
            (login.role, login.email, login.full_name) for login in result.logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row))
            self.stdout.write("  " + line.rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
