"use strict";

const { gettext } = require("../../lib/i18n.js");
const { journeyOf, journeyPage } = require("../../lib/page.js");

function texts() {
  return {
    title: gettext("Leave us a message"),
    lead: gettext("Tell us what's happening. A counselor will read it and get back to you as soon as possible."),
    message: gettext("Your message"),
    contact: gettext("How can we reach you?"),
    optional: gettext("(optional)"),
    contactHint: gettext("A phone number, WeChat ID or email, only if you want us to contact you."),
    send: gettext("Send message"),
    back: gettext("Back"),
    danger: gettext("If you are in danger right now"),
    leftTitle: gettext("We got your message."),
    leftLead: gettext("Thank you for telling us. A counselor will read it carefully."),
    restart: gettext("Back to the start"),
  };
}

const lifecycle = journeyPage({ screens: ["leave", "left"], texts });

Component({
  data: { view: {}, t: {}, text: "", contact: "", sending: false },
  methods: {
    ...lifecycle,
    onText(event) {
      this.setData({ text: event.detail.value });
    },
    onContact(event) {
      this.setData({ contact: event.detail.value });
    },
    async onSend() {
      this.setData({ sending: true });
      const sent = await journeyOf().leaveMessage({ text: this.data.text, contact: this.data.contact });
      this.setData({ sending: false, ...(sent ? { text: "", contact: "" } : {}) });
      return sent;
    },
    onBack() {
      journeyOf().backFromLeave();
    },
    onRestart() {
      journeyOf().restart();
    },
  },
});
