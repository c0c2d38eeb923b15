"""Register a trained model artifact in shadow: every process scores with it beside the active one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisis.services.model_versions import do_register_model_version
from protocol.errors import Refused


class Command(BaseCommand):
    help = "Register a model artifact (crisis_train's output) as the shadow version; promote it from the console."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a model artifact, .json or .json.gz")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, path: str, note: str, **options: Any) -> None:
        artifact = Path(path)
        opener = gzip.open if artifact.suffix == ".gz" else open
        try:
            with opener(artifact, "rt", encoding="utf-8") as handle:
                document = json.load(handle)
            registered = do_register_model_version(document=document, note=note)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        except Refused as refusal:
            raise CommandError(refusal.detail) from None
        self.stdout.write(f"registered model {registered.version} in shadow (id={registered.pk})")
