// The chat page: waiting, then the conversation. Ending and cancelling ask first, as the web
// page does; a message is shown at once as "Sending" and settles when the server stored it.

"use strict";

const { gettext } = require("../../lib/i18n.js");
const { journeyOf, journeyPage } = require("../../lib/page.js");

function texts() {
  return {
    end: gettext("End"),
    leave: gettext("Leave a message"),
    keepWaiting: gettext("Keep waiting"),
    waitingHint: gettext(
      "While you wait, you can breathe along with the circle, or write down what's on your mind below. The counselor will read it.",
    ),
    stopWaiting: gettext("Stop waiting"),
    send: gettext("Send"),
  };
}

/** WeChat refuses a button text over 4 Chinese characters (8 Latin letters): then its own. */
function fits(text) {
  let width = 0;
  for (const char of text) width += char.charCodeAt(0) < 0x2e80 ? 0.5 : 1;
  return width <= 4;
}

function confirm({ title, content, confirmText, cancelText }) {
  const options = { title, content };
  if (fits(confirmText)) options.confirmText = confirmText;
  if (fits(cancelText)) options.cancelText = cancelText;
  return new Promise((resolve) => {
    wx.showModal({ ...options, success: (res) => resolve(Boolean(res && res.confirm)), fail: () => resolve(false) });
  });
}

const lifecycle = journeyPage({ screens: ["chat"], texts, extra: () => ({ bottom: "end-of-messages" }) });

Component({
  data: { view: {}, t: {}, draft: "", bottom: "" },
  methods: {
    ...lifecycle,
    onInput(event) {
      this.setData({ draft: event.detail.value });
      if (event.detail.value) journeyOf().typing();
    },
    onSend() {
      if (journeyOf().sendText(this.data.draft)) this.setData({ draft: "" });
    },
    async onEnd() {
      const ok = await confirm({
        title: gettext("End this conversation?"),
        content: gettext("You can always come back and talk to us again."),
        confirmText: gettext("End conversation"),
        cancelText: gettext("Keep talking"),
      });
      if (ok) journeyOf().end();
    },
    async onCancel() {
      const ok = await confirm({
        title: gettext("Stop waiting?"),
        content: gettext("You'll leave the queue. You can come back any time."),
        confirmText: gettext("Stop waiting"),
        cancelText: gettext("Keep waiting"),
      });
      if (ok) journeyOf().cancel();
    },
    onKeepWaiting() {
      journeyOf().keepWaiting();
    },
    onLeave() {
      journeyOf().openLeave();
    },
    onCall(event) {
      const phoneNumber = event.currentTarget.dataset.number;
      if (phoneNumber) wx.makePhoneCall({ phoneNumber, fail() {} });
    },
  },
});
