"""Posting ideas of each kind and comments: images, the charter gate, the guardrails."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portevoix.core.errors import DomainError
from portevoix.governance.models import ModerationCase
from portevoix.governance.services import charter_acknowledge
from portevoix.ideas import services
from portevoix.ideas.models import Idea, IdeaComment, IdeaImage, IdeaKind, IdeaStatus

from .conftest import block_term, login, png, post, publish_charter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", IdeaKind.values)
def test_any_member_posts_each_kind(member, kind):
    idea = post(member, kind=kind, title="Parler du salon Vivatech", body="Un stand à montrer.")
    assert (idea.kind, idea.status, idea.author_id) == (kind, IdeaStatus.OPEN, member.pk)
    assert (idea.vote_count, idea.comment_count) == (0, 0)


def test_content_takes_a_link_and_up_to_four_images(member):
    idea = post(member, link="https://example.org/atelier", images=[png() for _ in range(4)])
    assert idea.link == "https://example.org/atelier"
    files = list(IdeaImage.objects.filter(idea=idea).values_list("file", flat=True))
    assert len(files) == 4 and all(name.endswith(".png") for name in files)


def test_a_fifth_image_is_refused_and_nothing_is_saved(member):
    with pytest.raises(DomainError) as caught:
        post(member, images=[png() for _ in range(5)])
    assert "images" in caught.value.field_errors
    assert not Idea.objects.exists() and not IdeaImage.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(member):
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(DomainError) as caught:
        post(member, images=[fake])
    assert caught.value.field_errors["images"]
    assert not Idea.objects.exists()


def test_a_too_large_image_is_refused(member, settings):
    settings.MAX_IMAGE_BYTES = 50
    with pytest.raises(DomainError) as caught:
        post(member, images=[png(size=(40, 40))])
    assert caught.value.field_errors["images"]


def test_an_insight_takes_no_image_nor_link(member):
    with pytest.raises(DomainError) as caught:
        post(member, kind="insight", images=[png()])
    assert "kind" in caught.value.field_errors
    with pytest.raises(DomainError):
        post(member, kind="improvement", link="https://example.org")


def test_a_title_is_required_and_bounded(member):
    for title in ("  ", "x" * 201):
        with pytest.raises(DomainError) as caught:
            post(member, title=title)
        assert "title" in caught.value.field_errors


def test_a_blocking_guardrail_refuses_the_idea(org, member):
    block_term(org)
    with pytest.raises(DomainError) as caught:
        post(member, body="On pourrait annoncer le Projet Orion dès lundi.")
    assert "Projet Orion" in " ".join(caught.value.field_errors["body"])
    assert not Idea.objects.exists()


def test_a_warning_lets_the_idea_through_to_the_moderators(org, member):
    block_term(org, term="VoltaVerde", action="warn")
    idea = post(member, body="Nos clients comparent avec VoltaVerde.")
    case = ModerationCase.objects.get()
    assert (case.source, case.object_type, case.object_id) == (
        "suggestion",
        "ideas.idea",
        str(idea.pk),
    )


def test_rules_about_public_posts_do_not_apply_to_an_internal_idea(org, member):
    from portevoix.accounts.roles import Role
    from portevoix.governance import services as governance_services
    from tests import factories

    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    governance_services.rule_create(
        actor=community,
        data=governance_services.RuleData(
            kind="link_domain", action="block", allowed_domains=["acme.example.com"]
        ),
    )
    idea = post(member, body="Un article à lire : https://news.example.org/energie")
    assert idea.pk and not ModerationCase.objects.exists()


def test_the_form_keeps_what_was_typed_when_a_guardrail_blocks(client, org, member):
    block_term(org)
    login(client, member)
    response = client.post(
        reverse("ideas:new"),
        {"kind": "content", "title": "Teaser", "body": "Le Projet Orion arrive", "action": "post"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le Projet Orion arrive" in html and "Teaser" in html
    assert "must not appear" in html or "Projet Orion" in html
    assert not Idea.objects.exists()


def test_the_charter_gate_holds_ideas_and_comments_until_accepted(org, admin, member):
    version = publish_charter(admin)
    idea_of_admin = None
    with pytest.raises(services.IdeaBlocked) as caught:
        post(member)
    assert [b.code for b in caught.value.blockers] == ["charter"]
    charter_acknowledge(membership=admin, version=version)
    idea_of_admin = post(admin)
    with pytest.raises(services.IdeaBlocked):
        services.idea_comment(membership=member, idea_id=idea_of_admin.pk, body="Bravo")
    charter_acknowledge(membership=member, version=version)
    assert post(member).author_id == member.pk
    services.idea_comment(membership=member, idea_id=idea_of_admin.pk, body="Bravo")
    assert IdeaComment.objects.count() == 1


def test_the_post_page_shows_the_charter_step_and_keeps_the_text(client, org, admin, member):
    publish_charter(admin)
    login(client, member)
    page = client.get(reverse("ideas:new"))
    assert reverse("governance:charter") in page.content.decode()
    response = client.post(
        reverse("ideas:new"), {"kind": "insight", "title": "Mes clients", "action": "post"}
    )
    assert response.status_code == 400
    assert "Mes clients" in response.content.decode()
    assert not Idea.objects.exists()


def test_posting_through_the_page_with_images(client, member):
    login(client, member)
    response = client.post(
        reverse("ideas:new"),
        {
            "kind": "content",
            "title": "Photos du chantier",
            "body": "Trois belles photos",
            "link": "https://example.org/chantier",
            "images": [png("a.png"), png("b.png")],
            "action": "post",
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "ideas:idea", args=[idea.pk]
    )
    assert idea.images.count() == 2


def test_comments_count_and_pass_the_guardrails(org, member, colleague):
    idea = post(member)
    services.idea_comment(membership=colleague, idea_id=idea.pk, body="Très bonne idée")
    idea.refresh_from_db()
    assert idea.comment_count == 1
    block_term(org)
    with pytest.raises(DomainError) as caught:
        services.idea_comment(membership=colleague, idea_id=idea.pk, body="Et le Projet Orion ?")
    assert caught.value.field_errors["body"]
    with pytest.raises(DomainError):
        services.idea_comment(membership=colleague, idea_id=idea.pk, body="   ")
    assert IdeaComment.objects.count() == 1


def test_a_comment_refused_keeps_the_text_on_the_page(client, org, member, colleague):
    idea = post(member)
    block_term(org)
    login(client, colleague)
    response = client.post(
        reverse("ideas:comment", args=[idea.pk]), {"body": "Parlons du Projet Orion"}
    )
    assert response.status_code == 400
    assert "Parlons du Projet Orion" in response.content.decode()
