"""`python manage.py indicators --since YYYY-MM-DD --until YYYY-MM-DD [--by ...] [--json]`: every
indicator of a range of days, from the roll-ups (docs/indicators.md). Rates are fractions 0..1,
times seconds, each with its numerator and denominator."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import selectors
from reports.presenting import overview_dict


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a day (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Print the indicators of a range of days (from the roll-ups), whole or broken down."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=_day)
        parser.add_argument("--until", required=True, type=_day)
        parser.add_argument("--by", choices=selectors.BY)
        parser.add_argument("--region-level", choices=("city", "county"), default="city")
        parser.add_argument("--json", action="store_true", help="one JSON document")
        parser.add_argument("--rebuild", action="store_true", help="rebuild the range's roll-ups first")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = options["since"], options["until"]
        if since > until:
            raise CommandError("--since is after --until")
        if options["rebuild"]:
            from reports.rollups import rebuild

            rebuild(since=since, until=until)
        overview = selectors.overview(since=since, until=until)
        groups = (
            selectors.breakdown(since=since, until=until, by=options["by"], region_level=options["region_level"])
            if options["by"]
            else None
        )
        document = overview_dict(overview, groups, options["by"])
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{since} .. {until} ({overview.days} days)")
        self._table(document["indicators"])
        for group in document.get("groups", []):
            self.stdout.write(f"\n{options['by']} {group['key']} {group['label']}".rstrip())
            self._table(group["indicators"])

    def _table(self, indicators: dict[str, dict[str, Any]]) -> None:
        for name, i in indicators.items():
            value = "-" if i["value"] is None else f"{i['value']:.4f}".rstrip("0").rstrip(".")
            target = "" if i["target"] is None else f"target {i['comparison']} {i['target']}"
            met = {True: "met", False: "NOT MET", None: ""}[i["met"]]
            self.stdout.write(
                f"  {name:24} {value:>12}  ({i['numerator']:g} / {i['denominator']:g}) {target} {met}".rstrip()
            )
