"""Prometheus metrics: what the processes count, and what the database shows at scrape time.

Two kinds, reported two ways (docs/metrics.md; why in docs/architecture.md, "Metrics"):

- **Events** (messages relayed, frames refused, latencies, detector failures, job runs) are
  counted where they happen, in whichever process that is: the Daphne processes and the job
  workers. With `PROMETHEUS_MULTIPROC_DIR` set (the same directory for every process of a
  host, emptied before they start) prometheus_client keeps each process's values in a
  memory-mapped file there, and `/metrics` on any process adds them all up. Without it each
  process reports only its own (the embedded default, tests in one process).
- **State** (the queue, open sockets, open alerts, unscanned messages) is read from PostgreSQL
  when `/metrics` is scraped, by the app that owns it (`<app>/metrics.py`, registered with
  `@state`): the same answer whichever process is asked, nothing to keep in step.

The calls on the hot path (`message_stored`, `sent`) cost a few hundred nanoseconds to a few
microseconds (bench/bench_metrics.py); nothing here touches the database or the network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

import msgspec
from prometheus_client import Counter, Histogram
from prometheus_client.core import Metric

# Seconds; relays take milliseconds when well, seconds when overloaded.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

MESSAGES_RELAYED = Counter(
    "youthline_messages_relayed",
    "Messages stored and published to their conversation (resends not counted)",
    ["sender"],
)
FRAMES_REFUSED = Counter(
    "youthline_frames_refused", "Client frames answered with an error frame, by error code", ["code"]
)
RELAY_LATENCY = Histogram(
    "youthline_relay_latency_seconds",
    "From a message being stored to its frame being handed to a recipient's socket (each recipient)",
    buckets=LATENCY_BUCKETS,
)
RELAY_STAGE = Histogram(
    "youthline_relay_stage_seconds",
    "Where a relayed message's time goes, per recipient socket: 'publish' from being stored to the "
    "storing process handing it to the channel layer; 'deliver' from there to the recipient's consumer "
    "taking it (the pub/sub layer, the receiving process's loop, the consumer's queue); 'send' from "
    "there to the frame being handed to the socket",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
ALERT_LATENCY = Histogram(
    "youthline_alert_latency_seconds",
    "From the youth message that raised an alert being stored to the crisis.alert frame being handed to "
    "a supervisor's socket (first raise only; each supervisor socket)",
    buckets=LATENCY_BUCKETS,
)
DETECTOR_FAILURES = Counter(
    "youthline_detector_failures", "Youth messages stored without a crisis scan because the scan failed"
)
JOBS = Counter("youthline_jobs", "Job runs by the job workers, by task and outcome", ["task", "outcome"])
JOB_DURATION = Histogram(
    "youthline_job_duration_seconds",
    "How long a job ran, by task",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)

_relayed_by_sender = {sender: MESSAGES_RELAYED.labels(sender) for sender in ("youth", "counselor", "supervisor")}


def message_stored(sender: str, *, duplicate: bool) -> None:
    """A message.send was stored (and will be published once committed); a resend was not."""
    if not duplicate:
        child = _relayed_by_sender.get(sender) or MESSAGES_RELAYED.labels(sender)
        child.inc()


class _Stamped(msgspec.Struct):
    at: str | None = None
    overdue: bool = False


_stamped = msgspec.json.Decoder(_Stamped)
_ERROR = '{"type":"error","code":"'
_MESSAGE = '{"type":"message",'
_ALERT = '{"type":"crisis.alert",'


def sent(text: str, *, published: float | None = None, received: float | None = None) -> None:
    """Every server frame a socket is given passes here (gateway: `send_text`): error frames are
    counted by code, message and first-raise alert frames timed from their `at`. A message frame
    that came through the channel layer is also timed in stages: `published` is the publisher's
    wall clock as it handed the event over, `received` when the consumer took it."""
    if not text.startswith('{"type":"'):
        return
    if text.startswith(_MESSAGE):
        stored = _observe_since(RELAY_LATENCY, text)
        if stored is not None and published is not None and received is not None:
            # Wall clocks of two processes (one host, or NTP-kept hosts): clamp what a skew makes negative.
            _publish_stage.observe(max(0.0, published - stored))
            _deliver_stage.observe(max(0.0, received - published))
            _send_stage.observe(max(0.0, time.time() - received))
    elif text.startswith(_ERROR):
        end = text.find('"', len(_ERROR))
        FRAMES_REFUSED.labels(text[len(_ERROR) : end]).inc()
    elif text.startswith(_ALERT):
        _observe_since(ALERT_LATENCY, text, skip_overdue=True)


_publish_stage, _deliver_stage, _send_stage = (RELAY_STAGE.labels(stage) for stage in ("publish", "deliver", "send"))


def _observe_since(histogram: Histogram, text: str, *, skip_overdue: bool = False) -> float | None:
    """Observe the time since the frame's `at`; that stamp (epoch seconds), or None without one."""
    try:
        stamped = _stamped.decode(text)
        if stamped.at is None or (skip_overdue and stamped.overdue):
            return None
        at = datetime.fromisoformat(stamped.at).timestamp()
    except (msgspec.DecodeError, ValueError):  # not ours to judge: the frame goes out regardless
        return None
    # The stamp is the storing process's wall clock; a clock a little behind is not a negative delay.
    histogram.observe(max(0.0, time.time() - at))
    return at


def detector_failed() -> None:
    DETECTOR_FAILURES.inc()


# ----- state read at scrape time -----------------------------------------------------------------
StateReader = Callable[[], Iterable[Metric]]
_state_readers: list[StateReader] = []


def state(reader: StateReader) -> StateReader:
    """Register a function that reads state (from the database) into metric families at each scrape."""
    _state_readers.append(reader)
    return reader


def state_readers() -> list[StateReader]:
    return list(_state_readers)
