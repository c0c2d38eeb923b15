// The rubric editor (issue 10), for admins: the version in use as a form (each item's titles
// and descriptions in Chinese and English, weight, critical, the risk level from which it
// applies), items added, removed and moved, the total weight and the grade bands beside it;
// publishing makes a new version (after a confirmation: reviews assigned before keep theirs).
// Every earlier version is listed read-only. The server checks everything and answers each
// problem with its field, shown next to that field; a version published by another admin in
// the meantime is refused (409), and the edits stay in the form.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $, confirmDialog } from "../shared/dom.js";
import { html, render, useEffect, useState } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import { riskLabel } from "../shared/labels.js";
import { toast } from "../shared/toast.js";
import { startStaffPage } from "../shared/staff.js";

const MAX_ITEMS = 30;
const RISK_LEVELS = [0, 1, 2, 3, 4];
let nextId = 1;

const chinese = () => (document.documentElement.lang || "").startsWith("zh");

function editable(item) {
  return { ...item, id: nextId++ };
}

function blankItem(items) {
  const keys = new Set(items.map((i) => i.key));
  let n = items.length + 1;
  while (keys.has(`item_${n}`)) n += 1;
  return editable({ key: `item_${n}`, title: "", title_zh: "", description: "", description_zh: "", weight: 10, critical: false, min_risk_level: 0 });
}

function wire(item) {
  const weight = Number.parseInt(String(item.weight), 10);
  return {
    key: item.key,
    title: item.title,
    title_zh: item.title_zh,
    description: item.description,
    description_zh: item.description_zh,
    weight: Number.isFinite(weight) ? weight : 0,
    critical: Boolean(item.critical),
    min_risk_level: Number(item.min_risk_level) || 0,
  };
}

function riskOption(level) {
  return level === 0
    ? gettext("Always (every conversation)")
    : interpolate(gettext("From risk level %(level)s (%(label)s)"), { level, label: riskLabel(level) });
}

/** The risk level from which an item applies, short (the versions' tables). */
function riskShort(level) {
  return level === 0 ? gettext("Always") : interpolate(gettext("Risk ≥ %(level)s"), { level });
}

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Nothing was published. Please try again when the connection is back.");
  if (problem.status === 403) return gettext("Only an administrator can change the rubric.");
  if (problem.status === 409) return gettext("Another administrator published a new version while you were editing. Nothing was published. Load the new version and make your changes again.");
  if (problem.status === 400) return gettext("Nothing was published: please correct the fields marked in red.");
  return gettext("Something went wrong. Please try again.");
}

/** One input with its label and, when the server refused it, the reason under it. */
function Field({ label, name, index, errors, children, wide = false, hint = "" }) {
  const field = `items.${index}.${name}`;
  const error = errors[field];
  return html`<label class=${`field rubric-field${wide ? " rubric-field--wide" : ""}`} data-field=${field}>
    <span class="field-label">${label}</span>
    ${children({ "aria-invalid": error ? "true" : "false", "aria-describedby": error ? `err-${index}-${name}` : undefined })}
    ${hint ? html`<span class="field-hint">${hint}</span>` : null}
    ${error ? html`<span class="rubric-error" id=${`err-${index}-${name}`}>${error}</span>` : null}
  </label>`;
}

