// The service-centre page (issue 11): the cases of the centre's region and below, overdue first,
// then near a deadline, then by priority; one case's detail with its timeline and the buttons the
// state machine allows this person now. Supervisors and admins open it too (every case).
// Everything over HTTP (/api/v1/cases/...); no transcript is ever shown here.

import { gettext, interpolate } from "../i18n.js";
import { ApiError, homeForRole } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { toast } from "../shared/toast.js";
import { formatDateTime } from "../shared/format.js";
import { startStaffPage } from "../shared/staff.js";
import { CATEGORIES, categoryLabel, statusLabel } from "./labels.js";
import { CaseDetail, FlagBadge, PriorityBadge, formBody } from "./detail.js";
import { OpenCaseForm, mayOpen } from "./open.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 404) return gettext("This case is not one you can see.");
  if (problem.status === 403) return gettext("You cannot do that on this case.");
  if (problem.status === 409) return gettext("The case changed meanwhile (someone else got there first). It has been reloaded.");
  if (problem.status === 400) return problem.message || gettext("Please check what you entered and try again.");
  return gettext("Something went wrong. Please try again.");
}

function CaseItem({ row, selected, onPick }) {
  return html`<li>
    <button type="button" class=${`cs-item${selected ? " is-selected" : ""} cs-item-${row.flag || "calm"}`}
      data-case=${String(row.id)} aria-current=${selected ? "true" : undefined} onClick=${() => onPick(row.id)}>
      <span class="cs-item-top">
        <b class="cs-ref">${row.reference}</b>
        <${PriorityBadge} priority=${row.priority} />
        <${FlagBadge} row=${row} />
        ${row.is_key ? html`<span class="badge cs-key">★</span>` : null}
      </span>
      <span class="cs-item-line">${categoryLabel(row.category)} · ${row.region_name}</span>
      <span class="cs-item-line cs-muted">${statusLabel(row.status)}${row.centre ? ` · ${row.centre}` : ""}</span>
      ${row.deadline_at
        ? html`<span class="cs-item-line cs-muted">${row.deadline === "accept" ? gettext("Accept by") : gettext("Resolve by")} ${formatDateTime(row.deadline_at)}</span>`
        : null}
    </button>
  </li>`;
}

