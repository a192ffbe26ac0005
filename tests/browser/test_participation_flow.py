"""Issue 12 end to end, in a real browser: an ambassador shares and earns points, sees them on
the board, posts an idea that a content manager accepts into a draft, then redeems a reward
with those points, which an administrator approves. Axe-core checks the new pages."""

from __future__ import annotations

import re

import pytest

from portevoix.accounts.roles import Role
from portevoix.content.models import ContentItem, State
from portevoix.ideas.models import Idea, IdeaStatus
from portevoix.recognition.models import PointEntry
from portevoix.rewards import services as rewards
from portevoix.rewards.models import Redemption
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_share_earn_post_an_idea_accepted_and_redeem_a_reward(new_page, live_server, settings):
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    manager = factories.make_member(org, Role.CONTENT_MANAGER, email="manager@acme.test")
    approver = factories.make_member(org, Role.APPROVER)
    me = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    item = make_live_item(manager, approver, title="Nous recrutons à Lyon")
    reward = rewards.reward_save(
        actor=admin,
        data=rewards.RewardData(
            kind="event_invitation", title="Invitation au salon", cost=20, stock=1
        ),
    )

    # 1. Share on X (the network stubbed), confirm: the share's points.
    page = new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60_000)  # a loaded machine: the first pages compile templates
    page.context.route(
        re.compile(r"^https://(x|twitter)\.com/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>X stub</p>"),
    )
    log_in(page, live_server, "ambassador@acme.test", f"/share/{item.pk}/x/")
    page.locator("form[data-check-url]").get_by_role("button", name="Share on X").click()
    page.wait_for_url(re.compile(r"^https://x\.com/intent/post\?"))
    page.go_back()
    page.get_by_role("button", name="I posted it").click()
    page.get_by_text("Thank you! Your share is confirmed.").wait_for()
    assert PointEntry.objects.filter(membership=me, rule="share").count() == 1

    # 2. The board shows it (the ambassador appears under the organization's default).
    page.goto(f"{live_server.url}/recognition/me/")
    page.get_by_text(re.compile(r"rank 1, 2 points")).first.wait_for()
    assert_accessible(page, "/recognition/me/")

    # 3. An idea, posted from the phone.
    page.goto(f"{live_server.url}/ideas/new/")
    page.get_by_label("Content to share").check()
    page.get_by_label("Title").fill("Une vidéo du chantier de Lyon")
    page.get_by_label("Your idea").fill("Trente secondes en accéléré de la pose des panneaux.")
    page.get_by_role("button", name="Post the idea").click()
    page.wait_for_url(re.compile(r".*/ideas/\d+/$"))
    idea = Idea.objects.get(organization=org)
    assert_accessible(page, f"/ideas/{idea.pk}/")

    # 4. The content manager accepts it into a draft that credits its author.
    desk = new_page(viewport={"width": 1366, "height": 900})
    desk.set_default_timeout(60_000)
    log_in(desk, live_server, "manager@acme.test", f"/ideas/{idea.pk}/")
    desk.get_by_role("button", name="Accept").click()
    desk.get_by_text(re.compile("accepted", re.I)).first.wait_for()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED
    assert idea.content_item_id is not None
    draft = ContentItem.objects.get(pk=idea.content_item_id)
    assert draft.state == State.DRAFT and draft.title == "Une vidéo du chantier de Lyon"
    assert PointEntry.objects.filter(membership=me, rule="idea_accepted").count() == 1

    # 5. The ambassador, now at 27 points, redeems the 20-point reward; it waits (a first
    # redemption needs approval) with the points held.
    page.goto(f"{live_server.url}/rewards/")
    assert_accessible(page, "/rewards/")
    offer = page.locator("li", has_text="Invitation au salon")
    offer.get_by_role("button", name="Redeem").click()
    # The POST's answer is the page of one's requests: read the database only once it shows.
    page.wait_for_url(f"{live_server.url}/rewards/mine/")
    page.get_by_text("Asked: your points are held").wait_for()
    redemption = Redemption.objects.get(reward=reward)
    assert redemption.status == "pending"
    assert page.evaluate("document.documentElement.scrollWidth") == 390

    # 6. The administrator approves it; the points stay spent, the stock is taken.
    # (Another person: their own browser, not the content manager's logged-in one.)
    admin_page = new_page(viewport={"width": 1366, "height": 900})
    admin_page.set_default_timeout(60_000)
    log_in(admin_page, live_server, "admin@acme.test", "/rewards/requests/")
    admin_page.locator("form[action$='/approve/']").get_by_role("button", name="Approve").click()
    admin_page.get_by_text("Saved.").wait_for()  # the queue again, after the POST was answered
    redemption.refresh_from_db()
    assert redemption.status == "approved"
    reward.refresh_from_db()
    assert reward.stock == 0
    page.goto(f"{live_server.url}/rewards/mine/")
    page.get_by_text("Invitation au salon").first.wait_for()
