"""`manage.py staffing_plan --week 2026-W05 --target 0.95 [--json]`: the week's plan from history."""

from __future__ import annotations

import sys
from typing import Any

import msgspec
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protocol.errors import Refused
from staffing import presenters, selectors
from staffing.inputs import TOPICS
from staffing.queueing import Targets

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Command(BaseCommand):
    help = "Counselors needed per hour and topic for an ISO week, from the platform's own history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help="ISO week, YYYY-Www")
        parser.add_argument("--target", type=float, default=0.95, help="connection rate to reach (0.5-0.999)")
        parser.add_argument("--within", type=float, default=60.0, help="seconds for the service level")
        parser.add_argument("--within-share", type=float, default=0.80, help="share answered within --within")
        parser.add_argument("--crisis-share", type=float, default=0.90, help="share of youths at risk in 30 s")
        parser.add_argument("--weeks", type=int, default=8, help="weeks of history to read")
        parser.add_argument("--json", action="store_true", help="the plan as the API's JSON body")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0.5 <= options["target"] <= 0.999:
            raise CommandError("--target: a share from 0.5 to 0.999")
        targets = Targets(
            answered=options["target"],
            within_s=options["within"],
            within_share=options["within_share"],
            crisis_share=options["crisis_share"],
        )
        try:
            plan = selectors.plan_for(week=options["week"], targets=targets, weeks=options["weeks"])
        except Refused as refusal:
            raise CommandError(refusal.detail) from None
        if options["json"]:
            sys.stdout.write(msgspec.json.encode(presenters.plan_body(plan)).decode() + "\n")
            return
        n = plan.at_needed
        self.stdout.write(
            f"{plan.week}: {n.arrivals:.0f} requests forecast; {n.counselor_hours} counselor-hours, "
            f"at most {n.peak_counselors} counselors at once; expected connection rate {n.answered:.2%}, "
            f"answered within {targets.within_s:.0f} s {n.answered_within:.2%}"
        )
        needed = {t: [0] * 168 for t in TOPICS}
        for c in plan.cells:
            needed[c.topic][c.hour] = c.needed
        self.stdout.write("hour  " + " ".join(f"{d:>5}" for d in DAYS))
        for hour in range(24):
            row = [sum(needed[t][d * 24 + hour] for t in TOPICS) for d in range(7)]
            self.stdout.write(f"{hour:02d}:00 " + " ".join(f"{v:>5}" for v in row))
