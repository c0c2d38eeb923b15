"""`python manage.py crisis_train [--seed S] [--out PATH] [--model-version NAME]`

Retrains the crisis model from the data shipped in the repository
(crisis/data, crisis/evaldata; splits fixed in crisis/data/splits.json) and writes a
versioned artifact (default crisis/model/artifacts/model-<version>.json). Thresholds
are tuned on the dev split; the test split is not read. Needs the `train` extra
(numpy, scipy, scikit-learn): `pip install -e '.[train]'`.

Locally labelled rows (supervisors' verdicts, later) join the training rows through
``local_labelled_rows`` below, which returns none until the verdict store provides them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def local_labelled_rows() -> Iterable[dict]:
    """Labelled rows kept on this deployment, as {"id", "text", "level", "categories"}: none yet.

    The hook the verdict loop plugs into: minors' words stay on the deployment, so they
    are read here at training time and never shipped.
    """
    return ()


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
            doc = train.train(seed=seed, extra_rows=local_labelled_rows, version=version)
        except ImportError as exc:
            raise CommandError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from None
        path = train.write(doc, out)
        self.stdout.write(
            f"model {doc['version']} -> {path} ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.monotonic() - started:.0f} s; seed {seed}; training data {doc['training_data_hash']} "
            f"({doc['training_rows']} rows + {doc['augmented_rows']} augmented); "
            f"thresholds {doc['thresholds']}"
        )
