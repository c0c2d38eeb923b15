"""`python manage.py crisis_eval [--set ours|holdout|holdout2|dev2|holdout3|dev3|holdout4|dev4|psysuicide|all ...] [--json] [--errors N]`

Precision, recall and F1 of the crisis detector per category and per level on
our labelled set, its 40-line holdout, the second-round holdout2 (and the
dev2 tuning split on request) and on PsySUICIDE, the benign alert rate, the conversation
(accumulation) cases, and the same figures for a plain keyword filter. Uses
the detector the live chat uses. See docs/crisis.md.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from crisis import evaluation
from crisis.detection.baseline import KeywordBaseline


class Command(BaseCommand):
    help = "Evaluate the crisis detector on the labelled sets (and a keyword baseline)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--set", dest="which", action="append",
                            choices=(*evaluation.SETS, "all"),
                            help="a set to evaluate (repeatable); default: all = ours, holdout, holdout2, holdout3, holdout4, psysuicide")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--errors", type=int, default=0, metavar="N",
                            help="print N misclassified examples per set (for tuning the lexicon)")
        parser.add_argument("--psysuicide", default=None, metavar="PATH",
                            help="PsySUICIDE valid.json (default: <project>/../shared/data/psysuicide/valid.json)")
        parser.add_argument("--shipped", action="store_true",
                            help="evaluate the shipped lexicon file instead of the active database version")

    def handle(self, *args, **options) -> None:
        from crisis.detection import Detector, load_shipped_lexicon

        if options["shipped"]:
            document = load_shipped_lexicon()
            detector = Detector.from_lexicon(document)
        else:
            from crisis.runtime import current_detector

            detector = current_detector()
            document = _document_of(detector) or load_shipped_lexicon()
        baseline = KeywordBaseline.from_lexicon(document)
        which = options["which"] or ["all"]
        sets = ("ours", "holdout", "holdout2", "holdout3", "holdout4", "psysuicide") if "all" in which else tuple(dict.fromkeys(which))
        try:
            reports = evaluation.run(detector, baseline.scan, sets, psysuicide=options["psysuicide"])
        except FileNotFoundError as exc:
            raise CommandError(f"data set not found: {exc.filename}") from None
        errors = max(options["errors"], 0)
        if options["json"]:
            out = {"lexicon_version": detector.version}
            for name, entry in reports.items():
                out[name] = {key: value.as_dict(errors) if key != "conversations" else value.as_dict()
                             for key, value in entry.items()}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"lexicon version {detector.version}")
        for entry in reports.values():
            for key, report in entry.items():
                if key == "conversations":
                    self.stdout.write(evaluation.format_conversations(report))
                else:
                    self.stdout.write(evaluation.format_report(report, errors if key == "detector" else 0))
                    self.stdout.write(evaluation.format_kinds(report))
                self.stdout.write("")


def _document_of(detector) -> dict | None:
    """The lexicon document behind the live detector, for the baseline (None: use the shipped file)."""
    try:
        from crisis.selectors import current_lexicon

        view = current_lexicon()
        return view.document if view.document.get("version") == detector.version else None
    except Exception:  # noqa: BLE001 - no database: the shipped file is what the detector uses too
        return None
