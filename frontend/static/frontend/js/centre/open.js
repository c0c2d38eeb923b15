// Opening a case by hand on the centre page (issue 11; POST /api/v1/cases/open): what it is about,
// how urgent, where the youth lives (a city, then a district or county, from the public region
// tree the youth page uses), what happened, whether and how the youth agreed to be contacted, and
// for supervisors and admins the conversation it comes from. The server checks everything again;
// a refusal about one field (`field` in the error body, or msgspec's "at `$.name`") is shown
// beside that field. Centre staff only see the places of their own region.

import { gettext, interpolate, currentLanguage } from "../i18n.js";
import { ApiError } from "../api.js";
import { html, useEffect, useRef, useState } from "../shared/preact.js";
import { CATEGORIES, categoryLabel, contactMethodLabel, priorityLabel } from "./labels.js";

export const SUMMARY_MAX = 4000;
export const CONTACT_MAX = 100;
const FIELDS = ["category", "priority", "region", "summary", "contact_method", "contact", "conversation"];

let regionTree = null; // the cities with their counties, fetched once per page

/** Who may open a case by hand: supervisors, admins, centre staff placed in a centre. */
export function mayOpen(role, me) {
  return role === "supervisor" || role === "admin" || (role === "centre" && Boolean(me.centre));
}

function regionName(node) {
  return currentLanguage().startsWith("en") ? node.name_en || node.name : node.name;
}

/** The cities (with counties) this person may choose, and whether a city alone is allowed. */
function choices(tree, role, centreRegion) {
  if (role !== "centre" || !centreRegion) return { cities: tree, cityFixed: false, countyFixed: "" };
  for (const city of tree) {
    if (city.code === centreRegion) return { cities: [city], cityFixed: true, countyFixed: "" };
    const county = city.children.find((c) => c.code === centreRegion);
    if (county) return { cities: [{ ...city, children: [county] }], cityFixed: true, countyFixed: county.code };
  }
  return { cities: tree, cityFixed: false, countyFixed: "" }; // the province's centre
}

/** What to say beside a field the server refused, in the page's language. */
export function fieldMessage(field, code, detail) {
  const text = {
    region: {
      forbidden: gettext("This place is outside your centre's region."),
      invalid: gettext("This place is not in the list. Choose the city, then the district or county."),
    },
    category: { invalid: gettext("Choose what the case is about.") },
    priority: { invalid: gettext("Choose how urgent it is.") },
    summary: {
      invalid: gettext("Write what happened in plain words: markup is removed, and nothing was left."),
      too_large: interpolate(gettext("At most %(n)s characters, please."), { n: SUMMARY_MAX }),
    },
    contact_method: { invalid: gettext("Choose how the youth agreed to be contacted.") },
    contact: {
      invalid: gettext("Add the phone number or WeChat id the youth gave."),
      too_large: interpolate(gettext("At most %(n)s characters, please."), { n: CONTACT_MAX }),
    },
    conversation: {
      not_found: gettext("No conversation has this number."),
      forbidden: gettext("Centre staff open a case without a conversation."),
      bad_request: gettext("A conversation number is digits only."),
    },
  }[field];
  return (text && (text[code] || Object.values(text)[0])) || detail || gettext("Please check this field.");
}

/** The field a refusal is about: the error body's `field`, or msgspec's path ("at `$.summary`"). */
export function refusedField(problem) {
  if (!(problem instanceof ApiError)) return null;
  if (problem.body.field && FIELDS.includes(problem.body.field)) return problem.body.field;
  const at = /`\$\.(\w+)`/.exec(problem.body.detail || "");
  return at && FIELDS.includes(at[1]) ? at[1] : null;
}

