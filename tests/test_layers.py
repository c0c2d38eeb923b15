"""The apps import each other in one direction only (docs/architecture.md): no import circles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: an app may import only apps to its left.
LAYERS = [
    "jobs",
    "protocol",
    "metrics",
    "realtime",
    "moderation",
    "accounts",
    "helpline",
    "chat",
    "crisis",
    "desk",
    "quality",
    "cases",
    "reports",
    "staffing",
    "demo",
    "gateway",
    "frontend",
    "youthline",
]


def imports_between_apps() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in LAYERS and top != app:
                        edges[app].add(top)
    return edges


def test_every_import_goes_down_the_layers():
    upward = [
        (app, other)
        for app, others in imports_between_apps().items()
        for other in others
        if LAYERS.index(other) > LAYERS.index(app)
    ]
    assert upward == []
