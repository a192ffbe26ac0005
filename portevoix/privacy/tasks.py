"""The personal data archive's background work (thin: each task calls a service)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def prepare_export(export_id: str) -> str:
    """Build one requested archive (a pending one only; anything else is left alone)."""
    return services.export_prepare(export_id=export_id)


@db_task()
def cleanup_exports() -> int:
    """Delete the expired archives and give up the stale requests."""
    return services.exports_cleanup()


@db_task()
def prepare_org_export(export_id: str) -> str:
    """Build one requested archive of a whole organization."""
    from . import organization

    return organization.org_export_prepare(export_id=export_id)


@db_task()
def purge_organization(organization_id: int) -> int:
    """Delete everything of an organization whose deletion was asked (idempotent)."""
    from . import organization

    return sum(organization.org_purge(organization_id=organization_id).values())


@db_task()
def organization_sweep() -> int:
    """Expired organization archives; deletions asked for and not finished."""
    from . import organization

    return organization.org_exports_cleanup() + organization.org_purge_due()


@db_task()
def run_erasures() -> int:
    """Erase the people who left more than their organization's delay ago."""
    from . import erasure

    return erasure.erasures_run()
