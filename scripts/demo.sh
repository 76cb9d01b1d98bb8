#!/usr/bin/env bash
# Starts the web server and the background worker of the demo; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Links in the e-mails (reminders, NPS) point at the address served here.
export GREENWAVE_BASE_URL=${GREENWAVE_BASE_URL:-http://$HOST:$PORT}
mkdir -p var
# The worker's output (and the e-mails of the console mail backend) go to a log file so that the
# address and the logins stay readable here; appended, so a restart keeps the earlier e-mails.
.venv/bin/python manage.py run_worker >> var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "Greenwave is running at http://$HOST:$PORT/"
.venv/bin/python manage.py seed_demo --logins-only
echo "Worker log (and e-mails sent in the demo): var/worker.log"
echo "Press Ctrl-C to stop the web server and the worker."
echo
.venv/bin/python manage.py runserver "$HOST:$PORT" --noreload
