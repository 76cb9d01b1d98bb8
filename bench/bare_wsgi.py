"""WSGI entry of the bare ceiling site (gunicorn bare_wsgi:application, bench/ on the path)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_site")
application = get_wsgi_application()
