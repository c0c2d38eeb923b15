// Language switch and quick exit (快速离开): one tap removes what the mini-program keeps on the
// phone and closes it (Journey.quickExit).

"use strict";

const i18n = require("../../lib/i18n.js");

Component({
  properties: { language: { type: String, value: "zh-hans" } },
  data: { languages: i18n.LANGUAGES, quickExitLabel: "" },
  lifetimes: {
    attached() {
      this.setData({ quickExitLabel: i18n.gettext("Quick exit") });
    },
  },
  observers: {
    language() {
      this.setData({ quickExitLabel: i18n.gettext("Quick exit") });
    },
  },
  methods: {
    onLanguage(event) {
      const code = event.currentTarget.dataset.code;
      if (code && code !== i18n.getLanguage()) getApp().journey.setLanguage(code);
    },
    onQuickExit() {
      getApp().journey.quickExit();
    },
  },
});
