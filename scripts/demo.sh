#!/usr/bin/env bash
# Starts the web server and the background worker of the demo; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var
# The worker's output (and the reminder e-mails of the console mail backend) go to a log file so
# that the address and the logins stay readable here.
.venv/bin/python manage.py run_worker > var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "Greenwave is running at http://$HOST:$PORT/"
.venv/bin/python manage.py seed_demo --logins-only
echo "Worker log (and e-mails sent in the demo): var/worker.log"
echo "Press Ctrl-C to stop the web server and the worker."
echo
.venv/bin/python manage.py runserver "$HOST:$PORT" --noreload
