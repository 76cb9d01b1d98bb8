#!/usr/bin/env bash
# Starts the web server and the background worker of the demo; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
.venv/bin/python manage.py run_worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "Greenwave is running at http://$HOST:$PORT/"
.venv/bin/python manage.py seed_demo --logins-only
echo "Press Ctrl-C to stop the web server and the worker."
echo
.venv/bin/python manage.py runserver "$HOST:$PORT" --noreload