function ItemEditor({ item, index, count, total, errors, change, move, remove }) {
  const set = (name) => (event) => change(index, { [name]: event.currentTarget.type === "checkbox" ? event.currentTarget.checked : event.currentTarget.value });
  const weight = Number.parseInt(String(item.weight), 10);
  const share = total > 0 && Number.isFinite(weight) ? Math.round((100 * weight) / total) : 0;
  const heading = item.title_zh || item.title ? (chinese() ? item.title_zh || item.title : item.title || item.title_zh) : gettext("New item");
  return html`<fieldset class=${`rubric-item${item.critical ? " rubric-item--critical" : ""}`} data-index=${index}>
    <legend class="rubric-item-head">
      <span class="rubric-item-number">${index + 1}</span>
      <span class="rubric-item-title">${heading}</span>
      ${item.critical ? html`<span class="badge badge--risk-4">${gettext("Critical")}</span>` : null}
    </legend>
    <div class="rubric-tools">
      <button class="btn btn-quiet btn-small" type="button" data-action="up" disabled=${index === 0} onClick=${() => move(index, -1)}
        aria-label=${interpolate(gettext("Move item %(n)s up"), { n: index + 1 })}>↑ ${gettext("Up")}</button>
      <button class="btn btn-quiet btn-small" type="button" data-action="down" disabled=${index === count - 1} onClick=${() => move(index, 1)}
        aria-label=${interpolate(gettext("Move item %(n)s down"), { n: index + 1 })}>↓ ${gettext("Down")}</button>
      <button class="btn btn-quiet btn-small rubric-remove" type="button" data-action="remove" disabled=${count === 1} onClick=${() => remove(index)}
        aria-label=${interpolate(gettext("Remove item %(n)s"), { n: index + 1 })}>✕ ${gettext("Remove")}</button>
    </div>
    <div class="rubric-grid">
      <${Field} label=${gettext("Title (Chinese)")} name="title_zh" index=${index} errors=${errors}>
        ${(aria) => html`<input class="input" name="title_zh" lang="zh-Hans" maxlength="100" value=${item.title_zh} onInput=${set("title_zh")} ...${aria} />`}
      <//>
      <${Field} label=${gettext("Title (English)")} name="title" index=${index} errors=${errors}>
        ${(aria) => html`<input class="input" name="title" lang="en" maxlength="100" value=${item.title} onInput=${set("title")} ...${aria} />`}
      <//>
      <${Field} label=${gettext("Description (Chinese)")} name="description_zh" index=${index} errors=${errors}>
        ${(aria) => html`<textarea class="input textarea" name="description_zh" lang="zh-Hans" rows="3" value=${item.description_zh} onInput=${set("description_zh")} ...${aria}></textarea>`}
      <//>
      <${Field} label=${gettext("Description (English)")} name="description" index=${index} errors=${errors}>
        ${(aria) => html`<textarea class="input textarea" name="description" lang="en" rows="3" value=${item.description} onInput=${set("description")} ...${aria}></textarea>`}
      <//>
    </div>
    <div class="rubric-row">
      <${Field} label=${gettext("Weight (1–100)")} name="weight" index=${index} errors=${errors}
        hint=${interpolate(gettext("Share of the score: %(share)s"), { share: `${share} %` })}>
        ${(aria) => html`<input class="input rubric-weight" name="weight" type="number" inputmode="numeric" min="1" max="100" step="1" value=${item.weight} onInput=${set("weight")} ...${aria} />`}
      <//>
      <${Field} label=${gettext("Applies to")} name="min_risk_level" index=${index} errors=${errors}>
        ${(aria) => html`<select class="select" name="min_risk_level" value=${String(item.min_risk_level)} onChange=${(event) => change(index, { min_risk_level: Number(event.currentTarget.value) })} ...${aria}>
          ${RISK_LEVELS.map((level) => html`<option value=${String(level)} selected=${level === Number(item.min_risk_level)}>${riskOption(level)}</option>`)}
        </select>`}
      <//>
      <${Field} label=${gettext("Key")} name="key" index=${index} errors=${errors} hint=${gettext("Lower-case letters, digits, _ and -.")}>
        ${(aria) => html`<input class="input rubric-key" name="key" maxlength="40" autocomplete="off" spellcheck="false" value=${item.key} onInput=${set("key")} ...${aria} />`}
      <//>
    </div>
    <label class="checkbox rubric-critical">
      <input type="checkbox" name="critical" checked=${item.critical} onChange=${set("critical")} />
      <span><b>${gettext("Critical")}</b> — ${gettext("scored 0, the review fails whatever the total score")}</span>
    </label>
  </fieldset>`;
}

function Bands({ bands }) {
  return html`<ul class="rubric-bands" id="rubric-bands" aria-label=${gettext("Grades")}>
    ${bands.map((b) => html`<li key=${b.grade} class=${`rubric-band${b.passed ? "" : " rubric-band--fail"}`}>
      <b>${b.grade}</b> <span>${b.low}–${b.high}</span> <small>${b.passed ? gettext("pass") : gettext("fail")}</small></li>`)}
  </ul>`;
}