/** The request body from the form's values, or the errors to show first (field -> text). */
export function openBody(values, { withConversation }) {
  const errors = {};
  const summary = values.summary.trim();
  if (!values.category) errors.category = fieldMessage("category", "invalid");
  if (!summary) errors.summary = gettext("Write what happened and what the youth needs.");
  else if (values.summary.length > SUMMARY_MAX) errors.summary = fieldMessage("summary", "too_large");
  const needsContact = values.consent && values.contact_method !== "in_app";
  const contact = needsContact ? values.contact.trim() : "";
  if (values.consent && !values.contact_method) errors.contact_method = fieldMessage("contact_method", "invalid");
  else if (needsContact && !contact) errors.contact = fieldMessage("contact", "invalid");
  else if (contact.length > CONTACT_MAX) errors.contact = fieldMessage("contact", "too_large");
  const conversation = withConversation ? values.conversation.trim().replace(/^#/, "") : "";
  if (conversation && !/^\d{1,15}$/.test(conversation)) errors.conversation = fieldMessage("conversation", "bad_request");
  if (Object.keys(errors).length) return { errors };
  const body = {
    category: values.category,
    priority: Number(values.priority),
    region: values.county || values.city || "",
    summary,
    high_risk: values.high_risk,
    consent_to_contact: values.consent,
    contact_method: values.consent ? values.contact_method : "none",
    contact,
  };
  if (conversation) body.conversation = Number(conversation);
  return { body };
}

function FieldError({ field, errors }) {
  return html`<p class="cs-field-error" id=${`co-${field}-error`} data-error-for=${field} role=${errors[field] ? "alert" : undefined}>${errors[field] || ""}</p>`;
}

function invalid(errors, field) {
  return errors[field] ? { "aria-invalid": "true", "aria-describedby": `co-${field}-error` } : {};
}

const EMPTY = {
  category: "",
  priority: "1",
  high_risk: false,
  city: "",
  county: "",
  summary: "",
  consent: false,
  contact_method: "phone",
  contact: "",
  conversation: "",
};

export function OpenCaseForm({ session, role, me, onOpened, onCancel }) {
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState({});
  const [general, setGeneral] = useState("");
  const [busy, setBusy] = useState(false);
  const [tree, setTree] = useState(regionTree);
  const form = useRef(null);
  const withConversation = role === "supervisor" || role === "admin";
  const { cities, cityFixed, countyFixed } = choices(tree || [], role, me.centre_region);

  useEffect(() => {
    if (tree) return;
    session
      .fetch("/cases/regions")
      .then((answer) => {
        regionTree = answer.regions.length === 1 ? answer.regions[0].children : answer.regions;
        setTree(regionTree);
      })
      .catch(() => setGeneral(gettext("The list of places could not be loaded. Please try again.")));
  }, []);
  useEffect(() => {
    if (cityFixed && values.city !== cities[0].code) setValues((v) => ({ ...v, city: cities[0].code, county: countyFixed }));
  }, [cityFixed, countyFixed, tree]);
  useEffect(() => {
    form.current?.querySelector("select[name=category]")?.focus();
  }, []);

  const set = (name) => (event) => {
    const value = event.currentTarget.type === "checkbox" ? event.currentTarget.checked : event.currentTarget.value;
    setValues((v) => ({ ...v, [name]: value, ...(name === "city" ? { county: "" } : {}) }));
    if (errors[name] || (name === "city" && errors.region) || (name === "county" && errors.region)) {
      setErrors((e) => ({ ...e, [name]: "", region: name === "city" || name === "county" ? "" : e.region }));
    }
  };
  const city = cities.find((c) => c.code === values.city);

  function focusFirst(found) {
    const field = FIELDS.find((f) => found[f]);
    const target = field && form.current?.querySelector(`[data-field="${field}"]`);
    if (target) target.focus();
  }

  async function submit(event) {
    event.preventDefault();
    setGeneral("");
    const made = openBody(values, { withConversation });
    if (made.errors) {
      setErrors(made.errors);
      setTimeout(() => focusFirst(made.errors), 0);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const detail = await session.fetch("/cases/open", { method: "POST", body: made.body });
      setBusy(false);
      onOpened(detail);
    } catch (problem) {
      setBusy(false);
      const field = refusedField(problem);
      if (field) {
        const found = { [field]: fieldMessage(field, problem.code, problem.message) };
        setErrors(found);
        setTimeout(() => focusFirst(found), 0);
      } else if (problem instanceof ApiError && problem.status === 403) {
        setGeneral(gettext("You cannot open a case here. Ask a supervisor."));
      } else if (problem instanceof ApiError && problem.status === 0) {
        setGeneral(gettext("Not connected. Please try again when the connection is back."));
      } else {
        setGeneral(gettext("Something went wrong. Please try again."));
      }
    }
  }

  const countyOptional = !countyFixed;
  return html`<form class="cs-form cs-open" id="cs-open-form" ref=${form} onSubmit=${submit} novalidate aria-labelledby="cs-open-title">
    <h2 class="cs-open-title" id="cs-open-title" tabindex="-1">${gettext("Open a case")}</h2>
    <p class="field-hint">${gettext("For a young person who needs follow-up offline. Fields marked * are needed. The deadlines follow from what it is about and how urgent it is.")}</p>

    <label class="field"><span class="field-label">${gettext("What the case is about")} *</span>
      <select class="select" name="category" data-field="category" value=${values.category} onChange=${set("category")} ...${invalid(errors, "category")}>
        <option value="">${gettext("Choose…")}</option>
        ${CATEGORIES.map((c) => html`<option value=${c}>${categoryLabel(c)}</option>`)}
      </select>
      <${FieldError} field="category" errors=${errors} /></label>

    <fieldset class="cs-open-group">
      <legend class="field-label">${gettext("How urgent")} *</legend>
      <div class="cs-open-choices" role="radiogroup" data-field="priority" tabindex="-1" ...${invalid(errors, "priority")}>
        ${[1, 2, 3].map((p) => html`<label class=${`cs-open-choice cs-open-choice-${p}`}>
          <input type="radio" name="priority" value=${String(p)} checked=${values.priority === String(p)} onChange=${set("priority")} />
          ${priorityLabel(p)}</label>`)}
      </div>
      <label class="checkbox"><input type="checkbox" name="high_risk" checked=${values.high_risk} onChange=${set("high_risk")} /> ${gettext("High risk (self-harm, violence, abuse)")}</label>
      <${FieldError} field="priority" errors=${errors} />
    </fieldset>

    <fieldset class="cs-open-group">
      <legend class="field-label">${gettext("Where the youth lives")}</legend>
      <div class="cs-open-row">
        <label class="field"><span class="field-hint">${gettext("City")}</span>
          <select class="select" name="city" data-field="region" value=${values.city} onChange=${set("city")} disabled=${cityFixed || !tree} ...${invalid(errors, "region")}>
            ${cityFixed ? null : html`<option value="">${gettext("Not known (the province's centre)")}</option>`}
            ${cities.map((c) => html`<option value=${c.code}>${regionName(c)}</option>`)}
          </select></label>
        <label class="field"><span class="field-hint">${gettext("District or county")}</span>
          <select class="select" name="county" value=${values.county} onChange=${set("county")} disabled=${!city || !city.children.length || Boolean(countyFixed)} ...${invalid(errors, "region")}>
            ${countyOptional ? html`<option value="">${city ? gettext("The whole city (not known)") : "—"}</option>` : null}
            ${(city ? city.children : []).map((c) => html`<option value=${c.code}>${regionName(c)}</option>`)}
          </select></label>
      </div>
      ${role === "centre" ? html`<p class="field-hint">${interpolate(gettext("Only places in %(region)s: your centre holds the case."), { region: me.centre_region_name })}</p>` : null}
      <${FieldError} field="region" errors=${errors} />
    </fieldset>

    <label class="field"><span class="field-label">${gettext("What happened, and what the youth needs")} *</span>
      <textarea class="input textarea" name="summary" data-field="summary" rows="5" maxlength=${String(SUMMARY_MAX)} value=${values.summary} onInput=${set("summary")} ...${invalid(errors, "summary")}></textarea>
      <span class="field-hint cs-open-count">${gettext("Plain words; no chat text. Shown to the centres that work the case.")} ${values.summary.length} / ${SUMMARY_MAX}</span>
      <${FieldError} field="summary" errors=${errors} /></label>

    <fieldset class="cs-open-group">
      <legend class="field-label">${gettext("Contact")}</legend>
      <label class="checkbox"><input type="checkbox" name="consent" checked=${values.consent} onChange=${set("consent")} /> ${gettext("The young person agreed to be contacted by the service centre")}</label>
      ${values.consent
        ? html`<div class="cs-open-row">
            <label class="field"><span class="field-hint">${gettext("How")}</span>
              <select class="select" name="contact_method" data-field="contact_method" value=${values.contact_method} onChange=${set("contact_method")} ...${invalid(errors, "contact_method")}>
                ${["phone", "wechat", "in_app"].map((m) => html`<option value=${m}>${contactMethodLabel(m)}</option>`)}
              </select>
              <${FieldError} field="contact_method" errors=${errors} /></label>
            ${values.contact_method === "in_app"
              ? null
              : html`<label class="field"><span class="field-hint">${gettext("Phone number or WeChat id they gave")} *</span>
                  <input class="input" name="contact" data-field="contact" maxlength=${String(CONTACT_MAX)} autocomplete="off" value=${values.contact} onInput=${set("contact")} ...${invalid(errors, "contact")} />
                  <${FieldError} field="contact" errors=${errors} /></label>`}
          </div>`
        : html`<p class="field-hint">${gettext("Without consent nobody calls them, and no contact is kept.")}</p>`}
    </fieldset>

    ${withConversation
      ? html`<label class="field"><span class="field-label">${gettext("Conversation number")} <span class="field-optional">${gettext("(optional)")}</span></span>
          <input class="input cs-open-conversation" name="conversation" data-field="conversation" inputmode="numeric" autocomplete="off" placeholder="#" value=${values.conversation} onInput=${set("conversation")} ...${invalid(errors, "conversation")} />
          <span class="field-hint">${gettext("The # shown in the supervisor console. Its region is used when no place is chosen above.")}</span>
          <${FieldError} field="conversation" errors=${errors} /></label>`
      : null}

    <p class="form-error" role="alert">${general}</p>
    <div class="cs-form-buttons">
      <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? gettext("Opening…") : gettext("Open the case")}</button>
      <button class="btn btn-quiet" type="button" onClick=${onCancel}>${gettext("Cancel")}</button>
    </div>
  </form>`;
}
