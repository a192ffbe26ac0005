"""Start a real organization: `manage.py create_organization --name "Acme" --admin-email ...`.

Creates an empty organization and its first administrator. The password is asked twice on a
terminal (`--password-prompt`); otherwise (CI, scripts, `--no-input`) a one-time link to
choose it is printed, valid PASSWORD_RESET_TIMEOUT seconds. Running it again with the same
name and email changes nothing.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portevoix.accounts import services
from portevoix.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an empty organization with its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The organization's name.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email.")
        parser.add_argument("--admin-name", default="", help="The first admin's full name.")
        parser.add_argument(
            "--language", default="fr", choices=["fr", "en"], help="Default language (fr)."
        )
        parser.add_argument(
            "--password-prompt",
            action="store_true",
            help="Ask the admin's password here instead of printing a set-password link.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never ask anything (the default when not on a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_prompt"]:
            if not options["interactive"]:
                raise CommandError("--password-prompt needs a terminal (not with --no-input).")
            password = self._ask_password()
        try:
            result = services.organization_first_run(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                password=password,
                language=options["language"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        org, admin = result.organization, result.admin
        if not result.created:
            self.stdout.write(
                f"Nothing to do: {org.name} (/{org.slug}) already exists with {admin.email} "
                "as an administrator."
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} (/{org.slug})."))
        self.stdout.write(f"First administrator: {admin.email}")
        if password is None:
            hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
            self.stdout.write(
                f"Send them this one-time link to choose their password (valid {hours} h; "
                "afterwards, 'Forgot your password?' on the login page sends a new one):"
            )
            self.stdout.write(services.password_reset_url(admin))
        else:
            self.stdout.write(f"They log in at {settings.SITE_URL}/login/")

    def _ask_password(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
            if first and first == second:
                return first
            self.stderr.write("The passwords are empty or differ; try again.")
        raise CommandError("No password given.")
