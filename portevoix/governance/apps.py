from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "portevoix.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from portevoix.accounts import frame
        from portevoix.accounts.signals import audit_event

        from . import audit_labels
        from .db import register_sqlite_function
        from .models import CharterAcknowledgement, CharterVersion

        # The gates banner is kept in the page frame (accounts/frame.py).
        frame.watch_organization(CharterVersion)
        frame.watch_member(CharterAcknowledgement)

        audit_labels.register()  # the audit log's labels (core.audit_labels)
        # What accounts (below us) has for the audit log: two-step verification, its policy.
        from .gates import record_account_event

        audit_event.connect(record_account_event, dispatch_uid="governance_account_audit")

        connection_created.connect(
            register_sqlite_function, dispatch_uid="governance_audit_sqlite_function"
        )
        # A connection opened before the app was ready gets the function too.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_function(sender=None, connection=connection)
