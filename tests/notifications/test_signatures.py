"""Email signatures: the organization's links and banner (admins), each ambassador's
signature in mail-client-safe HTML (a table, inline styles), everything escaped, links
http(s) only, the banner through the ambassador's own tracked link."""

from __future__ import annotations

import pytest
from django.test import Client

from portevoix.accounts.models import User
from portevoix.governance.models import AuditEntry
from portevoix.notifications import signatures
from portevoix.notifications.models_chat import SignatureSettings
from portevoix.sharing.models import TrackedLink
from tests import factories
from tests.factories import PASSWORD
from tests.notifications.chat_helpers import live_item

pytestmark = pytest.mark.django_db

BANNER = "https://cdn.acme.test/banner.png"


def login(membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


def settings_form(item_id: int | str = "", **overrides) -> dict:
    data = {
        "website_url": "https://acme.test",
        "linkedin_url": "https://www.linkedin.com/company/acme",
        "x_url": "",
        "facebook_url": "",
        "instagram_url": "",
        "youtube_url": "https://www.youtube.com/@acme",
        "banner_image_url": BANNER,
        "banner_alt": "Nous recrutons",
        "banner_item": str(item_id),
    }
    data.update(overrides)
    return data


@pytest.fixture
def campaign_item(org):
    return live_item(org, title="Campagne de printemps")


def test_the_admin_sets_links_and_banner(org, admin, campaign_item):
    client = login(admin)
    assert client.get("/settings/signature/").status_code == 200
    response = client.post("/settings/signature/", settings_form(campaign_item.pk))
    assert response.status_code == 302
    saved = SignatureSettings.objects.get(organization=org)
    assert saved.banner_item_id == campaign_item.pk and saved.youtube_url.endswith("@acme")
    assert AuditEntry.objects.filter(action="signature.settings_set").count() == 1
    page = client.get("/settings/signature/").content.decode()
    assert "Campagne de printemps" in page and "https://acme.test" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("linkedin_url", "javascript:alert(1)"),
        ("website_url", "data:text/html,<script>alert(1)</script>"),
        ("banner_image_url", "ftp://cdn.acme.test/x.png"),
        ("website_url", 'https://acme.test/"onmouseover="alert(1)'),
        ("banner_alt", ""),  # a banner needs its text for screen readers
        ("banner_item", "999999"),
    ],
)
def test_bad_settings_are_refused(org, admin, campaign_item, field, value):
    response = login(admin).post(
        "/settings/signature/", settings_form(campaign_item.pk, **{field: value})
    )
    assert response.status_code == 200 and not SignatureSettings.objects.exists()


def test_the_signature_escapes_the_name_and_carries_the_members_own_link(org, admin, campaign_item):
    login(admin).post("/settings/signature/", settings_form(campaign_item.pk))
    ambassador = factories.make_member(org, ambassador=True)
    User.objects.filter(pk=ambassador.user_id).update(full_name='<script>alert("x")</script> Zoé')
    ambassador.user.refresh_from_db()
    ambassador.title = "Ingénieure <b>R&D</b>"
    ambassador.save(update_fields=["title"])
    response = login(ambassador).get("/me/signature/")
    assert response.status_code == 200
    # The preview renders the signature's inline styles and an https banner; still no
    # inline script.
    policy = response["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in policy and "img-src 'self' data: https:" in policy
    assert "script-src 'self';" in policy
    page = response.content.decode()
    signature = signatures.member_signature(membership=ambassador)
    html = signature.html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Zoé" in html
    assert "Ingénieure &lt;b&gt;R&amp;D&lt;/b&gt;" in html
    link = TrackedLink.objects.get(membership=ambassador, item=campaign_item)
    assert f'href="{signature.banner_link}"' in html and signature.banner_link.endswith(
        f"/l/{link.code}"
    )
    assert f'src="{BANNER}"' in html and 'alt="Nous recrutons"' in html
    assert 'href="https://www.linkedin.com/company/acme"' in html and ">YouTube<" in html
    # mail-client-safe: a table with inline styles, no class, no script, no style sheet
    assert html.startswith("<table") and "class=" not in html and "<style" not in html
    assert "<script>alert" not in page  # the preview on the page is the escaped HTML
    assert "Outlook" in page and "Gmail" in page and "Apple Mail" in page
    # Another visit: the same link, not a new one.
    login(ambassador).get("/me/signature/")
    assert TrackedLink.objects.filter(membership=ambassador).count() == 1
    # Another ambassador: their own link.
    other = factories.make_member(org, ambassador=True)
    mine = signatures.member_signature(membership=other)
    assert mine.banner_link != signature.banner_link


def test_links_that_are_not_http_never_reach_a_signature(org, ambassador):
    SignatureSettings.objects.create(
        organization=org,
        linkedin_url="javascript:alert(1)",
        website_url="https://acme.test",
        banner_image_url="javascript:x",
        updated_at=org.created_at if hasattr(org, "created_at") else "2026-01-01T00:00Z",
    )
    html = signatures.member_signature(membership=ambassador).html
    assert "javascript" not in html and "https://acme.test" in html and "<img" not in html


def test_no_settings_still_gives_a_signature(org, ambassador):
    signature = signatures.member_signature(membership=ambassador)
    assert ambassador.user.email in signature.html and "<img" not in signature.html


def test_the_signature_page_in_french(org, ambassador):
    client = login(ambassador)
    page = client.get("/me/signature/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Signature" in page and "Copier la signature" in page


def test_who_opens_what(org, admin, member, ambassador, outsider):
    # The signature: ambassadors (and anyone who shares); a plain member gets 403.
    assert login(member).get("/me/signature/").status_code == 403
    assert login(ambassador).get("/me/signature/").status_code == 200
    assert login(ambassador).post("/me/signature/").status_code == 405
    # The settings: admins only.
    assert login(member).get("/settings/signature/").status_code == 403
    assert login(ambassador).post("/settings/signature/", settings_form()).status_code == 403
    assert login(admin).put("/settings/signature/").status_code == 405
    assert not SignatureSettings.objects.exists()
    # An outsider edits their own organization's settings, never this one's.
    assert login(outsider).post("/settings/signature/", settings_form()).status_code == 302
    assert SignatureSettings.objects.get().organization_id == outsider.organization_id
    assert signatures.member_signature(membership=ambassador).links == []
    assert Client().get("/me/signature/").status_code == 302


def test_an_outsider_cannot_point_the_banner_at_another_organizations_item(
    org, outsider, campaign_item
):
    response = login(outsider).post("/settings/signature/", settings_form(campaign_item.pk))
    assert response.status_code == 200 and not SignatureSettings.objects.exists()
