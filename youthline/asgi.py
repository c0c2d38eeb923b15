"""ASGI entry point: HTTP goes to Django, WebSockets at /ws/v1/ to the gateway consumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from crisis.runtime import warm_up_in_background  # noqa: E402
from gateway.origin import AllowedOriginValidator  # noqa: E402
from gateway.routing import websocket_urlpatterns  # noqa: E402

# The first risky message must not wait for the lexicon to compile.
warm_up_in_background()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
