// "My reviews" (issue 10), for counselors: the submitted reviews of the conversations I held,
// newest first, read over HTTP (GET /api/v1/quality/my-reviews) when the page opens or when
// asked to; one reply to each (POST /api/v1/quality/my-reviews/reply). Reviewers are not named.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { toast } from "../shared/toast.js";
import { startStaffPage } from "../shared/staff.js";
import { REPLY_MAX, ReviewList, ReviewView } from "./feedback.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 403) return gettext("This review is of a conversation someone else held.");
  if (problem.status === 404) return gettext("This review no longer exists.");
  if (problem.status === 409) return gettext("You have already replied to this review.");
  if (problem.status === 413) return interpolate(gettext("A reply can be at most %(max)s characters."), { max: REPLY_MAX });
  if (problem.status === 400) return gettext("Please write a reply first.");
  return gettext("Something went wrong. Please try again.");
}

function runPage({ client, session }) {
  const state = { rows: null, chosen: null, busy: false, error: "" };
  const status = $("#fb-status");
  // The page opens in a tab of its own beside the console: this socket only says who is online,
  // it changes no presence.
  client.start();

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
  }

  function paint() {
    render(html`<${ReviewList} rows=${state.rows} chosen=${state.chosen} choose=${choose} />`, $("#fb-reviews"));
    const row = state.rows && state.rows.find((r) => r.review === state.chosen);
    const double = row ? state.rows.filter((r) => r.conversation === row.conversation).length > 1 : false;
    render(
      row
        ? html`<${ReviewView} row=${row} double=${double} busy=${state.busy} error=${state.error} send=${send} />`
        : state.rows && state.rows.length
          ? html`<p class="sv-empty">${gettext("Choose a review to read it.")}</p>`
          : null,
      $("#fb-detail"),
    );
  }

  async function load() {
    setStatus(gettext("Loading…"));
    try {
      const answer = await session.fetch("/quality/my-reviews");
      state.rows = answer.reviews;
      const waiting = state.rows.filter((r) => !r.replied_at).length;
      setStatus(
        state.rows.length
          ? interpolate(gettext("%(count)s reviews, %(waiting)s without your reply."), { count: state.rows.length, waiting })
          : "",
      );
      if (state.chosen === null && state.rows.length && window.matchMedia("(min-width: 801px)").matches) {
        state.chosen = state.rows[0].review; // on a wide screen the newest is open beside the list
      }
    } catch (problem) {
      setStatus(describe(problem), "error");
    }
    paint();
  }

  function choose(row) {
    state.chosen = row.review;
    state.error = "";
    paint();
    const detail = $("#fb-detail");
    if (detail.getBoundingClientRect().top > window.innerHeight / 2) detail.scrollIntoView({ block: "start" });
  }

  async function send(form) {
    const text = String(new FormData(form).get("text") || "").trim();
    if (!text) {
      state.error = gettext("Please write a reply first.");
      paint();
      return;
    }
    state.busy = true;
    state.error = "";
    paint();
    try {
      const row = await session.fetch("/quality/my-reviews/reply", { method: "POST", body: { review: state.chosen, text } });
      state.rows = state.rows.map((r) => (r.review === row.review ? row : r));
      toast(gettext("Your reply was sent. Thank you."));
    } catch (problem) {
      state.error = describe(problem);
      if (problem instanceof ApiError && problem.status === 409) load();
    }
    state.busy = false;
    paint();
  }

  $("#fb-refresh").addEventListener("click", load);
  load();
}

const started = startStaffPage({ roles: ["counselor"] });
if (started) runPage(started);
