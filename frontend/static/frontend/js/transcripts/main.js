// Transcript reads (issue 10): the transcript access log, for supervisors and admins, and for
// supervisors the read of an ended conversation outside their reviews, with a reason asked every
// time (the server logs it). Admins read no transcript: they see the log only.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import { topicLabel, riskLabel } from "../shared/labels.js";
import { startStaffPage } from "../shared/staff.js";

const PAGE_SIZE = 50;

function purposeLabel(purpose) {
  return {
    quality: gettext("Quality inspection"),
    monitor: gettext("Live monitoring"),
    history: gettext("History read"),
    admin: gettext("Administration"),
  }[purpose] || purpose;
}

function roleLabel(role) {
  return { youth: gettext("Youth"), counselor: gettext("Counselor"), supervisor: gettext("Supervisor"), admin: gettext("Admin"), system: gettext("System") }[role] || role;
}

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 404) return gettext("There is no conversation with this number.");
  if (problem.status === 400 && /open/.test(problem.message)) return gettext("This conversation is still going on: follow it from the supervisor console.");
  if (problem.status === 400 || problem.status === 413) return gettext("Please say why you read it (4 to 200 characters).");
  if (problem.status === 403) return gettext("Your role may not do this.");
  return gettext("Something went wrong. Please try again.");
}

function setStatus(node, text, kind = "") {
  node.textContent = text;
  node.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
}

function Transcript({ read }) {
  const lines = read.transcript;
  return html`<article class="tr-read" aria-label=${interpolate(gettext("Conversation %(number)s"), { number: read.conversation })}>
    <p class="tr-meta"><strong>${interpolate(gettext("Conversation %(number)s"), { number: read.conversation })}</strong>
      ${" · "}${topicLabel(read.topic)} · ${riskLabel(read.risk_level)} · ${formatDateTime(read.requested_at)}
      ${read.reviews.length ? html` · ${gettext("Reviewed")}: ${read.reviews.map((r) => r.grade).join(" / ")}` : ""}</p>
    ${read.wrapup ? html`<p class="field-hint">${gettext("Wrap-up")}: ${read.wrapup.category} — ${read.wrapup.summary}</p>` : ""}
    ${lines.length
      ? html`<ol class="qa-transcript">${lines.map(
          (line) => html`<li key=${line.seq} class=${`qa-line qa-line--${line.role}`}><small>${roleLabel(line.role)} ${formatDateTime(line.at)}</small>${line.text}</li>`,
        )}</ol>`
      : html`<p class="sv-empty">${gettext("No messages (deleted after the retention period, or none written).")}</p>`}
  </article>`;
}

function Log({ page, go }) {
  if (!page.entries.length) return html`<p class="sv-empty">${gettext("Nobody read a transcript in this selection.")}</p>`;
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  return html`<div class="tr-log-wrap"><table class="tr-log-table">
      <thead><tr><th scope="col">${gettext("When")}</th><th scope="col">${gettext("Who")}</th><th scope="col">${gettext("Conversation")}</th><th scope="col">${gettext("Why")}</th></tr></thead>
      <tbody>${page.entries.map(
        (e, i) => html`<tr key=${i}>
          <td data-label=${gettext("When")}>${formatDateTime(e.at)}</td>
          <td data-label=${gettext("Who")}>${e.username} <small>${roleLabel(e.role)}</small></td>
          <td data-label=${gettext("Conversation")}>${e.conversation}</td>
          <td data-label=${gettext("Why")}>${purposeLabel(e.purpose)}${e.reason ? html`: <q>${e.reason}</q>` : ""}</td>
        </tr>`,
      )}</tbody></table>
    <p class="tr-pages">${interpolate(gettext("%(total)s reads · page %(page)s of %(pages)s"), { total: page.total, page: page.page, pages })}
      <button class="btn btn-quiet btn-small" type="button" disabled=${page.page <= 1} onClick=${() => go(page.page - 1)}>${gettext("Newer")}</button>
      <button class="btn btn-quiet btn-small" type="button" disabled=${page.page >= pages} onClick=${() => go(page.page + 1)}>${gettext("Older")}</button></p>
  </div>`;
}

function runPage({ client, session, role }) {
  client.start();
  const logStatus = $("#tr-log-status");

  async function loadLog(page = 1) {
    const number = $("#tr-log-conversation").value.trim();
    const body = { page, page_size: PAGE_SIZE };
    if (number) body.conversation = Number(number);
    if ($("#tr-log-purpose").value) body.purpose = $("#tr-log-purpose").value;
    if ($("#tr-log-since").value) body.since = $("#tr-log-since").value;
    if ($("#tr-log-until").value) body.until = $("#tr-log-until").value;
    setStatus(logStatus, gettext("Loading…"));
    try {
      const answer = await session.fetch("/quality/access-log", { method: "POST", body });
      setStatus(logStatus, "");
      render(html`<${Log} page=${answer} go=${loadLog} />`, $("#tr-log"));
    } catch (problem) {
      setStatus(logStatus, describe(problem), "error");
    }
  }

  $("#tr-log-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadLog(1);
  });

  if (role === "supervisor") {
    $("#tr-lookup").hidden = false;
    const status = $("#tr-lookup-status");
    $("#tr-lookup-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const conversation = Number($("#tr-conversation").value.trim());
      const reason = $("#tr-reason").value.trim();
      if (!Number.isInteger(conversation) || conversation < 1) {
        setStatus(status, gettext("Enter the conversation's number."), "error");
        return;
      }
      if (reason.length < 4) {
        setStatus(status, gettext("Please say why you read it (4 to 200 characters)."), "error");
        $("#tr-reason").focus();
        return;
      }
      setStatus(status, gettext("Loading…"));
      render(null, $("#tr-transcript"));
      try {
        const read = await session.fetch("/quality/transcripts/read", { method: "POST", body: { conversation, reason } });
        setStatus(status, gettext("Shown below, masked. This read is now in the access log."));
        render(html`<${Transcript} read=${read} />`, $("#tr-transcript"));
        loadLog(1);
      } catch (problem) {
        setStatus(status, describe(problem), "error");
      }
    });
  }
  loadLog(1);
}

const started = startStaffPage({ roles: ["supervisor", "admin"] });
if (started) runPage({ ...started, role: started.tokens.role });
