// The first page: welcome (privacy notice, topic, nickname), or "Connecting you…" while a
// returning youth's open conversation is looked up (auth.ok lists it).

"use strict";

const { gettext } = require("../../lib/i18n.js");
const { journeyOf, journeyPage } = require("../../lib/page.js");

function texts() {
  return {
    connecting: gettext("Connecting you…"),
    title: gettext("We're here with you."),
    lead: gettext(
      "Worries, pressure, things at school or at home, or a question about your rights: you can talk it through with a trained counselor of the 12355 youth helpline. It's free.",
    ),
    confidential: gettext("Confidential."),
    confidentialText: gettext("What you tell us stays with the helpline."),
    noName: gettext("No real name needed."),
    noNameText: gettext("A nickname is enough, or none at all."),
    danger: gettext("If you are in danger right now"),
    topicsLegend: gettext("What would you like to talk about?"),
    nickname: gettext("What should we call you?"),
    optional: gettext("(optional)"),
    nicknamePlaceholder: gettext("e.g. Xiaoyu"),
    nicknameHint: gettext("Please don't use your real name."),
    start: gettext("Start talking"),
  };
}

const lifecycle = journeyPage({ screens: ["loading", "welcome"], texts });

Component({
  data: { view: {}, t: {}, topic: "", nickname: "" },
  methods: {
    ...lifecycle,
    onTopic(event) {
      this.setData({ topic: event.currentTarget.dataset.topic });
    },
    onNickname(event) {
      this.setData({ nickname: event.detail.value });
    },
    onStart() {
      return journeyOf().begin({ topic: this.data.topic, nickname: this.data.nickname });
    },
  },
});
