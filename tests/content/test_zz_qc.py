import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.content.test_views_library import _many_items
from tests.content._helpers import login
pytestmark = pytest.mark.django_db
def test_qc(client, manager, approver, ambassador):
    _many_items(manager, approver, 10)
    login(client, ambassador)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("content:feed"))
    for q in ctx.captured_queries: print(q["sql"][:200])
    print(len(ctx.captured_queries))
