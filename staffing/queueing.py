"""The analytic model: Erlang-A (M/M/N+M) for counselors who hold several chats at once.

What is modelled (docs/staffing.md, "The model", says it with its assumptions):

- Youths arrive as a Poisson stream of rate `arrival_rate` (per second) for one topic in one hour,
  and are answered by `n` counselors, each holding up to `c` chats: N = n * c chat slots.
- A chat held by a counselor who holds j chats ends at rate 1 / D(j), D(j) = D1 * (1 + slowdown *
  (j - 1)): chats lengthen when the counselor holds more of them (the slowdown is measured from
  the platform's own assignments, staffing/inputs.py). A counselor holding j chats thus finishes
  g(j) = j / D(j) chats a second. This is the state-dependent service rate of the chat
  contact-centre models (Tezcan & Zhang 2014, "Routing and staffing in customer service chat
  systems with impatient customers", Operations Research 62(4)).
- The queue routes to the least-loaded counselor (chat/services/queue.py), so with k chats in
  service the loads are as even as they can be: k mod n counselors hold ceil(k/n) chats and the
  others floor(k/n). The total service rate in state k <= N is then D(k) = sum of g over the
  counselors. (Chats ending at random make loads less even than that; the simulation, which
  routes chat by chat, measures how much it matters.)
- A youth who finds every slot taken waits; each waiting youth leaves at rate theta = 1 / mean
  patience (exponential patience, the "+M"). Waiting youths are served first come, first served,
  by the next free slot, at the total rate s = D(N) = n * g(c) while every slot is taken.

The number of youths in the system is then a birth-death process: births lambda, deaths D(k) up
to N, then s + j * theta with j waiting. Its stationary law, and what an arrival sees (PASTA),
give every figure in closed form:

    p_{N+j} = p_N * y^j / ((x+1)(x+2)...(x+j)),   x = s / theta,  y = lambda / theta
    A(x, u) = sum_j u^j / ((x+1)...(x+j)) = x e^u u^-x gamma(x, u)      (Garnett et al. 2002, A)
    P(W > t) = p_N * A(x, y e^{-theta t}) * h(t),   h(t) = exp(y (1 - e^{-theta t}) - (x+1) theta t)
    P(answered after waiting longer than t) = p_N * x/(x+1) * A(x+1, y e^{-theta t}) * h(t)

(W is the time a youth spends waiting, answered or not.) The first two are Garnett, Mandelbaum &
Reiman (2002, MSOM 4(3)) for the Erlang-A queue, with s in place of N * mu; the others follow
from the same birth-death chain (docs/staffing.md derives them). With c = 1 and slowdown 0 this
is exactly Erlang-A, and with patience -> infinity Erlang-C (tests/domain/test_staffing_queueing.py
checks both against published tables and identities).

Crisis priority: youths at risk level 3 or more are served before everyone else. While every
slot is taken they see only the at-risk youths ahead of them: the same formulas with their own
arrival rate, entered with the probability that every slot is taken (an approximation: it
assumes the busy period lasts; the simulation measures it).

Numerics: everything in logarithms; A(x, u) as its series (all terms positive, summed with
logsumexp), which stays finite where the incomplete gamma underflows and where e^u overflows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Handling:
    """How long chats last: D1 alone, lengthening by `slowdown` per other chat held, up to `capacity`."""

    mean_s: float
    slowdown: float = 0.0
    capacity: int = 1

    def duration(self, held: int) -> float:
        return self.mean_s * (1.0 + self.slowdown * (held - 1))

    def counselor_rate(self, held: int) -> float:
        """Chats a counselor holding `held` chats finishes per second."""
        return 0.0 if held <= 0 else held / self.duration(held)


@dataclass(frozen=True, slots=True)
class Targets:
    """What a plan must reach in every hour with traffic."""

    answered: float = 0.95  # connection rate (GB/T 33358-2016)
    within_s: float = 60.0
    within_share: float = 0.80  # of all who asked: answered within `within_s`
    crisis_within_s: float = 30.0
    crisis_share: float = 0.90  # of youths at risk level 3+: answered within `crisis_within_s`


@dataclass(frozen=True, slots=True)
class Performance:
    counselors: int
    answered: float  # P(answered): the connection rate
    abandoned: float
    delayed: float  # P(every slot taken on arrival)
    wait_within: float  # P(W <= within_s), W the wait whether answered or not
    answered_within: float  # P(answered and W <= within_s)
    crisis_answered_within: float  # the same for youths at risk, within crisis_within_s
    mean_wait_s: float  # over everyone who asked
    occupancy: float  # chats held / slots
    chats_per_counselor: float

    def meets(self, targets: Targets) -> bool:
        return (
            self.answered >= targets.answered
            and self.answered_within >= targets.within_share
            and self.crisis_answered_within >= targets.crisis_share
        )


def logsumexp(values: np.ndarray) -> float:
    """log(sum(exp(values))) without overflow (scipy's own costs ten times more on small arrays)."""
    top = float(values.max())
    if not math.isfinite(top):
        return top
    return top + math.log(float(np.exp(values - top).sum()))


def log_a(x: float, u: float) -> float:
    """log A(x, u) = log sum_{j>=0} u^j / ((x+1)...(x+j)), by its series (positive terms)."""
    if u <= 0.0:
        return 0.0
    # The terms grow while x + j < u, peak near j = u - x, then fall at least as fast as a
    # Poisson(u)'s tail: 12 standard deviations past the peak leave nothing measurable.
    peak = max(0.0, u - x)
    count = int(peak + 12.0 * math.sqrt(u + 1.0) + 40.0)
    j = np.arange(1, count + 1, dtype=np.float64)
    terms = np.cumsum(math.log(u) - np.log(x + j))
    return logsumexp(np.concatenate(([0.0], terms)))


def _log_service_rates(n: int, handling: Handling) -> np.ndarray:
    """log D(k), k = 1..N: the total rate chats end with k held, spread as evenly as the queue spreads them."""
    slots = n * handling.capacity
    k = np.arange(1, slots + 1)
    low, extra = k // n, k % n
    rates = np.array([handling.counselor_rate(j) for j in range(handling.capacity + 1)])
    total = extra * rates[np.minimum(low + 1, handling.capacity)] + (n - extra) * rates[low]
    return np.log(total)


def _crisis_within(delayed: float, x: float, y_h: float, theta: float, s: float, lam_h: float, t: float) -> float:
    """P(answered within t) of an at-risk youth, who waits only behind at-risk youths."""
    if delayed <= 0.0:
        return 1.0
    if theta == 0.0:
        if lam_h >= s:
            return 1.0 - delayed
        return 1.0 - delayed * math.exp(-(s - lam_h) * t)
    u = y_h * math.exp(-theta * t)
    log_h = y_h - u - (x + 1.0) * theta * t
    log_norm = log_a(x, y_h)
    answered = 1.0 - delayed * (1.0 - x / (x + 1.0) * math.exp(log_a(x + 1.0, y_h) - log_norm))
    late = delayed * x / (x + 1.0) * math.exp(log_a(x + 1.0, u) + log_h - log_norm)
    return max(0.0, answered - late)


def erlang_a(
    *,
    arrival_rate: float,
    counselors: int,
    handling: Handling,
    patience_s: float,
    targets: Targets = Targets(),
    crisis_share: float = 0.0,
) -> Performance:
    """The stationary figures of one interval (see the module's docstring). `patience_s` may be
    math.inf (nobody leaves: Erlang-C, stable only below full load)."""
    lam, n = arrival_rate, counselors
    theta = 0.0 if math.isinf(patience_s) else 1.0 / patience_s
    if lam <= 0.0:
        return Performance(n, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0)
    if n <= 0:
        return Performance(0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, patience_s, 0.0, 0.0)
    slots = n * handling.capacity
    log_d = _log_service_rates(n, handling)
    s = float(math.exp(log_d[-1]))
    log_p = np.concatenate(([0.0], np.cumsum(math.log(lam) - log_d)))  # p_0..p_N, unnormalized
    log_pn = log_p[-1]
    if theta == 0.0:
        rho = lam / s
        if rho >= 1.0:  # no abandonment and more work than slots: the queue grows without bound
            return Performance(n, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, math.inf, 1.0, float(handling.capacity))
        log_tail = log_pn + math.log(rho) - math.log1p(-rho)  # sum_{j>=1} p_N rho^j
        log_z = float(np.logaddexp(logsumexp(log_p), log_tail))
        p = np.exp(log_p - log_z)
        p_n = float(p[-1])
        delayed = p_n / (1.0 - rho)
        mean_queue = p_n * rho / (1.0 - rho) ** 2
        t = targets.within_s
        late = delayed * math.exp(-(s - lam) * t)
        answered, abandoned, wait_within, answered_within = 1.0, 0.0, 1.0 - late, 1.0 - late
        busy = float(np.dot(p, np.arange(slots + 1))) + slots * (delayed - p_n)
        x = y_h = 0.0
    else:
        x, y = s / theta, lam / theta
        log_a_xy = log_a(x, y)
        log_tail = log_pn + float(np.log(np.expm1(log_a_xy))) if log_a_xy > 0 else -math.inf
        log_z = float(np.logaddexp(logsumexp(log_p), log_tail))
        p = np.exp(log_p - log_z)
        p_n = float(p[-1])
        delayed = math.exp(log_pn - log_z + log_a_xy)
        # Answered after a wait: p_N * x/(x+1) * A(x+1, y) (t = 0 in the module's formula).
        answered_late = p_n * x / (x + 1.0) * math.exp(log_a(x + 1.0, y))
        abandoned = max(0.0, delayed - answered_late)
        answered = 1.0 - abandoned
        mean_queue = abandoned * lam / theta  # P(Ab) = theta * E[Q] / lambda
        t = targets.within_s
        u = y * math.exp(-theta * t)
        log_h = y - u - (x + 1.0) * theta * t
        waiting_past = math.exp(log_pn - log_z + log_a(x, u) + log_h)
        answered_past = p_n * x / (x + 1.0) * math.exp(log_a(x + 1.0, u) + log_h)
        wait_within = 1.0 - waiting_past
        answered_within = max(0.0, answered - answered_past)
        busy = float(np.dot(p, np.arange(slots + 1))) + slots * (delayed - p_n)
        y_h = lam * crisis_share / theta
    crisis = (
        _crisis_within(delayed, x, y_h, theta, s, lam * crisis_share, targets.crisis_within_s)
        if crisis_share > 0.0
        else 1.0
    )
    return Performance(
        counselors=n,
        answered=answered,
        abandoned=abandoned,
        delayed=delayed,
        wait_within=wait_within,
        answered_within=answered_within,
        crisis_answered_within=crisis,
        mean_wait_s=mean_queue / lam,
        occupancy=busy / slots,
        chats_per_counselor=busy / n,
    )


def counselors_needed(
    *,
    arrival_rate: float,
    handling: Handling,
    patience_s: float,
    targets: Targets = Targets(),
    crisis_share: float = 0.0,
    limit: int = 2000,
) -> Performance:
    """The smallest number of counselors whose figures meet every target (each figure rises
    with n): a doubling search, then bisection."""
    if arrival_rate <= 0.0:
        return erlang_a(arrival_rate=0.0, counselors=0, handling=handling, patience_s=patience_s, targets=targets)

    def at(n: int) -> Performance:
        return erlang_a(
            arrival_rate=arrival_rate,
            counselors=n,
            handling=handling,
            patience_s=patience_s,
            targets=targets,
            crisis_share=crisis_share,
        )

    # Below the offered load in counselors the answered share cannot reach most targets: start there.
    load = arrival_rate / handling.counselor_rate(handling.capacity)
    low = max(0, int(load * targets.answered) - 1)
    high = max(1, low + 1)
    found = at(high)
    while not found.meets(targets):
        if high >= limit:
            return found
        low, high = high, min(limit, high * 2)
        found = at(high)
    while high - low > 1:
        middle = (low + high) // 2
        candidate = at(middle)
        if candidate.meets(targets):
            high, found = middle, candidate
        else:
            low = middle
    return found


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula by its recursion (stable for any size): B(0) = 1, B(k) = aB/(k + aB)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b
