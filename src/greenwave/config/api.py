"""The REST API: one NinjaAPI at /api/v1/ gathering every app's router."""

from greenwave.accounts.api import router as accounts_router
from greenwave.accounts.auth import api_auth
from greenwave.activities.api import router as activities_router
from greenwave.analytics.api import router as analytics_router
from greenwave.bpm.api import router as bpm_router
from greenwave.core.api import GreenwaveAPI, install_error_handlers
from greenwave.core.events_api import router as events_router
from greenwave.core.search_api import router as search_router
from greenwave.crm.api import router as crm_router
from greenwave.decisions.api import router as decisions_router
from greenwave.documents.api import router as documents_router
from greenwave.integrations.api import router as integrations_router
from greenwave.mining.api import router as mining_router
from greenwave.orders.api import router as orders_router
from greenwave.outreach.api import router as outreach_router
from greenwave.planning.api import router as planning_router
from greenwave.sales.api import router as sales_router

api = GreenwaveAPI(
    title="Greenwave API",
    version="1",
    description=(
        "REST API of Greenwave. Authenticate with `Authorization: Bearer <token>` "
        "(issue a token on your profile page or with `manage.py issue_token`). Lists accept "
        "`q`, `sort`, `page`, `page_size` and per-resource filters and answer "
        "`{items, count, page, page_size, next}`. Errors are `{code, message, details}`. Messages "
        "and labels speak the request's `Accept-Language`, or else the token owner's language."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", crm_router)
api.add_router("", sales_router)
api.add_router("", activities_router)
api.add_router("", bpm_router)
api.add_router("", decisions_router)
api.add_router("", planning_router)
api.add_router("", documents_router)
api.add_router("", mining_router)
api.add_router("", integrations_router)
api.add_router("", analytics_router)
api.add_router("", outreach_router)
api.add_router("", orders_router)
api.add_router("/events", events_router)
api.add_router("/search", search_router)
