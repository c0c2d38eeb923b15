"""Each process follows the model versions in the database, and scores the shadow version.

At most every CRISIS_LEXICON_REFRESH_S a scan asks which versions are active and in shadow
(one small indexed query). A version this process has not loaded is loaded in a background
thread while scanning goes on with the current one, then swapped in (`runtime.install_model`),
as lexicon versions are: promotion reaches every process without a restart. With no active
row the shipped artifact stays in use.

Shadow scoring: the shadow model, fused with the same lexicon, scans each youth message beside
the active detector; whether it would alert is tallied in memory and added to the version's
row every CRISIS_SHADOW_FLUSH_S. Nothing it finds is sent to anyone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F

from crisis import runtime
from crisis.detection import ConversationRisk
from crisis.models import ModelVersion

if TYPE_CHECKING:
    from crisis.model.classifier import CrisisModel

log = logging.getLogger(__name__)

_lock = threading.Lock()
_checked_at = 0.0
_loading: set[str] = set()
_shadow_model = None  # a CrisisModel in shadow, or None
_shadow_version: str | None = None


@dataclass
class _Tally:
    scored: int = 0
    would_alert: int = 0
    active_alerted: int = 0
    disagreed: int = 0
    since: float = field(default_factory=time.monotonic)


_tally: dict[str, _Tally] = {}


def refresh_if_due() -> None:
    global _checked_at
    now = time.monotonic()
    if now - _checked_at < settings.CRISIS_LEXICON_REFRESH_S:
        return
    _checked_at = now
    try:
        # A savepoint: this runs inside the transaction that stores a youth message, and a
        # failed statement there would abort it (and the message with it).
        with transaction.atomic():
            wanted = dict(
                ModelVersion.objects.filter(
                    status__in=[ModelVersion.Status.ACTIVE, ModelVersion.Status.SHADOW]
                ).values_list("status", "version")
            )
    except DatabaseError:
        return
    _follow_active(wanted.get(ModelVersion.Status.ACTIVE))
    _follow_shadow(wanted.get(ModelVersion.Status.SHADOW))


def _follow_active(version: str | None) -> None:
    model = runtime.current_model()
    if version is None or (model is not None and model.version == version):
        return
    _load_in_background(version, runtime.install_model)


def _follow_shadow(version: str | None) -> None:
    global _shadow_model, _shadow_version
    if version is None:
        with _lock:
            _shadow_model, _shadow_version = None, None
        return
    if version == _shadow_version:
        return

    def install(loaded: CrisisModel) -> None:
        global _shadow_model, _shadow_version
        with _lock:
            _shadow_model, _shadow_version = loaded, version

    _load_in_background(version, install)


def _load_in_background(version: str, install: Callable[[CrisisModel], None]) -> None:
    with _lock:
        if version in _loading:
            return
        _loading.add(version)

    def work() -> None:
        from crisis.model.classifier import CrisisModel

        try:
            document = ModelVersion.objects.values_list("artifact", flat=True).get(version=version)
            install(CrisisModel(document))
            log.info("crisis model %s loaded", version)
        except Exception:  # a broken version must not take scanning down
            log.exception("crisis model %s failed to load; keeping the current one", version)
        finally:
            close_old_connections()
            with _lock:
                _loading.discard(version)

    threading.Thread(target=work, name=f"crisis-model-{version}", daemon=True).start()


def shadow_model_version() -> str | None:
    return _shadow_version


def score_in_shadow(*, text: str, risk_state: dict[str, Any] | None, active_alerted: bool) -> None:
    """Would the shadow version alert on this message? Counted, never sent."""
    model, version = _shadow_model, _shadow_version
    if model is None or version is None:
        return
    from crisis.detection.fusion import FusedDetector

    detector = FusedDetector(runtime.current_lexicon_detector(), model)
    result = detector.scan_in_conversation(text, ConversationRisk.from_json(risk_state))
    would = result.level >= settings.CRISIS_ALERT_LEVEL and bool(result.categories)
    with _lock:
        tally = _tally.setdefault(version, _Tally())
        tally.scored += 1
        tally.would_alert += would
        tally.active_alerted += active_alerted
        tally.disagreed += would != active_alerted
        due = time.monotonic() - tally.since >= settings.CRISIS_SHADOW_FLUSH_S
    if due:
        flush_shadow_tally()


def flush_shadow_tally() -> None:
    with _lock:
        pending = {v: t for v, t in _tally.items() if t.scored}
        _tally.clear()
    for version, tally in pending.items():
        _add_to_row(version, tally)


def _add_to_row(version: str, tally: _Tally) -> None:
    try:
        with transaction.atomic():  # a savepoint, as in refresh_if_due: the message's transaction stays intact
            ModelVersion.objects.filter(version=version).update(
                shadow_scored=F("shadow_scored") + tally.scored,
                shadow_would_alert=F("shadow_would_alert") + tally.would_alert,
                shadow_active_alerted=F("shadow_active_alerted") + tally.active_alerted,
                shadow_disagreed=F("shadow_disagreed") + tally.disagreed,
            )
    except DatabaseError:
        log.warning("could not add shadow counts to model %s; they are dropped", version, exc_info=True)
