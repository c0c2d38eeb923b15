// The supervisor console: live crisis alerts, the dashboard (queue, live
// conversations, team), watching a conversation, whispering, joining,
// recording a referral, verdicts on alerts, the alert history, the detector's
// health and versions, and the risk lexicon editor.
// This module follows the server's frames; board.js draws the alerts, the
// detector banner and the tables, monitor.js the watched conversation,
// history.js the history tab, detector.js the versions panel, lexicon.js the editor.

import { gettext, interpolate } from "../i18n.js";
import { $, $$, flashTitle } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { staffTooFast, toastUnsolicitedErrors } from "../shared/errors.js";
import { categoryLabel } from "../shared/labels.js";
import { startStaffPage } from "../shared/staff.js";
import { alertSound } from "../sound.js";
import { applyDashboard, board, boardActions, openVerdict, renderAlerts, takenHere } from "./board.js";
import { createMonitor } from "./monitor.js";
import { bindReferral } from "./referral.js";
import { createLexiconEditor } from "./lexicon.js";
import { createDetectorPanel } from "./detector.js";
import { createHistoryPanel } from "./history.js";
import { createTake } from "./take.js";
import { describeFailure } from "./failures.js";

function runSupervisor({ client, session, tokens }) {
  const lexicon = createLexiconEditor(session);
  const detector = createDetectorPanel(session);
  const history = tokens.role === "admin" ? null : createHistoryPanel(session);
  const monitor = createMonitor(client);
  const take = createTake(client);
  bindReferral(client);
  boardActions.take = (id) => take.open(id);
  boardActions.debriefDone = async (counselor) => {
    try {
      await client.request({ type: "debrief.done", counselor }, { expect: "debrief.done.ok", match: (f) => f.counselor === counselor });
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  };
  $("#take-button").addEventListener("click", () => {
    if (board.watching !== null) take.open(board.watching);
  });

  // ── tabs: live / history / detector / lexicon ───────────────────────────
  const tabButtons = $$(".sv-tab");
  function selectTab(button) {
    for (const other of tabButtons) {
      const selected = other === button;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(`#${other.getAttribute("aria-controls")}`).hidden = !selected;
    }
    if (button.id === "tab-lexicon") lexicon.open();
    if (button.id === "tab-detector") detector.open();
    if (button.id === "tab-history" && history) history.open();
  }
  for (const button of tabButtons) {
    button.addEventListener("click", () => selectTab(button));
    button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      // Four tabs now (two for an admin, whose live and history tabs are hidden): step over hidden ones.
      const shown = tabButtons.filter((tab) => !tab.hidden);
      const step = event.key === "ArrowRight" ? 1 : shown.length - 1;
      const next = shown[(shown.indexOf(button) + step) % shown.length];
      next.focus();
      selectTab(next);
    });
  }

  // ── alerts ────────────────────────────────────────────────────────────
  boardActions.watch = (id) => {
    // The detector banner's buttons work from any tab: watching is on the live one.
    if ($("#tab-live").getAttribute("aria-selected") !== "true") selectTab($("#tab-live"));
    monitor.watch(id);
  };
  // One click, nothing to fill in: speed matters. The verdict comes after, in the card.
  boardActions.acknowledge = async (alert) => {
    // Once acknowledged the card leaves the active list; acknowledged here, it waits below it
    // for this supervisor's verdict (board.js). Marked before sending: the broadcast
    // `crisis.acked` is handled before the request's promise settles.
    alert.handledHere = Date.now();
    try {
      await client.request(
        { type: "crisis.ack", alert: alert.alert },
        { expect: "crisis.acked", match: (f) => f.alert === alert.alert },
      );
      if (!alert.verdict) openVerdict(alert);
    } catch (problem) {
      delete alert.handledHere;
      renderAlerts();
      if (problem.code === "invalid") toast(gettext("Another supervisor has already acknowledged this alert."));
      else toast(describeFailure(problem), { kind: "error" });
    }
  };
  boardActions.verdict = async (alert, verdict) => {
    try {
      await client.request(
        { type: "crisis.verdict", alert: alert.alert, verdict },
        { expect: "crisis.verdict.ok", match: (f) => f.alert === alert.alert },
      );
    } catch (problem) {
      throw describeFailure(problem);
    }
  };

  client.on("crisis.alert", (frame) => {
    const known = board.alerts.get(frame.alert);
    const becameOverdue = known && frame.overdue && !known.overdue;
    const alert = { ...(known || {}), ...frame, fresh: true };
    board.alerts.set(frame.alert, alert);
    if (frame.topic || frame.counselor) {
      const info = board.info.get(frame.conversation) || {};
      board.info.set(frame.conversation, {
        ...info, topic: frame.topic || info.topic, counselor: (frame.counselor && frame.counselor.name) || info.counselor,
      });
    }
    renderAlerts();
    setTimeout(() => {
      alert.fresh = false;
    }, 3000);
    if (!known || becameOverdue) {
      // Nobody can take a youth at risk: the loudest sound, whatever the level.
      alertSound(frame.source === "no_capacity" ? 4 : frame.level);
      flashTitle(frame.overdue ? gettext("Overdue alert") : gettext("Crisis alert"));
      document.body.classList.remove("flash-screen");
      void document.body.offsetWidth; // restart the animation
      document.body.classList.add("flash-screen");
      const words = { category: categoryLabel(frame.category), level: frame.level, id: frame.conversation };
      let announcement;
      if (frame.source === "no_capacity") {
        announcement = gettext("Nobody can take conversation %(id)s: a young person at risk is waiting.");
      } else if (frame.overdue) {
        announcement = gettext("Overdue crisis alert: %(category)s, level %(level)s, conversation %(id)s.");
      } else {
        announcement = gettext("New crisis alert: %(category)s, level %(level)s, conversation %(id)s.");
      }
      $("#alert-announcer").textContent = interpolate(announcement, words);
    }
  });

  client.on("crisis.acked", (frame) => {
    const alert = board.alerts.get(frame.alert);
    if (!alert) return;
    alert.acknowledged_by = frame.by;
    renderAlerts();
  });

  // ── dashboard: asked once per connection, then pushed by the server when it changes ──
  client.on("auth.ok", (frame) => {
    // The conversations this supervisor took and still holds (a reload keeps them theirs).
    for (const c of frame.conversations || []) if (c.status === "active") takenHere.add(c.conversation);
    client.send({ type: "dashboard" });
  });
  client.on("dashboard", (frame) => {
    applyDashboard(frame);
    monitor.renderHead();
  });

  toastUnsolicitedErrors(client, { rate_limited: staffTooFast });

  renderAlerts();
  if (tokens.role === "admin") {
    // Admins look after staff and the lexicon; live conversations and the alert history (the
    // youth's words) are for supervisors alone.
    $("#tab-live").hidden = true;
    $("#tab-history").hidden = true;
    $("#rubric-link").hidden = false; // the rubric editor is theirs
    selectTab($("#tab-lexicon"));
    return;
  }
  client.start();
}

const page = startStaffPage({ roles: ["supervisor", "admin"] });
if (page) runSupervisor(page);
