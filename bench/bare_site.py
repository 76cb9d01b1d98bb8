"""Settings of the bare ceiling site: Greenwave's production settings without middleware,
serving only `bare_urls` — what Django itself costs for the same query and JSON."""

from greenwave.config.settings.prod import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bare_urls"
