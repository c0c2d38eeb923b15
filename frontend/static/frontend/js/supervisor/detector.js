// The crisis detector's versions: each model and lexicon version with the alerts
// it raised, how supervisors judged them (precision), the misses counselors
// reported and, for a model in shadow, what it would have done. A model in
// shadow (or retired) can be promoted: from then on it raises the alerts, in
// every server process, without a restart.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $, confirmDialog } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { toast } from "../shared/toast.js";
import { formatDateTime } from "../shared/format.js";

const PROMOTABLE = new Set(["shadow", "retired"]);

function statusLabel(status) {
  return (
    {
      active: gettext("Raising alerts"),
      shadow: gettext("In shadow (counted, never sent)"),
      retired: gettext("Retired"),
      shipped: gettext("Shipped with the program, raising alerts"),
      "in use": gettext("In use"),
    }[status] || status
  );
}

function kindLabel(kind) {
  return { model: gettext("Model"), lexicon: gettext("Lexicon") }[kind] || kind;
}

function describeHttp(problem) {
  if (problem instanceof ApiError && (problem.status === 401 || problem.status === 403)) {
    return gettext("You are not allowed to do that.");
  }
  if (problem instanceof ApiError && problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem instanceof ApiError && problem.status === 404) return gettext("That model version no longer exists.");
  return (problem && problem.message) || gettext("Something went wrong. Please try again.");
}

const dash = "–";

function percent(value) {
  return value === null || value === undefined ? dash : `${Math.round(value * 100)}%`;
}

function shadowCell(v) {
  if (v.shadow_scored === null || v.shadow_scored === undefined) return dash;
  return interpolate(gettext("%(scored)s scored · %(would)s would alert · %(disagreed)s disagreed"), {
    scored: v.shadow_scored, would: v.shadow_would_alert ?? 0, disagreed: v.shadow_disagreed ?? 0,
  });
}

/**
 * A registered model version (it has a creation time) in shadow or retired can be promoted.
 * The shipped artifact seen on old alerts has none: it is not registered, the server cannot
 * promote it.
 */
/** Two sentences: a space after an English full stop, none after a Chinese one. */
function joinSentences(first, second) {
  if (!second) return first;
  return /[。！？]$/.test(first) ? first + second : `${first} ${second}`;
}

function canPromote(v) {
  return v.kind === "model" && PROMOTABLE.has(v.status) && Boolean(v.created_at);
}

function VersionRow({ v, onPromote, busy }) {
  const name = v.kind === "lexicon"
    ? interpolate(gettext("Version %(version)s"), { version: v.version })
    : v.version;
  return html`<tr class=${v.status === "active" || v.status === "shipped" || v.status === "in use" ? "is-current" : ""}>
    <td>${kindLabel(v.kind)}</td>
    <th scope="row">${name}${v.created_at ? html`<span class="version-meta">${formatDateTime(v.created_at)}</span>` : null}</th>
    <td><span class=${`version-status version-status--${v.status.replace(" ", "-")}`}>${statusLabel(v.status)}</span></td>
    <td class="num">${v.alerts}</td>
    <td class="num">${v.judged ? interpolate(gettext("%(judged)s (%(real)s real)"), { judged: v.judged, real: v.real }) : "0"}</td>
    <td class="num">${percent(v.precision)}</td>
    <td class="num">${v.misses}</td>
    <td>${shadowCell(v)}</td>
    <td>${canPromote(v)
      ? html`<button class="btn btn-secondary btn-small" type="button" disabled=${busy}
          aria-label=${interpolate(gettext("Promote model %(version)s"), { version: v.version })}
          onClick=${() => onPromote(v)}>${gettext("Promote")}</button>`
      : null}</td>
  </tr>`;
}

function VersionRows({ versions, onPromote, busy }) {
  return versions.map((v) => html`<${VersionRow} key=${`${v.kind}:${v.version}`} v=${v} onPromote=${onPromote} busy=${busy} />`);
}

export function createDetectorPanel(session) {
  const state = { versions: [], loaded: false, busy: false };
  const status = $("#detector-status");

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
  }

  function paint() {
    const empty = state.loaded && state.versions.length === 0;
    $("#detector-empty").hidden = !empty;
    $("#detector-table").hidden = !state.versions.length;
    render(html`<${VersionRows} versions=${state.versions} onPromote=${promote} busy=${state.busy} />`, $("#detector-table tbody"));
  }

  async function load() {
    setStatus(gettext("Loading…"));
    try {
      const answer = await session.fetch("/crisis/detector/versions");
      state.versions = answer.versions || [];
      state.loaded = true;
      setStatus("");
    } catch (problem) {
      setStatus(describeHttp(problem), "error");
    }
    paint();
  }

  async function promote(v) {
    // Say what happens to the model raising alerts now: a registered one can come back later,
    // the shipped artifact cannot be promoted from here (it is not registered).
    const current = state.versions.find((x) => x.kind === "model" && (x.status === "active" || x.status === "shipped"));
    let after = "";
    if (current && current.status === "active") {
      after = interpolate(gettext("The model raising them now (%(current)s) is retired; it can be promoted back later."), { current: current.version });
    } else if (current) {
      after = interpolate(gettext("The model shipped with the program (%(current)s) stops raising them; it cannot be promoted back from here."), { current: current.version });
    }
    const confirmed = await confirmDialog({
      title: interpolate(gettext("Promote model %(version)s?"), { version: v.version }),
      text: joinSentences(gettext("From now on this model raises the alerts, in every server."), after),
      ok: gettext("Promote"),
    });
    if (!confirmed) return;
    state.busy = true;
    paint();
    try {
      await session.fetch("/crisis/models/promote", { method: "POST", body: { version: v.version } });
      toast(interpolate(gettext("Model %(version)s raises the alerts from now on."), { version: v.version }));
    } catch (problem) {
      toast(describeHttp(problem), { kind: "error" });
    }
    state.busy = false;
    await load();
  }

  $("#detector-reload").addEventListener("click", () => load());

  return {
    async open() {
      await load(); // figures change with every alert and verdict: always fresh when shown
    },
  };
}
