// The left-messages page (issue 9), for counselors and supervisors: the messages youths left
// when nobody could answer, the highest risk first; claim one, call back, record what was done.
// The list is read over HTTP (POST /api/v1/left-messages/list); every read is written to the
// audit log as a transcript access, so the page reads when it opens, when the filter changes
// or when asked to, never on a timer. Each action answers the message as it is now, and only
// that card changes.

import { gettext, interpolate } from "../i18n.js";
import { ApiError, homeForRole } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { toast } from "../shared/toast.js";
import { startStaffPage } from "../shared/staff.js";
import { LeftMessageCard, handlingBody } from "./cards.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 404) return gettext("This message no longer exists.");
  if (problem.status === 403) return gettext("Only whoever claimed it, or a supervisor, can do that.");
  if (problem.status === 409) return gettext("Someone else got there first. The list has been refreshed.");
  if (problem.status === 400) return gettext("Please check what you entered and try again.");
  return gettext("Something went wrong. Please try again.");
}

function runPage({ client, session, tokens }) {
  const role = tokens.role;
  const state = { show: "unhandled", rows: null, total: null, editing: null, busy: null, errors: new Map() };
  const status = $("#lm-status");
  $("#back-to-console").href = homeForRole(role);

  // The page opens in a tab of its own (staff_base.html): the console stays open beside it, with
  // the counselor's conversations and presence as they were. This page's socket only says who
  // is online; it changes no presence.
  client.start();

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
  }

  const on = {
    claim: (row) => act(row, "/left-messages/claim", { left_message: row.left_message }),
    take_over: (row) => act(row, "/left-messages/claim", { left_message: row.left_message, take_over: true }),
    release: (row) => act(row, "/left-messages/release", { left_message: row.left_message }),
    handle: (row) => {
      state.editing = row.left_message;
      state.errors.delete(row.left_message);
      paint();
      const form = document.getElementById(`lm-handle-${row.left_message}`);
      if (form) form.querySelector("input[name=outcome]").focus();
    },
    cancel: (row) => {
      state.editing = null;
      state.errors.delete(row.left_message);
      paint();
    },
    submit: (row, fields) => {
      const { body, problem } = handlingBody(row, fields);
      if (problem) {
        state.errors.set(row.left_message, problem);
        paint();
        return;
      }
      act(row, "/left-messages/handle", body);
    },
  };

  function paint() {
    $("#unhandled-count").textContent = state.total === null ? "–" : String(state.total);
    $("#show-unhandled").setAttribute("aria-pressed", String(state.show === "unhandled"));
    $("#show-handled").setAttribute("aria-pressed", String(state.show === "handled"));
    const rows = state.rows;
    let body = null;
    if (rows && !rows.length) {
      body = html`<p class="sv-empty lm-empty" id="lm-empty">${state.show === "unhandled"
        ? gettext("No messages waiting. Every message left has been handled.")
        : gettext("Nothing handled yet.")}</p>`;
    } else if (rows) {
      body = html`<ol class="lm-list">${rows.map(
        (row) => html`<li key=${row.left_message}><${LeftMessageCard} row=${row} role=${role}
          editing=${state.editing === row.left_message} error=${state.errors.get(row.left_message)}
          busy=${state.busy === row.left_message} on=${on} /></li>`,
      )}</ol>`;
    }
    render(body, $("#lm-list"));
  }

  async function load() {
    setStatus(gettext("Loading…"));
    try {
      const answer = await session.fetch("/left-messages/list", { method: "POST", body: { show: state.show } });
      state.rows = state.show === "unhandled" ? answer.unhandled : answer.handled;
      state.total = answer.unhandled_total;
      state.editing = null;
      state.errors.clear();
      setStatus(state.show === "unhandled"
        ? interpolate(gettext("%(count)s waiting. The highest risk first, then the oldest."), { count: state.total })
        : gettext("The most recently handled first."));
    } catch (problem) {
      setStatus(describe(problem), "error");
    }
    paint();
  }

  async function act(row, path, body) {
    state.busy = row.left_message;
    paint();
    try {
      const updated = await session.fetch(path, { method: "POST", body });
      state.editing = null;
      state.errors.delete(row.left_message);
      if (updated.handled_at && state.show === "unhandled") {
        // Done: it leaves the work list (it is under "Handled").
        state.rows = state.rows.filter((r) => r.left_message !== row.left_message);
        state.total = Math.max(0, (state.total || 1) - 1);
        toast(gettext("Saved. You will find it under Handled."));
      } else {
        state.rows = state.rows.map((r) => (r.left_message === row.left_message ? updated : r));
      }
    } catch (problem) {
      state.busy = null;
      if (problem instanceof ApiError && (problem.status === 409 || problem.status === 404)) {
        toast(describe(problem), { kind: "error" });
        await load();
        return;
      }
      state.errors.set(row.left_message, describe(problem));
    }
    state.busy = null;
    paint();
  }

  $("#lm-refresh").addEventListener("click", load);
  for (const [id, show] of [["#show-unhandled", "unhandled"], ["#show-handled", "handled"]]) {
    $(id).addEventListener("click", () => {
      if (state.show === show) return;
      state.show = show;
      state.rows = null;
      paint();
      load();
    });
  }
  load();
}

const started = startStaffPage({ roles: ["counselor", "supervisor"] });
if (started) runPage(started);
