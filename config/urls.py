from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from config.api import api
from portevoix.core import pwa
from portevoix.core import views as core_views
from portevoix.workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Django tries each app's addresses in this order: the pages opened most (the feed, the
    # library and approvals, the shares, courses, figures, the calendar) first, so that
    # resolving them walks the fewest patterns. No two apps share an address
    # (tests/core/test_urls_order.py).
    path("", include("portevoix.content.urls")),
    path("", include("portevoix.sharing.urls")),
    path("", include("portevoix.training.urls")),
    path("", include("portevoix.analytics.urls")),
    path("", include("portevoix.planning.urls")),
    path("", include("portevoix.accounts.urls")),
    path("", include("portevoix.governance.urls")),
    path("", include("portevoix.publishing.urls")),
    path("", include("portevoix.recognition.urls")),
    path("", include("portevoix.rewards.urls")),
    path("", include("portevoix.ideas.urls")),
    path("", include("portevoix.surveys.urls")),
    path("", include("portevoix.notifications.urls")),
    path("", include("portevoix.sso.urls")),
    path("", include("portevoix.scim.urls")),
    path("", include("portevoix.webhooks.urls")),
    path("", include("portevoix.privacy.urls")),
    path("", include("portevoix.listening.urls")),
    path("", include("portevoix.assist.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
