"use strict";

const { gettext } = require("../../lib/i18n.js");
const { journeyOf, journeyPage } = require("../../lib/page.js");

function texts() {
  return {
    title: gettext("How was this conversation for you?"),
    stars: gettext("Your rating, from 1 to 5 stars"),
    comment: gettext("Anything you'd like to tell us?"),
    optional: gettext("(optional)"),
    send: gettext("Send"),
    skip: gettext("Skip"),
    thanksTitle: gettext("Thank you for talking with us."),
    thanksLead: gettext("Whenever you need someone to talk to, we're here. You are not alone."),
    danger: gettext("If you are in danger right now"),
    restart: gettext("Start a new conversation"),
  };
}

function captions() {
  return [
    "",
    gettext("Not helpful at all"),
    gettext("Not very helpful"),
    gettext("Okay"),
    gettext("Helpful"),
    gettext("Very helpful"),
  ];
}

const lifecycle = journeyPage({ screens: ["survey", "thanks"], texts, extra: () => ({ captions: captions() }) });

Component({
  data: { view: {}, t: {}, captions: [], score: 0, comment: "", sending: false },
  methods: {
    ...lifecycle,
    onStar(event) {
      this.setData({ score: Number(event.currentTarget.dataset.score) });
    },
    onComment(event) {
      this.setData({ comment: event.detail.value });
    },
    async onSend() {
      this.setData({ sending: true });
      const sent = await journeyOf().submitSurvey({ score: this.data.score, comment: this.data.comment });
      this.setData({ sending: false });
      return sent;
    },
    onSkip() {
      journeyOf().skipSurvey();
    },
    onRestart() {
      this.setData({ score: 0, comment: "" });
      journeyOf().restart();
    },
  },
});
