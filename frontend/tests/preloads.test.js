// Every module a page imports is preloaded by its template (base.html and the
// templates it extends and includes), so a phone fetches them all at once
// instead of one import level after another; and nothing preloaded is stale.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const STATIC = resolve(here, "../static/frontend");
const TEMPLATES = resolve(here, "../templates/frontend");

/** The modules a page's entry imports, directly or not, relative to static/frontend/. */
function importGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gms)) {
      visit(resolve(dirname(file), match[1] || match[2]));
    }
  };
  visit(resolve(STATIC, entry));
  return new Set([...seen].map((file) => relative(STATIC, file)));
}

/** The modulepreload hrefs of a template, following {% extends %} and {% include %}. */
function preloads(name, found = new Set()) {
  const text = readFileSync(resolve(TEMPLATES, name), "utf8");
  for (const line of text.split("\n")) {
    const href = line.match(/rel="modulepreload" href="\{% static 'frontend\/([^']+)' %\}"/);
    if (href) found.add(href[1]);
  }
  for (const other of text.matchAll(/\{% (?:extends|include) "frontend\/([^"]+)"/g)) preloads(other[1], found);
  return found;
}

for (const page of ["youth", "console", "supervisor", "login", "messages", "qa", "reviews", "rubric", "centre", "manager", "report", "staffing", "transcripts"]) {
  test(`${page}.html preloads every module js/${page}/main.js imports, and only those`, () => {
    const entry = `js/${page}/main.js`;
    const needed = importGraph(entry);
    needed.delete(entry); // the <script type="module"> itself
    const listed = preloads(`${page}.html`);
    assert.deepEqual([...needed].filter((module) => !listed.has(module)).sort(), [], "imported but not preloaded");
    assert.deepEqual([...listed].filter((module) => !needed.has(module)).sort(), [], "preloaded but not imported");
    for (const module of listed) assert.ok(existsSync(resolve(STATIC, module)), `${module} exists`);
  });
}
