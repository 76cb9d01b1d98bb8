"""Local development and `make demo`: debug on, a throwaway secret unless one is given."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret")
os.environ.setdefault("DEBUG", "true")
# The demo webhook posts to a local port: allow the loopback host on a developer machine.
os.environ.setdefault("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")

from .base import *  # noqa: F403
