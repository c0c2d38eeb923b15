// What every page does with the journey: draw its view() on each change, follow its screen to
// the page that shows it, and take its own static texts (re-read when the language changes).

"use strict";

const ROUTES = {
  loading: "/pages/index/index",
  welcome: "/pages/index/index",
  chat: "/pages/chat/chat",
  leave: "/pages/leave/leave",
  left: "/pages/leave/leave",
  survey: "/pages/survey/survey",
  thanks: "/pages/survey/survey",
};

let navigatingTo = null;

function journeyOf() {
  return getApp().journey;
}

/** Go to the page of `screen` unless this page shows it (reLaunch: one page at a time, no Back). */
function follow(wx, screens, screen) {
  const route = ROUTES[screen];
  if (!route || screens.includes(screen) || navigatingTo === route) return false;
  navigatingTo = route;
  wx.reLaunch({
    url: route,
    complete() {
      navigatingTo = null;
    },
  });
  return true;
}

/**
 * The page's behaviour: the `screens` it shows, `texts()` its static texts, `extra(view)` any
 * data of its own. Returns the lifecycle methods a Component-built page needs.
 */
function journeyPage({ screens, texts, extra }) {
  return {
    onLoad() {
      const journey = journeyOf();
      const draw = () => {
        const view = journey.view();
        const data = { view, t: texts(), ...(extra ? extra.call(this, view) : {}) };
        this.setData(data);
        if (this.lastFlash !== (view.flash && view.flash.id)) {
          this.lastFlash = view.flash && view.flash.id;
          if (view.flash && typeof wx.showToast === "function") wx.showToast({ title: view.flash.text, icon: "none", duration: 3000 });
        }
        follow(wx, screens, view.screen);
      };
      this.lastFlash = journey.view().flash ? journey.view().flash.id : null;
      this.unsubscribe = journey.subscribe(draw);
      draw();
    },
    onUnload() {
      if (this.unsubscribe) this.unsubscribe();
    },
  };
}

module.exports = { ROUTES, journeyOf, journeyPage, follow };
