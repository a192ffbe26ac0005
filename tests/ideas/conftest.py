from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portevoix.accounts.roles import Role
from portevoix.governance import services as governance_services
from portevoix.ideas import services
from tests import factories


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def board(org):
    """A member of the advocacy board: triages, without the right to create content."""
    return factories.make_member(org, Role.ADVOCACY_BOARD, email="board@acme.test")


@pytest.fixture
def colleague(org):
    return factories.make_member(org, email="colleague@acme.test")


def png(name: str = "photo.png", size: tuple[int, int] = (4, 3)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def post(membership, kind="content", title="Une vidéo de l'atelier de Lyon", body="", **kw):
    return services.idea_post(
        membership=membership,
        data=services.IdeaData(kind=kind, title=title, body=body, link=kw.pop("link", "")),
        **kw,
    )


def login(client, membership):
    client.force_login(membership.user)
    return client


def publish_charter(admin):
    draft = governance_services.charter_draft_create(
        actor=admin, body_fr="Soyez courtois.", body_en="Be kind."
    )
    return governance_services.charter_publish(
        actor=admin, version=draft, summary_of_changes="Première version"
    )


def block_term(org, term="Projet Orion", action="block"):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    governance_services.rule_create(
        actor=community,
        data=governance_services.RuleData(
            kind="blocked_term" if action == "block" else "competitor", action=action, terms=[term]
        ),
    )
