"""URL map: the HTML app, the REST API under /api/v1/, health, and the operators' admin."""

from django.contrib import admin
from django.urls import include, path

from greenwave.core.views import healthz

from .api import api

urlpatterns = [
    path("", include("greenwave.core.urls")),
    path("accounts/", include("greenwave.accounts.urls")),
    path("clients/", include("greenwave.crm.urls")),
    path("sales/", include("greenwave.sales.urls")),
    path("activities/", include("greenwave.activities.urls")),
    path("processes/", include("greenwave.bpm.urls")),
    path("mining/", include("greenwave.mining.urls")),
    path("decisions/", include("greenwave.decisions.urls")),
    path("planning/", include("greenwave.planning.urls")),
    path("documents/", include("greenwave.documents.urls")),
    path("integrations/", include("greenwave.integrations.urls")),
    path("analytics/", include("greenwave.analytics.urls")),
    path("outreach/", include("greenwave.outreach.urls")),
    path("money/", include("greenwave.orders.urls")),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    # The Django admin is for operators only; users never see it (STYLE.md).
    path("ops/admin/", admin.site.urls),
]
