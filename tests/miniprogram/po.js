// A small reader of the project's .po files and of the texts the mini-program asks for, shared
// by sync-texts.js (which writes miniprogram/lib/texts-zh.js) and texts.test.js (which checks
// that file says what the .po files say).

"use strict";

const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const PO_FILES = ["djangojs.po", "django.po"].map((name) => path.join(ROOT, "locale", "zh_Hans", "LC_MESSAGES", name));
const MINIPROGRAM = path.join(ROOT, "miniprogram");

function unquote(line) {
  return JSON.parse(line.trim().replace(/^(msgid_plural|msgid|msgstr(\[\d+\])?)\s+/, ""));
}

/** msgid -> zh-Hans (a string, or [form0] for a plural entry); fuzzy and untranslated left out. */
function readPo(file) {
  const entries = new Map();
  const blocks = fs.readFileSync(file, "utf8").split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split("\n");
    if (lines.some((line) => line.startsWith("#,") && line.includes("fuzzy"))) continue;
    let field = null;
    const values = {};
    for (const line of lines) {
      const match = line.match(/^(msgid_plural|msgid|msgstr(?:\[\d+\])?)\s/);
      if (match) {
        field = match[1];
        values[field] = unquote(line);
      } else if (field && line.startsWith('"')) values[field] += JSON.parse(line);
      else if (!line.startsWith("#")) field = null;
    }
    if (!values.msgid) continue;
    if (values.msgid_plural !== undefined) {
      if (values["msgstr[0]"]) entries.set(values.msgid, [values["msgstr[0]"]]);
    } else if (values.msgstr) entries.set(values.msgid, values.msgstr);
  }
  return entries;
}

/** The .po files together; djangojs.po (the web page's scripts) first. */
function catalog() {
  const merged = new Map();
  for (const file of PO_FILES) for (const [id, text] of readPo(file)) if (!merged.has(id)) merged.set(id, text);
  return merged;
}

function sourceFiles(dir = MINIPROGRAM) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "miniprogram_npm") out.push(...sourceFiles(full));
    } else if (entry.name.endsWith(".js") && entry.name !== "texts-zh.js") out.push(full);
  }
  return out.sort();
}

/** Every literal the mini-program's code passes to gettext / ngettext (singular first). */
function usedMsgids() {
  const ids = new Set();
  const literal = '"((?:[^"\\\\]|\\\\.)*)"';
  const single = new RegExp(`\\bgettext\\(\\s*${literal}\\s*,?\\s*\\)`, "g");
  const plural = new RegExp(`\\bngettext\\(\\s*${literal}\\s*,\\s*${literal}`, "g");
  for (const file of sourceFiles()) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(single)) ids.add(JSON.parse(`"${m[1]}"`));
    for (const m of text.matchAll(plural)) ids.add(JSON.parse(`"${m[1]}"`));
  }
  return [...ids].sort();
}

module.exports = { ROOT, MINIPROGRAM, catalog, usedMsgids, readPo };
