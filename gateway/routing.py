from django.urls import path

from gateway.consumers import GatewayConsumer

websocket_urlpatterns = [path("ws/v1/", GatewayConsumer.as_asgi())]
