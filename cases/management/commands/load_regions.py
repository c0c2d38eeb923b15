"""`manage.py load_regions FILE`: load a province's region tree (cases/regions.py has the format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cases.models import Region
from cases.regions import RegionFileError, load_regions, read_region_file


class Command(BaseCommand):
    help = "Load (or update) a province's regions from a JSON file such as cases/data/regions_440000.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            rows = read_region_file(file)
        except RegionFileError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            count = load_regions(Region, rows)
        self.stdout.write(f"{count} regions loaded from {file}")
