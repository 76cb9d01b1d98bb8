"""The REST API: one NinjaAPI at /api/v1/ gathering every app's router."""

from ninja import NinjaAPI

from greenwave.accounts.api import router as accounts_router
from greenwave.accounts.auth import api_auth
from greenwave.core.api import install_error_handlers

api = NinjaAPI(
    title="Greenwave API",
    version="1",
    description=(
        "REST API of Greenwave. Authenticate with `Authorization: Bearer <token>` "
        "(issue a token on your profile page or with `manage.py issue_token`). Lists accept "
        "`q`, `sort`, `page`, `page_size` and per-resource filters and answer "
        "`{items, count, page, page_size}`. Errors are `{code, message, details}`."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", accounts_router)
