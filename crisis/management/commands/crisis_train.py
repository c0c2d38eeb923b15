"""`python manage.py crisis_train [--seed S] [--out PATH] [--model-version NAME]`

Retrains the crisis model from the data shipped in the repository
(crisis/data, crisis/evaldata; splits fixed in crisis/data/splits.json) and writes a
versioned artifact (default crisis/model/artifacts/model-<version>.json). Thresholds
are tuned on the dev split; the test split is not read. Needs the `train` extra
(numpy, scipy, scikit-learn): `pip install -e '.[train]'`.

Locally labelled rows join the training rows (never dev or test): supervisors' verdicts on
alerts and counselors' own alerts (crisis/local_labels.py), read from this deployment's database
at training time; minors' words never leave it. `--no-local-labels` trains on the shipped data
alone (what the shipped artifact is).

The artifact is then registered as the shadow version (`--no-register` to only write the file):
every process scores live youth messages with it beside the active model, counting the alerts it
would raise; a supervisor or admin promotes it from the console (docs/crisis.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crisis.local_labels import local_labelled_rows
from protocol.errors import Refused


class Command(BaseCommand):
    help = "Retrain the crisis model from the shipped data (plus local labelled rows) and write an artifact."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=None, help="random seed (default: the shipped model's)")
        parser.add_argument(
            "--model-version",
            dest="model_version",
            default="v1",
            help="version name written into the artifact (default v1)",
        )
        parser.add_argument(
            "--out",
            default=None,
            metavar="PATH",
            help="artifact path (default crisis/model/artifacts/model-<version>.json)",
        )
        parser.add_argument(
            "--no-local-labels",
            dest="local_labels",
            action="store_false",
            help="train on the shipped data alone, without this deployment's verdicts",
        )
        parser.add_argument(
            "--no-register",
            dest="register",
            action="store_false",
            help="only write the artifact; do not register it as the shadow version",
        )
        parser.add_argument("--note", default="", help="a note kept with the registered version")

    def handle(self, *args, **options) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            from crisis.model import train
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise CommandError(f"training needs the 'train' extra: {exc}") from None
        seed = train.DEFAULT_SEED if options["seed"] is None else options["seed"]
        version = options["model_version"]
        out = options["out"] or str(Path(train.__file__).resolve().parent / "artifacts" / f"model-{version}.json")
        started = time.monotonic()
        try:
            extra = local_labelled_rows if options["local_labels"] else train.no_extra_rows
            local = sum(1 for _ in local_labelled_rows()) if options["local_labels"] else 0
            doc = train.train(seed=seed, extra_rows=extra, version=version)
        except ImportError as exc:
            raise CommandError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from None
        path = train.write(doc, out)
        self.stdout.write(
            f"model {doc['version']} -> {path} ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.monotonic() - started:.0f} s; seed {seed}; training data {doc['training_data_hash']} "
            f"({doc['training_rows']} rows + {doc['augmented_rows']} augmented); "
            f"thresholds {doc['thresholds']}; {local} local labelled rows"
        )
        if options["register"]:
            from crisis.services.model_versions import do_register_model_version

            try:
                registered = do_register_model_version(document=doc, note=options["note"])
            except Refused as refusal:
                raise CommandError(f"the artifact is written but not registered: {refusal.detail}") from None
            self.stdout.write(f"registered model {registered.version} in shadow; promote it from the console")
