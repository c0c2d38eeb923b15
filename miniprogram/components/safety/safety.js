"use strict";

const { gettext } = require("../../lib/i18n.js");

function texts() {
  return {
    callLabel: gettext("Tap to call, any time:"),
    stepsTitle: gettext("What to do right now:"),
    hide: gettext("Hide the text, keep the numbers"),
    show: gettext("Show the text again"),
  };
}

Component({
  properties: {
    safety: { type: Object, value: null },
    hotlines: { type: Array, value: [] },
    language: { type: String, value: "zh-hans" },
  },
  data: { t: {} },
  lifetimes: {
    attached() {
      this.setData({ t: texts() });
    },
  },
  observers: {
    language() {
      this.setData({ t: texts() });
    },
  },
  methods: {
    onToggle() {
      getApp().journey.toggleSafety();
    },
  },
});
