// The mini-program's texts: English msgids, as in the web page's code, and their zh-Hans
// translations from locale/zh_Hans/LC_MESSAGES/djangojs.po and django.po (texts-zh.js, made
// by tests/miniprogram/sync-texts.js and checked against the .po files by the tests), so
// the mini-program says what the web page says in the same words. zh-Hans first.

"use strict";

const zh = require("./texts-zh.js");

const LANGUAGES = [
  { code: "zh-hans", name: "简体中文" },
  { code: "en", name: "English" },
];
const STORAGE_KEY = "yl.language";
// One language for every copy of this module (the component tests evaluate pages in isolation).
const root = typeof globalThis !== "undefined" ? globalThis : {};
const shared = root.__youthlineI18n || (root.__youthlineI18n = { language: "zh-hans" });

function setLanguage(code) {
  shared.language = code === "en" ? "en" : "zh-hans";
  return shared.language;
}

function getLanguage() {
  return shared.language;
}

/** The language kept from an earlier visit (the switch), else zh-Hans. */
function loadLanguage(wx) {
  try {
    return setLanguage(wx.getStorageSync(STORAGE_KEY) || "zh-hans");
  } catch (error) {
    return setLanguage("zh-hans");
  }
}

function saveLanguage(wx, code) {
  setLanguage(code);
  try {
    wx.setStorageSync(STORAGE_KEY, shared.language);
  } catch (error) {
    /* it is only a preference */
  }
  return shared.language;
}

function gettext(msgid) {
  if (shared.language === "en") return msgid;
  const entry = zh[msgid];
  return typeof entry === "string" && entry ? entry : Array.isArray(entry) ? entry[0] : msgid;
}

/** zh-Hans has one plural form; English two. */
function ngettext(singular, plural, n) {
  if (shared.language === "en") return n === 1 ? singular : plural;
  const entry = zh[singular];
  return Array.isArray(entry) ? entry[0] : typeof entry === "string" && entry ? entry : n === 1 ? singular : plural;
}

function interpolate(text, values) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

module.exports = { LANGUAGES, gettext, ngettext, interpolate, setLanguage, getLanguage, loadLanguage, saveLanguage };
