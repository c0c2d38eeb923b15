"""Worker start-up of the gateway: in the embedded default, what jobs publish goes to sockets
through the web process (gateway/relay.py). Loaded by `manage.py run_huey` with every app's tasks."""

from __future__ import annotations

from huey.contrib.djhuey import on_startup

from gateway import relay


@on_startup()
def route_job_events_through_the_web_process() -> None:
    if relay.enabled():
        relay.install_in_worker()
