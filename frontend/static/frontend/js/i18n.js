// Translation helpers over Django's JavaScript catalog (/jsi18n/, loaded as a
// classic script before the modules). The calls keep the names gettext and
// ngettext so that `makemessages -d djangojs` finds the strings.

const catalog = globalThis;

export function gettext(msgid) {
  return typeof catalog.gettext === "function" ? catalog.gettext(msgid) : msgid;
}

export function ngettext(singular, plural, count) {
  if (typeof catalog.ngettext === "function") return catalog.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

export function pgettext(context, msgid) {
  return typeof catalog.pgettext === "function" ? catalog.pgettext(context, msgid) : msgid;
}

/** Fill %(name)s placeholders, the Python-style ones the .po files use. */
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

export function currentLanguage() {
  return document.documentElement.lang || "zh-Hans";
}
