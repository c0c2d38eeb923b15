from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Queue and conversations"
    api_urls = "chat.urls"  # collected under /api/v1/ by youthline/urls.py

    def ready(self) -> None:
        from chat.routes import VOCABULARY, queue_counter_publications
        from protocol.registry import registry
        from realtime.live import register_live_view

        registry.register(VOCABULARY)
        register_live_view(name="queue-counter", topics={"queue"}, compute=queue_counter_publications)
