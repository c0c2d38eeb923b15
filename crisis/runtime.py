"""The detector every process uses: the newest lexicon version plus the learned model.

Each process asks the database for the newest version number at most every
CRISIS_LEXICON_REFRESH_S seconds (one indexed query). A new version is compiled in a
background thread while the old detector keeps scanning, then swapped in; a version that
fails to compile is logged and skipped, never leaving a process without a detector.

The model (crisis/model, an artifact file) is loaded once per process, at warm-up or on
first use: CRISIS_MODEL_PATH if set, else the newest shipped artifact. ``install_model``
swaps in another loaded model (a promoted version) without a restart, as a new lexicon
version is swapped in; a model that fails to load leaves the process on the lexicon
alone (logged), never without a detector. ``current_detector()`` returns the
FusedDetector of the two (crisis/detection/fusion.py).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from crisis.detection import Detector, load_shipped_lexicon
from crisis.detection.fusion import FusedDetector

log = logging.getLogger(__name__)

_lock = threading.Lock()
_detector: Detector | None = None
_loaded_version: int = 0  # 0: the shipped file
_checked_at: float = 0.0
_compiling: int | None = None
_model = None  # crisis.model.classifier.CrisisModel once loaded
_model_failed = False  # a load failed: do not retry on every message
_fused: FusedDetector | None = None


def _newest_version() -> int:
    from django.db import transaction

    from crisis.models import LexiconVersion

    # A savepoint: this runs inside the transaction that stores a youth message, and a failed
    # statement there would abort it (the message would be lost with an ack already promised).
    with transaction.atomic():
        newest = LexiconVersion.objects.order_by("-number").values_list("number", flat=True).first()
    return newest or 0


def _compile(version: int) -> Detector:
    if version == 0:
        return Detector.from_lexicon(load_shipped_lexicon())
    from crisis.models import LexiconVersion

    return Detector.from_lexicon(LexiconVersion.objects.get(number=version).document)


def _compile_in_background(version: int) -> None:
    global _compiling

    def work() -> None:
        global _detector, _loaded_version, _compiling
        try:
            detector = _compile(version)
        except Exception:
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


def current_detector() -> FusedDetector | Detector:
    """Lexicon + model; the lexicon alone if no model could be loaded."""
    global _fused
    lexicon = current_lexicon_detector()
    model = _model if _model is not None or _model_failed else _load_model()
    if model is None:
        return lexicon
    fused = _fused
    if fused is None or fused.lexicon is not lexicon or fused.model is not model:
        fused = FusedDetector(lexicon, model)
        _fused = fused
    return fused


def _load_model():
    global _model, _model_failed
    from crisis.model.classifier import CrisisModel, shipped_model_path

    with _lock:
        if _model is not None or _model_failed:
            return _model
        path = getattr(settings, "CRISIS_MODEL_PATH", "") or shipped_model_path()
        try:
            _model = CrisisModel.load(path)
        except Exception:
            log.exception("crisis model %s failed to load; scanning with the lexicon alone", path)
            _model_failed = True
        return _model


def install_model(model) -> None:
    """Scan with ``model`` (a loaded CrisisModel) from the next message on, in this process."""
    global _model, _model_failed
    with _lock:
        _model, _model_failed = model, False


def current_model():
    """The model this process scans with (None: lexicon alone)."""
    return _model if _model is not None or _model_failed else _load_model()


def current_lexicon_detector() -> Detector:
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
        except Exception:
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
            current_detector()  # compiles the lexicon and loads the model
        finally:
            from django.db import connection

            connection.close()

    threading.Thread(target=work, name="lexicon-warm-up", daemon=True).start()


def loaded_lexicon_version() -> int:
    """The lexicon version this process scans with now (0: the shipped file); alerts record it."""
    return _loaded_version
