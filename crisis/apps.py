from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = "Crisis detection and escalation"

    def ready(self) -> None:
        # Every youth message passes through the detector, inside the transaction that stores it.
        from chat.signals import youth_message_stored
        from crisis.services.alerts import on_youth_message_stored

        youth_message_stored.connect(on_youth_message_stored, dispatch_uid="crisis-scan")
