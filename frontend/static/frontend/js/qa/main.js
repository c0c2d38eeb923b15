// The quality inspection page (issue 10), for supervisors: the reviews assigned to me, and for
// the one chosen its masked transcript beside the wrap-up, the alerts with their verdicts, the
// pre-screen and the survey, and the rubric form. Everything is read over HTTP
// (/api/v1/quality/...); opening a review is logged as a transcript access by the server, so a
// review is read when chosen, never on a timer. A submitted review is final.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { toast } from "../shared/toast.js";
import { startStaffPage } from "../shared/staff.js";
import { AssignmentList, Figures, ReviewView, scoresBody } from "./review.js";
import { startSupervision } from "./supervision.js";
import { FigureCharts } from "./charts.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 403) return gettext("This review is assigned to someone else.");
  if (problem.status === 404) return gettext("This review no longer exists.");
  if (problem.status === 409) return gettext("This review was submitted already; it is final.");
  if (problem.status === 400) return gettext("Please check the form: every item scored, the lines marked, the supervision date.");
  return gettext("Something went wrong. Please try again.");
}

function monthToDate() {
  const now = new Date();
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return { since: day(new Date(now.getFullYear(), now.getMonth(), 1)), until: day(now) };
}

function runPage({ client, session }) {
  const state = { rows: null, chosen: null, detail: null, busy: false, error: "" };
  const status = $("#qa-status");
  client.start(); // says who is online; changes no presence
  const supervision = startSupervision({ session }); // the "Supervision follow-up" tab

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
  }

  function paint() {
    render(html`<${AssignmentList} rows=${state.rows} chosen=${state.chosen} choose=${open} />`, $("#qa-assignments"));
    render(
      state.detail
        ? html`<${ReviewView} detail=${state.detail} busy=${state.busy} error=${state.error} submit=${submit} />`
        : html`<p class="sv-empty">${gettext("Choose a review on the left.")}</p>`,
      $("#qa-review"),
    );
  }

  async function loadList() {
    setStatus(gettext("Loading…"));
    try {
      const answer = await session.fetch("/quality/reviews");
      state.rows = answer.reviews;
      const open = state.rows.filter((r) => r.status === "assigned").length;
      setStatus(interpolate(gettext("%(count)s reviews to do."), { count: open }));
    } catch (problem) {
      setStatus(describe(problem), "error");
    }
    paint();
    loadFigures();
    supervision.reload();
  }

  async function loadFigures() {
    try {
      const figures = await session.fetch("/quality/figures", { method: "POST", body: monthToDate() });
      render(html`<${Figures} figures=${figures} />`, $("#qa-figures"));
      render(html`<${FigureCharts} figures=${figures} />`, $("#qa-charts"));
    } catch {
      render(null, $("#qa-figures")); // the figures are a help, not the work
      render(null, $("#qa-charts"));
    }
  }

  async function open(row) {
    state.chosen = row.review;
    state.detail = null;
    state.error = "";
    paint();
    try {
      state.detail = await session.fetch("/quality/reviews/read", { method: "POST", body: { review: row.review } });
    } catch (problem) {
      setStatus(describe(problem), "error");
    }
    paint();
  }

  async function submit(form) {
    const { body, problem } = scoresBody(state.detail, form);
    if (problem) {
      state.error = problem;
      paint();
      return;
    }
    state.busy = true;
    state.error = "";
    paint();
    try {
      const review = await session.fetch("/quality/reviews/submit", { method: "POST", body });
      state.detail = { ...state.detail, review };
      state.rows = state.rows.map((r) => (r.review === review.review ? { ...r, status: review.status, grade: review.grade } : r));
      toast(interpolate(gettext("Submitted: grade %(grade)s."), { grade: review.grade }));
      loadFigures();
      if (review.supervision_due) supervision.reload();
    } catch (problem) {
      state.error = describe(problem);
    }
    state.busy = false;
    paint();
  }

  $("#qa-refresh").addEventListener("click", loadList);
  loadList();
}

const started = startStaffPage({ roles: ["supervisor"] });
if (started) runPage(started);
