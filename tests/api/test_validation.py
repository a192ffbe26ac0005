"""Bad input gets a 4xx answer with field errors, never a 500; the live copy check."""

from __future__ import annotations

import pytest

from portevoix.content.models import ContentItem
from tests.api.conftest import item_payload
from tests.factories import make_item

pytestmark = pytest.mark.django_db


# --- Validation


def test_x_copy_too_long_is_refused_with_field_error(api_as, manager):
    response = api_as(manager).post(
        "/content", item_payload(copies=[{"network": "x", "text": "a" * 281}])
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == ["copies.0.text"]
    message = body["errors"]["copies.0.text"][0]
    assert "281" in message and "280" in message
    assert not ContentItem.objects.exists()


def test_several_field_errors_at_once(api_as, manager):
    response = api_as(manager).post(
        "/content",
        item_payload(
            title="  ",
            language="de",
            link="ftp://example.org",
            campaign_id=999,
            topic_ids=[999],
            copies=[
                {"network": "linkedin", "text": "fine"},
                {"network": "myspace", "text": "hello"},
                {"network": "bluesky", "text": ""},
            ],
        ),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "title",
        "language",
        "link",
        "campaign_id",
        "topic_ids",
        "copies.1.network",
        "copies.2.text",
    }


def test_naive_datetime_is_refused(api_as, manager):
    response = api_as(manager).post("/content", item_payload(publish_at="2030-01-01T10:00:00"))
    assert response.status_code == 400
    assert "publish_at" in response.json()["errors"]


def test_expiry_before_publication_is_refused(api_as, manager):
    response = api_as(manager).post(
        "/content",
        item_payload(publish_at="2030-01-02T10:00:00+01:00", expire_at="2030-01-01T10:00:00Z"),
    )
    assert response.status_code == 400
    assert "expire_at" in response.json()["errors"]


def test_foreign_topic_and_campaign_are_unknown(api_as, manager, outsider):
    as_outsider = api_as(outsider)
    topic = as_outsider.post("/topics", {"name": "Secret"}).json()
    campaign = as_outsider.post("/campaigns", {"name": "Secret"}).json()
    response = api_as(manager).post(
        "/content", item_payload(topic_ids=[topic["id"]], campaign_id=campaign["id"])
    )
    assert response.status_code == 400
    assert {"topic_ids", "campaign_id"} <= set(response.json()["errors"])


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{bad json", 400),
        ("[]", 400),
        ("null", 400),
        ('"text"', 400),
        ("42", 400),
        ("\xff\xfe", 400),
        ('{"title": 5, "language": "fr"}', 422),
        ('{"title": "T", "language": "fr", "copies": "x"}', 422),
        ('{"title": "T", "language": "fr", "copies": [1]}', 422),
        ('{"title": "T", "language": "fr", "copies": [{"network": "x"}]}', 422),
        ('{"title": "T", "language": "fr", "topic_ids": ["a"]}', 422),
        ('{"title": "T", "language": "fr", "topic_ids": [99999999999999999999999]}', 422),
        ('{"title": "T", "language": "fr", "campaign_id": -1}', 422),
        ('{"title": "T", "language": "fr", "priority": 1e300}', 422),
        ('{"title": "T", "language": "fr", "publish_at": "tomorrow"}', 422),
        ('{"title": "T", "language": "fr", "important": "maybe"}', 422),
        ('{"title": "T\\u0000", "language": "fr"}', 422),
        ('{"title": "' + "T" * 201 + '", "language": "fr"}', 422),
        ('{"title": "T", "language": "fr", "link": "https://' + "a" * 2000 + '"}', 422),
    ],
)
def test_bad_input_is_4xx_never_500(api_as, manager, raw, status):
    response = api_as(manager).post("/content", raw=raw)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    assert body["errors"]


def test_validation_error_names_the_field_path(api_as, manager):
    response = api_as(manager).post(
        "/content", raw='{"title": "T", "language": "fr", "copies": [{"network": "x", "text": 3}]}'
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"copies.0.text": ["Enter a text."]}


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("post", "/content/{id}/submit", "{bad"),
        ("post", "/content/{id}/submit", "[1]"),
        ("post", "/content/{id}/approve", '{"comment": 1}'),
        ("post", "/content/{id}/request-changes", '{"comment": null}'),
        ("post", "/content/{id}/comment", "[]"),
        ("put", "/content/{id}", "{}"),
        ("put", "/content/{id}", '{"title": ["x"]}'),
        ("post", "/content/check-copy", '{"copies": [{"network": 1, "text": 2}]}'),
        ("post", "/content/check-copy", '{"copies": {}}'),
        ("post", "/topics", '{"name": 1}'),
        ("post", "/campaigns", '{"name": "A", "starts_on": "soon"}'),
    ],
)
def test_bad_input_on_other_endpoints_is_4xx(api_as, manager, method, path, raw):
    item = make_item(manager)
    response = getattr(api_as(manager), method)(path.format(id=item.pk), raw=raw)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/content/abc",
        "/content/0",
        "/content/-1",
        "/content/99999999999999999999999",
        "/content/1.5/history",
    ],
)
def test_bad_ids_are_4xx(api_as, manager, path):
    response = api_as(manager).get(path)
    assert response.status_code in {404, 422}
    assert response.json()["detail"]


def test_missing_item_is_404(api_as, manager):
    response = api_as(manager).get("/content/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


# --- Live copy check


def test_check_one_copy(api_as, member):
    response = api_as(member).post("/content/check-copy", {"network": "x", "text": "a" * 281})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    check = body["copies"][0]
    assert check["length"] == 281
    assert check["limit"] == 280
    assert check["remaining"] == -1
    assert check["codes"] == ["too_long"]
    assert "281" in check["errors"][0]


def test_check_several_copies(api_as, member):
    response = api_as(member).post(
        "/content/check-copy",
        {
            "copies": [
                {"network": "x", "text": "Salut 👋 https://example.org/a/very/long/path"},
                {"network": "bluesky", "text": "👨‍👩‍👧"},
                {"network": "linkedin", "text": " "},
            ]
        },
    )
    body = response.json()
    assert body["ok"] is False
    x, bluesky, linkedin = body["copies"]
    assert x["length"] == 6 + 2 + 1 + 23 and x["ok"] is True and x["unit"]
    assert bluesky["length"] == 1
    assert linkedin["codes"] == ["empty"]


def test_check_copy_errors(api_as, member):
    as_member = api_as(member)
    unknown = as_member.post("/content/check-copy", {"network": "myspace", "text": "hi"})
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["network"]
    several = as_member.post(
        "/content/check-copy",
        {"copies": [{"network": "x", "text": "a"}, {"network": "?", "text": "b"}]},
    )
    assert list(several.json()["errors"]) == ["copies.1.network"]
    nothing = as_member.post("/content/check-copy", {})
    assert nothing.status_code == 400