function runPage({ session, tokens }) {
  const role = tokens.role;
  const state = {
    filters: { status: "open", flag: "", key: null, category: "", priority: null, q: "" },
    page: 1,
    list: null,
    selected: null,
    detail: null,
    targets: [],
    form: null,
    error: "",
    busy: false,
    creating: false, // the "open a case" form in place of a case
    me: { matter_kinds: [], supervisors: [], centre: "", centre_region_name: "" },
  };
  const back = $("#cs-back");
  if (role === "supervisor" || role === "admin") {
    back.href = homeForRole(role);
    back.hidden = false;
  }
  for (const category of CATEGORIES) {
    const option = document.createElement("option");
    option.value = category;
    option.textContent = categoryLabel(category);
    $("#cs-category").append(option);
  }

  function paintList() {
    const list = state.list;
    $("#cs-count").textContent = list ? interpolate(gettext("%(n)s cases"), { n: list.total }) : "";
    let body = html`<p class="cs-muted">${gettext("Loading…")}</p>`;
    if (list && !list.cases.length) body = html`<p class="cs-empty" id="cs-empty">${gettext("No case matches. Nothing waiting here.")}</p>`;
    else if (list) {
      const pages = Math.max(1, Math.ceil(list.total / list.per_page));
      body = html`<ol class="cs-list" id="cs-list-items">${list.cases.map(
          (row) => html`<${CaseItem} key=${row.id} row=${row} selected=${row.id === state.selected} onPick=${pick} />`,
        )}</ol>
        ${pages > 1
          ? html`<div class="cs-pager">
              <button class="btn btn-quiet btn-small" type="button" disabled=${state.page <= 1} onClick=${() => turn(-1)}>${gettext("Previous")}</button>
              <span>${interpolate(gettext("Page %(page)s of %(pages)s"), { page: state.page, pages })}</span>
              <button class="btn btn-quiet btn-small" type="button" disabled=${state.page >= pages} onClick=${() => turn(1)}>${gettext("Next")}</button>
            </div>`
          : null}`;
    }
    render(body, $("#cs-list"));
  }

  function paintDetail() {
    const pane = $("#cs-detail");
    const shown = Boolean(state.detail) || state.creating;
    pane.classList.toggle("is-open", shown);
    document.body.classList.toggle("cs-has-detail", shown);
    $("#cs-new").setAttribute("aria-expanded", String(state.creating));
    if (state.creating) {
      render(
        html`<${OpenCaseForm} key="open" session=${session} role=${role} me=${state.me} onOpened=${opened} onCancel=${stopCreating} />`,
        pane,
      );
      return;
    }
    if (!state.detail) {
      render(html`<p class="cs-muted cs-pick">${gettext("Choose a case on the left to see it and work it.")}</p>`, pane);
      return;
    }
    render(
      html`<button class="btn btn-quiet btn-small cs-close-detail" type="button" onClick=${closeDetail}>← ${gettext("Back to the list")}</button>
        <${CaseDetail} detail=${state.detail} me=${state.me} targets=${state.targets} form=${state.form}
          error=${state.error} busy=${state.busy} on=${on} />`,
      pane,
    );
  }

  function paint() {
    paintList();
    paintDetail();
  }

  async function loadList() {
    try {
      state.list = await session.fetch("/cases/list", { method: "POST", body: { ...state.filters, page: state.page } });
      $("#cs-status").textContent = "";
    } catch (problem) {
      $("#cs-status").textContent = describe(problem);
    }
    paintList();
  }

  async function loadDetail(id) {
    state.detail = await session.fetch("/cases/read", { method: "POST", body: { case: id } });
    state.targets = [];
    if (state.detail.allowed.includes("dispatch")) {
      state.targets = (await session.fetch("/cases/dispatch-targets", { method: "POST", body: { case: id } })).centres;
    }
  }

  function startCreating() {
    state.creating = true;
    state.selected = null;
    state.detail = null;
    paint();
    window.scrollTo({ top: 0 });
  }

  function stopCreating() {
    state.creating = false;
    render(null, $("#cs-detail"));
    paint();
    $("#cs-new").focus();
  }

  /** The new case: shown, and selected in the list (its reference searched if not on page one). */
  async function opened(detail) {
    state.creating = false;
    render(null, $("#cs-detail"));
    state.selected = detail.case.id;
    state.detail = detail;
    state.form = null;
    state.error = "";
    state.targets = [];
    if (detail.allowed.includes("dispatch")) {
      try {
        state.targets = (await session.fetch("/cases/dispatch-targets", { method: "POST", body: { case: detail.case.id } })).centres;
      } catch {
        state.targets = [];
      }
    }
    const due = detail.case.accept_due_at || detail.case.due_at;
    toast(interpolate(gettext("Case %(reference)s opened. To be accepted by %(when)s."), { reference: detail.case.reference, when: formatDateTime(due) }));
    filterForm.reset();
    readFilters();
    await loadList();
    if (!state.list || !state.list.cases.some((row) => row.id === detail.case.id)) {
      $("#cs-q").value = detail.case.reference;
      readFilters();
      await loadList();
    }
    paintDetail();
    document.querySelector(`.cs-item[data-case="${detail.case.id}"]`)?.scrollIntoView?.({ block: "nearest" });
    document.getElementById("cs-detail-title")?.focus?.();
  }

  async function pick(id) {
    state.creating = false;
    render(null, $("#cs-detail"));
    state.selected = id;
    state.form = null;
    state.error = "";
    try {
      await loadDetail(id);
    } catch (problem) {
      state.detail = null;
      toast(describe(problem), { kind: "error" });
    }
    paint();
    const title = document.getElementById("cs-detail-title");
    if (title) title.focus?.();
  }

  function closeDetail() {
    state.selected = null;
    state.detail = null;
    paint();
  }

  function turn(step) {
    state.page += step;
    loadList();
  }

  async function send(event, body) {
    state.busy = true;
    state.error = "";
    paintDetail();
    try {
      state.detail = await session.fetch(`/cases/${event.replace("_", "-")}`, {
        method: "POST",
        body: { case: state.detail.case.id, ...body },
      });
      state.form = null;
      toast(gettext("Saved."));
      if (state.detail.allowed.includes("dispatch")) {
        state.targets = (await session.fetch("/cases/dispatch-targets", { method: "POST", body: { case: state.detail.case.id } })).centres;
      }
    } catch (problem) {
      state.error = describe(problem);
      if (problem instanceof ApiError && (problem.status === 409 || problem.status === 404)) {
        state.form = null;
        try {
          await loadDetail(state.selected);
        } catch {
          state.detail = null;
        }
      }
    }
    state.busy = false;
    paintDetail();
    loadList();
  }

  const on = {
    open: (event) => {
      state.form = state.form === event ? null : event;
      state.error = "";
      paintDetail();
      const first = document.querySelector("#cs-form select, #cs-form textarea");
      if (first) first.focus();
    },
    cancel: () => {
      state.form = null;
      state.error = "";
      paintDetail();
    },
    direct: (event) => send(event, {}),
    submit: (event, data) => {
      const { body, problem } = formBody(event, data);
      if (problem) {
        state.error = problem;
        paintDetail();
        return;
      }
      send(event, body);
    },
  };

  const filterForm = $("#cs-filters");
  filterForm.addEventListener("change", () => applyFilters());
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters();
  });
  function applyFilters() {
    readFilters();
    loadList();
  }
  function readFilters() {
    const data = new FormData(filterForm);
    state.filters = {
      status: data.get("status") || "",
      flag: data.get("flag") || "",
      key: data.get("key") === "on" ? true : null,
      category: data.get("category") || "",
      priority: data.get("priority") ? Number(data.get("priority")) : null,
      q: String(data.get("q") || "").trim(),
    };
    state.page = 1;
  }
  $("#cs-new").addEventListener("click", () => (state.creating ? stopCreating() : startCreating()));
  $("#cs-refresh").addEventListener("click", () => {
    loadList();
    if (state.selected) pick(state.selected);
  });

  session
    .fetch("/cases/me")
    .then((me) => {
      state.me = me;
      $("#cs-new").hidden = !mayOpen(role, me);
      $("#cs-where").textContent = me.centre
        ? interpolate(gettext("%(centre)s · the cases of %(region)s and below"), { centre: me.centre, region: me.centre_region_name })
        : role === "centre"
          ? gettext("You are not placed in a service centre yet. Ask an administrator.")
          : gettext("Every region's cases");
    })
    .catch((problem) => {
      $("#cs-status").textContent = describe(problem);
    });
  paint();
  loadList();
}

const started = startStaffPage({ roles: ["centre", "supervisor", "admin"] });
if (started) runPage(started);
