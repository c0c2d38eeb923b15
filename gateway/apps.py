from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = "WebSocket gateway"

    def ready(self) -> None:
        from django.conf import settings

        from gateway import backpressure, header_deadline

        backpressure.install(settings.WS_SEND_BUFFER_MAX_BYTES)
        header_deadline.install(settings.HTTP_HEADER_TIMEOUT_S)
