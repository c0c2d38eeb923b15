// The mini-program: one Journey (lib/journey.js) for its whole life, shared by every page.
// It holds the one socket, the tokens and the outbox; the pages draw it.

"use strict";

const { currentEnvVersion, serverFor } = require("./config.js");
const i18n = require("./lib/i18n.js");
const { Journey } = require("./lib/journey.js");

App({
  onLaunch() {
    i18n.loadLanguage(wx);
    const server = serverFor(currentEnvVersion(wx));
    this.journey = new Journey({ wx, server });
    this.journey.subscribe(() => {
      const title = i18n.gettext("12355 Online");
      if (title !== this.title) {
        this.title = title;
        wx.setNavigationBarTitle({ title, fail() {} });
      }
    });
    this.journey.start();
  },
});