function VersionList({ versions }) {
  if (!versions) return html`<p class="sv-empty">${gettext("Loading…")}</p>`;
  if (!versions.length) return html`<p class="sv-empty">${gettext("No version published yet.")}</p>`;
  return html`<ol class="rubric-versions">${versions.map((v) => html`<li key=${v.version}>
    <details class="rubric-version" data-version=${v.version}>
      <summary>
        <b>${interpolate(gettext("Version %(version)s"), { version: v.version })}</b>
        ${v.active ? html` <span class="badge badge--topic">${gettext("In use")}</span>` : null}
        <span class="rubric-version-meta">${formatDateTime(v.created_at)}
          ${" · "}${v.published_by ? interpolate(gettext("by %(name)s"), { name: v.published_by }) : gettext("shipped with the system")}
          ${" · "}${interpolate(gettext("%(count)s items, total weight %(total)s"), { count: v.items.length, total: v.total_weight })}
          ${" · "}${interpolate(gettext("%(count)s reviews"), { count: v.reviews })}</span>
        ${v.note ? html`<span class="rubric-version-note">${v.note}</span>` : null}
      </summary>
      <table class="qa-table rubric-version-table">
        <thead><tr><th scope="col">${gettext("Item")}</th><th scope="col" class="qa-num">${gettext("Weight")}</th><th scope="col">${gettext("Applies to")}</th></tr></thead>
        <tbody>${v.items.map((i) => html`<tr key=${i.key}>
          <th scope="row">${chinese() ? i.title_zh : i.title}${i.critical ? html` <span class="badge badge--risk-4">${gettext("Critical")}</span>` : null}
            <br /><small class="field-hint">${chinese() ? i.description_zh : i.description}</small></th>
          <td class="qa-num">${i.weight}</td><td title=${riskOption(i.min_risk_level)}>${riskShort(i.min_risk_level)}</td></tr>`)}</tbody>
      </table>
    </details></li>`)}</ol>`;
}

