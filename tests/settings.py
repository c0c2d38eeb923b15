"""Settings of the in-process tests (pytest-django): the project's settings, with a signing key
made for this test session.

Outside DEBUG the settings refuse to load without a key of the deployment's own; a test session
has none in its environment, so it makes a random one here, before Django reads the settings.
The live stacks this session starts inherit it (tests/live.py), so tokens issued in-process and
by the servers agree. Nothing else differs from production settings.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))

from youthline.settings import *  # noqa: F403 - the project's settings, unchanged
