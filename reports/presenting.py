"""Indicators as plain data (JSON for the command, CSV rows for the export): one shape for both, so
the command, the API and the CSV say the same thing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from reports.indicators import Indicator
from reports.selectors import Group, Overview


def indicator_dict(i: Indicator) -> dict[str, Any]:
    return {
        "value": i.value,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "unit": i.unit,
        "target": i.target,
        "comparison": i.comparison,
        "met": i.met,
        **({"detail": i.detail} if i.detail else {}),
    }


def overview_dict(o: Overview, groups: list[Group] | None = None, by: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "since": o.since.isoformat(),
        "until": o.until.isoformat(),
        "days": o.days,
        "indicators": {name: indicator_dict(i) for name, i in o.indicators.items()},
    }
    if groups is not None:
        found["by"] = by
        found["groups"] = [
            {"key": g.key, "label": g.label, "indicators": {n: indicator_dict(i) for n, i in g.indicators.items()}}
            for g in groups
        ]
    return found


CSV_HEADER = (
    "section",
    "key",
    "label",
    "indicator",
    "value",
    "numerator",
    "denominator",
    "target",
    "comparison",
    "met",
)


def _csv_rows(section: str, key: str, label: str, indicators: dict[str, Indicator]) -> Iterable[tuple[Any, ...]]:
    for name, i in indicators.items():
        met = "" if i.met is None else ("yes" if i.met else "no")
        target = "" if i.target is None else i.target
        value = "" if i.value is None else round(i.value, 6)
        yield (section, key, label, name, value, i.numerator, i.denominator, target, i.comparison or "", met)


def report_csv(o: Overview, sections: dict[str, list[Group]]) -> str:
    """A period's report in long form: one line per indicator, for the whole period and then for
    each key of each breakdown (`section`: total, day, topic, region, channel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_rows("total", f"{o.since.isoformat()}..{o.until.isoformat()}", "", o.indicators))
    for section, groups in sections.items():
        for g in groups:
            writer.writerows(_csv_rows(section, g.key, g.label, g.indicators))
    return out.getvalue()
