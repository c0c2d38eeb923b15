#!/bin/sh
# The embedded default's processes (`make run`): a job worker in the background, the web
# server in the foreground; when the web server exits (Ctrl-C included) the worker is stopped.
# Usage: scripts/run_embedded.sh PYTHON HOST:PORT
set -u
python="$1"
address="$2"
"$python" manage.py run_huey &
worker=$!
# SIGINT reaches the whole foreground group, but a background job of a non-interactive shell
# ignores it: stop the worker ourselves, gracefully (SIGINT lets a running job finish).
trap 'kill -INT "$worker" 2>/dev/null; wait "$worker"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$python" manage.py runserver "$address"
