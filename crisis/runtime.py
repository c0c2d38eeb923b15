"""The detector every process uses: the newest lexicon version, picked up without a restart.

Each process asks the database for the newest version number at most every
CRISIS_LEXICON_REFRESH_S seconds (one indexed query). A new version is compiled in a
background thread while the old detector keeps scanning, then swapped in; a version that
fails to compile is logged and skipped, never leaving a process without a detector.
"""
from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from crisis.detection import Detector, load_shipped_lexicon

log = logging.getLogger(__name__)

_lock = threading.Lock()
_detector: Detector | None = None
_loaded_version: int = 0  # 0: the shipped file
_checked_at: float = 0.0
_compiling: int | None = None


def _newest_version() -> int:
    from crisis.models import LexiconVersion

    newest = LexiconVersion.objects.order_by("-number").values_list("number", flat=True).first()
    return newest or 0


def _compile(version: int) -> Detector:
    if version == 0:
        return Detector.from_lexicon(load_shipped_lexicon())
    from crisis.models import LexiconVersion

    return Detector.from_lexicon(LexiconVersion.objects.get(number=version).document)


def _compile_in_background(version: int) -> None:
    global _detector, _loaded_version, _compiling

    def work() -> None:
        global _detector, _loaded_version, _compiling
        try:
            detector = _compile(version)
        except Exception:  # noqa: BLE001 - a bad version must not take scanning down
            log.exception("lexicon version %s failed to compile; keeping version %s", version, _loaded_version)
            detector = None
        finally:
            from django.db import connection

            connection.close()
        with _lock:
            if detector is not None:
                _detector, _loaded_version = detector, version
            _compiling = None

    with _lock:
        if _compiling == version:
            return
        _compiling = version
    threading.Thread(target=work, name=f"lexicon-{version}", daemon=True).start()


def current_detector() -> Detector:
    global _detector, _loaded_version, _checked_at
    now = time.monotonic()
    if _detector is not None and now - _checked_at < settings.CRISIS_LEXICON_REFRESH_S:
        return _detector
    _checked_at = now
    try:
        newest = _newest_version()
    except DatabaseError:
        newest = _loaded_version
    if _detector is None:
        # First use in this process: compile now, there is nothing to fall back on.
        try:
            detector = _compile(newest)
        except Exception:  # noqa: BLE001
            log.exception("lexicon version %s failed to compile; using the shipped lexicon", newest)
            detector, newest = _compile(0), 0
        with _lock:
            _detector, _loaded_version = detector, newest
    elif newest != _loaded_version:
        _compile_in_background(newest)
    return _detector


def warm_up_in_background() -> None:
    """Compile the detector when a server process starts, not on its first youth message."""

    def work() -> None:
        try:
            current_detector()
        finally:
            from django.db import connection

            connection.close()

    threading.Thread(target=work, name="lexicon-warm-up", daemon=True).start()