function Editor({ session }) {
  const [current, setCurrent] = useState(null); // the answer of GET /quality/rubric
  const [versions, setVersions] = useState(null);
  const [items, setItems] = useState([]);
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState({});
  const [status, setStatus] = useState({ text: gettext("Loading…"), kind: "" });
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [stale, setStale] = useState(false);

  async function load() {
    setStatus({ text: gettext("Loading…"), kind: "" });
    try {
      const [now, listed] = await Promise.all([session.fetch("/quality/rubric"), session.fetch("/quality/rubric/versions")]);
      setCurrent(now);
      setVersions(listed.versions);
      setItems((now.rubric ? now.rubric.items : []).map(editable));
      setErrors({});
      setNote("");
      setDirty(false);
      setStale(false);
      setStatus({ text: "", kind: "" });
    } catch (problem) {
      setStatus({ text: describe(problem), kind: "error" });
    }
  }

  useEffect(() => {
    load();
  }, []);

  useEffect(() => {
    const warn = (event) => {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const edit = (next) => {
    setItems(next);
    setDirty(true);
  };
  const change = (index, patch) => {
    // The server's reason stays beside a field until that field is changed.
    const stillWrong = { ...errors };
    for (const name of Object.keys(patch)) delete stillWrong[`items.${index}.${name}`];
    setErrors(stillWrong);
    edit(items.map((item, i) => (i === index ? { ...item, ...patch } : item)));
  };
  const move = (index, by) => {
    const next = [...items];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item);
    setErrors({}); // the fields' numbers changed: the server's problems no longer match
    edit(next);
  };
  const remove = (index) => {
    setErrors({});
    edit(items.filter((_, i) => i !== index));
  };
  const add = () => {
    edit([...items, blankItem(items)]);
    setTimeout(() => {
      const last = document.querySelector("#rubric-items .rubric-item:last-of-type input[name=title_zh]");
      if (last) last.focus();
    }, 0);
  };

  if (!current) return html`<p class=${`lexicon-status${status.kind ? ` is-${status.kind}` : ""}`} id="rubric-status" role="status">${status.text}</p>`;

  const rubric = current.rubric;
  const basedOn = rubric ? rubric.version : 0;
  const total = items.reduce((sum, item) => sum + (Number.parseInt(String(item.weight), 10) || 0), 0);
  const criticalCount = items.filter((i) => i.critical).length;

  async function discard() {
    const ok = await confirmDialog({
      title: gettext("Discard your changes?"),
      text: gettext("The form shows the version in use again. Nothing is published."),
      ok: gettext("Discard"),
      cancel: gettext("Keep editing"),
      danger: true,
    });
    if (ok) load();
  }

  async function publish(event) {
    event.preventDefault();
    const ok = await confirmDialog({
      title: interpolate(gettext("Publish version %(version)s?"), { version: basedOn + 1 }),
      text: rubric && rubric.reviews
        ? interpolate(
            gettext("New reviews will be assigned with it from now on. The %(reviews)s reviews assigned with version %(version)s keep that version and are scored as before. A published version cannot be changed."),
            { reviews: rubric.reviews, version: rubric.version },
          )
        : gettext("New reviews will be assigned with it from now on. A published version cannot be changed."),
      ok: gettext("Publish"),
      cancel: gettext("Keep editing"),
    });
    if (!ok) return;
    setBusy(true);
    setStatus({ text: gettext("Publishing…"), kind: "" });
    try {
      const made = await session.fetch("/quality/rubric/publish", {
        method: "POST",
        body: { based_on_version: basedOn, items: items.map(wire), note },
      });
      toast(interpolate(gettext("Version %(version)s published: new reviews use it."), { version: made.version }));
      await load();
      setStatus({ text: interpolate(gettext("Version %(version)s published: new reviews use it."), { version: made.version }), kind: "ok" });
    } catch (problem) {
      const found = {};
      if (problem instanceof ApiError && problem.status === 400 && Array.isArray(problem.body.problems)) {
        for (const p of problem.body.problems) if (!found[p.field]) found[p.field] = p.message;
      }
      setErrors(found);
      setStale(problem instanceof ApiError && problem.status === 409);
      setStatus({ text: describe(problem), kind: "error" });
      setTimeout(() => {
        const first = document.querySelector('#rubric-items [aria-invalid="true"]');
        if (first) first.focus();
      }, 0);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="rubric-form" id="rubric-form" novalidate onSubmit=${publish}>
    <div class="rubric-summary qa-panel" id="rubric-summary">
      <div class="qa-figures">
        <div class="qa-figure">${gettext("Editing")}<b id="rubric-based-on">${rubric ? interpolate(gettext("Version %(version)s"), { version: rubric.version }) : gettext("No version yet")}</b></div>
        <div class="qa-figure">${gettext("Items")}<b id="rubric-count">${items.length} / ${MAX_ITEMS}</b></div>
        <div class="qa-figure">${gettext("Total weight")}<b id="rubric-total">${total}</b></div>
        <div class="qa-figure">${gettext("Critical items")}<b>${criticalCount}</b></div>
      </div>
      <p class="field-hint">${gettext("The score is the weighted mean of the items that apply to the conversation, 0–100: the total weight need not be 100. An item scored 0 that is critical fails the review whatever the score.")}</p>
      <${Bands} bands=${current.bands} />
    </div>

    ${errors.items ? html`<p class="rubric-error rubric-error--block" id="rubric-items-error">${errors.items}</p>` : null}
    <div id="rubric-items">
      ${items.map((item, index) => html`<${ItemEditor} key=${item.id} item=${item} index=${index} count=${items.length} total=${total}
        errors=${errors} change=${change} move=${move} remove=${remove} />`)}
    </div>
    <button class="btn btn-secondary" type="button" id="rubric-add" disabled=${items.length >= MAX_ITEMS} onClick=${add}>+ ${gettext("Add an item")}</button>

    <div class="rubric-publish qa-panel">
      <div class="rubric-publish-row">
        <label class="field rubric-note-field"><span class="field-label">${gettext("What changed")} <span class="field-optional">${gettext("(optional, kept with the version)")}</span></span>
          <input class="input" id="rubric-note" maxlength="200" value=${note} onInput=${(e) => { setNote(e.currentTarget.value); setDirty(true); }}
            placeholder=${gettext("e.g. risk assessment weighted more")} /></label>
        <div class="rubric-actions">
          <button class="btn btn-primary" type="submit" id="rubric-publish" disabled=${busy || !dirty}>
            ${interpolate(gettext("Publish as version %(version)s"), { version: basedOn + 1 })}</button>
          ${dirty || stale ? html`<button class="btn btn-secondary" type="button" id="rubric-reload" disabled=${busy} onClick=${discard}>
            ${stale ? gettext("Load the new version") : gettext("Discard my changes")}</button>` : null}
        </div>
      </div>
      <p class=${`lexicon-status${status.kind ? ` is-${status.kind}` : ""}`} id="rubric-status" role="status" aria-live="polite">${status.text}</p>
      <p class="field-hint">${interpolate(gettext("%(count)s items, total weight %(total)s"), { count: items.length, total })}
        ${" · "}${gettext("Reviews already assigned or submitted keep the version they were assigned with.")}</p>
    </div>
  </form>
  <section class="qa-panel rubric-history" aria-labelledby="rubric-versions-title">
    <h2 class="sv-section-title" id="rubric-versions-title">${gettext("All versions (read-only)")}</h2>
    <div id="rubric-versions"><${VersionList} versions=${versions} /></div>
  </section>`;
}

const started = startStaffPage({ roles: ["admin"] });
if (started) {
  started.client.start();
  render(html`<${Editor} session=${started.session} />`, $("#rubric-app"));
}
