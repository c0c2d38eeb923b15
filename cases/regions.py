"""Loading a province's region tree (GB/T 2260 codes) from a JSON file: `cases/data/regions_*.json`.

The file is `{"source": TEXT, "province": CODE, "regions": [{"code", "name", "name_en", "level",
"parent"}, ...]}`, parents before children. The seed migration loads Guangdong's; a deployment of
another province loads its own with `manage.py load_regions FILE`. Loading is idempotent: a region
already there is updated (its name, its parent), none is deleted (cases point at them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
GUANGDONG = DATA / "regions_440000.json"
LEVELS = ("province", "city", "county")


class RegionFileError(ValueError):
    pass


def read_region_file(path: Path) -> list[dict[str, Any]]:
    """The regions of the file, checked: six-digit codes, known levels, every parent listed before
    its children (or already loaded), one province at the top."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegionFileError(f"{path}: {exc}") from None
    rows = document.get("regions") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not rows:
        raise RegionFileError(f"{path}: no regions list")
    seen: dict[str, str] = {}
    for row in rows:
        code, level, parent = row.get("code"), row.get("level"), row.get("parent")
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            raise RegionFileError(f"{path}: bad code {code!r}")
        if level not in LEVELS:
            raise RegionFileError(f"{path}: {code}: bad level {level!r}")
        if not isinstance(row.get("name"), str) or not row["name"].strip():
            raise RegionFileError(f"{path}: {code}: no name")
        if level == "province":
            if parent is not None:
                raise RegionFileError(f"{path}: {code}: a province has no parent")
        elif parent not in seen or LEVELS.index(seen[parent]) != LEVELS.index(level) - 1:
            raise RegionFileError(f"{path}: {code}: its parent {parent!r} is not the level above, listed before it")
        if code in seen:
            raise RegionFileError(f"{path}: {code} is listed twice")
        seen[code] = level
    return rows


def load_regions(region_model: Any, rows: list[dict[str, Any]]) -> int:
    """Write the rows with `region_model` (the model, or a migration's historical model, whose save()
    does not compute the path: it is computed here). Returns how many were written."""
    paths: dict[str, str] = {}
    for row in rows:
        parent = row.get("parent")
        path = (paths[parent] if parent else "") + f"{row['code']}/"
        paths[row["code"]] = path
        region_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"].strip(),
                "name_en": (row.get("name_en") or "").strip(),
                "level": row["level"],
                "parent_id": parent,
                "path": path,
            },
        )
    return len(rows)
