"""Reads of the helpline's settings, in the language of the page that shows them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from helpline.models import Hotline, SafetyText, ServiceHours


@dataclass(frozen=True, slots=True)
class HotlineView:
    number: str
    label: str
    urgent: bool


@dataclass(frozen=True, slots=True)
class SafetyTextView:
    level: int
    title: str
    body: str
    steps: list[str]


@dataclass(frozen=True, slots=True)
class SafetyContent:
    hotlines: list[HotlineView]
    texts: list[SafetyTextView]  # level 3 then level 4, those configured

    @property
    def main_line(self) -> HotlineView | None:
        """The line offered when nobody is online: the first that is not police or ambulance."""
        return next((h for h in self.hotlines if not h.urgent), None)


def _english(language: str) -> bool:
    return language.lower().startswith("en")


def hotlines(*, language: str) -> list[HotlineView]:
    english = _english(language)
    return [
        HotlineView(number=h.number, label=h.label_en if english else h.label_zh, urgent=h.urgent)
        for h in Hotline.objects.filter(active=True)
    ]


def safety_content(*, language: str) -> SafetyContent:
    english = _english(language)
    texts = [
        SafetyTextView(
            level=t.level,
            title=t.title_en if english else t.title_zh,
            body=t.body_en if english else t.body_zh,
            steps=[line.strip() for line in (t.steps_en if english else t.steps_zh).splitlines() if line.strip()],
        )
        for t in SafetyText.objects.all()
    ]
    return SafetyContent(hotlines=hotlines(language=language), texts=texts)


def service_hours(*, topic: str | None = None) -> str:
    """The topic's hours ("HH:MM-HH:MM"), or SERVICE_HOURS for a topic without its own."""
    if topic is not None:
        own = ServiceHours.objects.filter(topic=topic).values_list("hours", flat=True).first()
        if own:
            return own
    return settings.SERVICE_HOURS
