"""Local development and `make demo`: debug on, a throwaway secret unless one is given."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
