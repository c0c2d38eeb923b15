"""`python manage.py crisis_eval [--set NAME ...] [--json] [--errors N] [--shipped]`

For every set: P/R/F1 per category and per level and the benign alert rate of four
scanners side by side — a plain keyword filter (crisis/detection/baseline.py), the
lexicon alone, the model alone and the combined detector the live chat uses
(crisis/detection/fusion.py) — then the combined detector's full report.

Sets: the lexicon rounds' sets (ours, psysuicide, dev2/3/4; holdout, holdout2/3/4 only
when named, since they are the model's test rows) and the model's splits
(crisis/data/splits.json): dev, dev:psy, dev:smile, dev:yl2, and the
test split test, test:psy, test:smile, test:yl2, test:holdout. The model trained on
ours, dev2/3/4 and on part of psysuicide (those figures say so when printed); its
thresholds were tuned on dev. **The test split is reported once per model version**:
the first `--set test...` measures it with 95% bootstrap intervals and records the
result beside the artifact (model-<version>.test-report.json); later runs print
that record. See docs/crisis.md.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crisis import evaluation
from crisis.detection.baseline import KeywordBaseline

DEFAULT_SETS = ("ours", "psysuicide", "dev", "dev:psy", "dev:smile", "dev:yl2")
# The lexicon's held-out sets are the model's test rows (test:holdout): named alone they
# are printed with that warning; the honest figure is the recorded test report.
IN_TEST_SPLIT = ("holdout", "holdout2", "holdout3", "holdout4")
TEST_SETS = ("test", "test:psy", "test:smile", "test:yl2", "test:holdout")
MODEL_TRAINED_ON = {
    "ours": "all but its 40 holdout lines",
    "dev2": "all",
    "dev3": "all",
    "dev4": "all",
    "psysuicide": "its train split (62%)",
}


class Command(BaseCommand):
    help = "Evaluate keyword filter, lexicon, model and combined detector on the labelled sets."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--set",
            dest="which",
            action="append",
            choices=(*evaluation.SETS, *evaluation.SPLIT_SETS, "all"),
            help="a set (repeatable); default all = " + ", ".join(DEFAULT_SETS) + "; the test split only when named",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument(
            "--errors",
            type=int,
            default=0,
            metavar="N",
            help="print N misclassified examples of the combined detector per set (not on test)",
        )
        parser.add_argument(
            "--psysuicide",
            default=None,
            metavar="PATH",
            help="PsySUICIDE valid.json (default: <project>/../shared/data/psysuicide/valid.json)",
        )
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="the shipped lexicon file and model artifact instead of the active versions",
        )

    def handle(self, *args, **options) -> None:
        from crisis.detection import Detector, load_shipped_lexicon
        from crisis.detection.fusion import FusedDetector, ModelOnly
        from crisis.model.classifier import load_shipped_model, shipped_model_path

        if options["shipped"]:
            document = load_shipped_lexicon()
            lexicon = Detector.from_lexicon(document)
            model = load_shipped_model()
        else:
            from crisis.runtime import current_lexicon_detector, current_model

            lexicon = current_lexicon_detector()
            document = _document_of(lexicon) or load_shipped_lexicon()
            model = current_model() or load_shipped_model()
        combined = FusedDetector(lexicon, model)
        scanners = {
            "keyword baseline": KeywordBaseline.from_lexicon(document).scan,
            "lexicon": lexicon.scan,
            "model": ModelOnly(lexicon, model).scan,
            "combined": combined.scan,
        }
        which = options["which"] or ["all"]
        sets = [*(DEFAULT_SETS if "all" in which else ()), *(w for w in which if w != "all")]
        sets = list(dict.fromkeys(sets))
        errors = max(options["errors"], 0)
        out: dict = {"lexicon_version": lexicon.version, "model_version": model.version}
        if not options["json"]:
            self.stdout.write(
                f"lexicon {lexicon.version}; model {model.version} "
                f"(trained {model.meta.get('created')}, data {model.meta.get('training_data_hash')}, "
                f"seed {model.meta.get('seed')}); thresholds {model.thresholds}\n"
            )
        record_path = shipped_model_path().with_name(f"model-{model.version}.test-report.json")
        for name in sets:
            if name in TEST_SETS:
                out[name] = self._test_set(name, scanners, record_path, model, options["json"])
                continue
            try:
                messages = evaluation.load_set(name, options["psysuicide"])
            except FileNotFoundError as exc:
                raise CommandError(f"data set not found: {exc.filename}") from None
            reports = evaluation.compare(name, messages, scanners)
            entry = {label: report.as_dict(errors if label == "combined" else 0) for label, report in reports.items()}
            if name == "ours":
                conversations = evaluation.load_conversations()
                entry["conversations"] = {
                    "lexicon": evaluation.evaluate_conversations(conversations, lexicon).as_dict(),
                    "combined": evaluation.evaluate_conversations(conversations, combined).as_dict(),
                }
            out[name] = entry
            if options["json"]:
                continue
            if name in MODEL_TRAINED_ON:
                self.stdout.write(
                    f"(the model trained on {MODEL_TRAINED_ON[name]} of {name}: its figures here "
                    "are not an estimate for unseen data)"
                )
            if name in IN_TEST_SPLIT:
                self.stdout.write(
                    f"({name} is part of the model's test split: use the recorded `--set test:holdout` "
                    "report, do not tune on this)"
                )
            if name.startswith("dev"):
                self.stdout.write("(dev: the fusion thresholds were tuned on it)")
            self.stdout.write(evaluation.format_comparison(reports))
            self.stdout.write(evaluation.format_report(reports["combined"], errors))
            self.stdout.write(evaluation.format_kinds(reports["combined"]))
            if name == "ours":
                for label in ("lexicon", "combined"):
                    report = evaluation.evaluate_conversations(
                        conversations, lexicon if label == "lexicon" else combined
                    )
                    self.stdout.write(f"[{label}] " + evaluation.format_conversations(report))
            self.stdout.write("")
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

    def _test_set(self, name: str, scanners: dict, record_path: Path, model, as_json: bool) -> dict:
        """Measured once per model version, then read from the record."""
        record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
        if record.get("model_version") != model.version or record.get("training_data_hash") != model.meta.get(
            "training_data_hash"
        ):
            record = {
                "model_version": model.version,
                "training_data_hash": model.meta.get("training_data_hash"),
                "sets": {},
            }
        entry = record["sets"].get(name)
        if entry is None:
            messages = evaluation.load_set(name)
            reports = evaluation.compare(name, messages, scanners)
            entry = {
                "measured_at": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "table": evaluation.format_comparison(reports),
                "intervals": {
                    label: evaluation.bootstrap(reports[label], messages, scanners[label])
                    for label in ("keyword baseline", "lexicon", "combined")
                },
                "reports": {label: report.as_dict() for label, report in reports.items()},
            }
            record["sets"][name] = entry
            record_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            note = "measured now and recorded"
        else:
            note = f"recorded {entry['measured_at']} (the test split is measured once per model version)"
        if not as_json:
            self.stdout.write(f"[{name}: {note}; {record_path.name}]")
            self.stdout.write(entry["table"])
            for label, intervals in entry["intervals"].items():
                self.stdout.write(evaluation.format_intervals(label, {k: tuple(v) for k, v in intervals.items()}))
            self.stdout.write("")
        return entry


def _document_of(detector) -> dict | None:
    """The lexicon document behind the live detector, for the baseline (None: use the shipped file)."""
    try:
        from crisis.selectors import current_lexicon

        view = current_lexicon()
        return view.document if view.document.get("version") == detector.version else None
    except Exception:  # noqa: BLE001 - no database: the shipped file is what the detector uses too
        return None
