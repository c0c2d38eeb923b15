// The welcome screen's form: a topic, an optional nickname, "start talking".

import { gettext } from "../i18n.js";
import { apiRequest } from "../api.js";
import { $, $$ } from "../shared/dom.js";
import { describeYouthHttpError } from "../shared/errors.js";
import { LIMITS } from "../shared/service.js";
import { client, state, tokens, view } from "./context.js";
import { showWaiting } from "./chat.js";
import { newIdentity } from "./identity.js";
import { showScreen } from "./screens.js";

export function requestConsult(topic) {
  client.send({ type: "consult.request", topic });
}

for (const input of $$(".topic-input")) {
  input.addEventListener("change", () => {
    for (const card of $$(".topic-card")) card.classList.toggle("is-checked", card.contains($(".topic-input:checked")));
    $("#start-error").textContent = "";
  });
}

$("#start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = $(".topic-input:checked");
  const error = $("#start-error");
  error.textContent = "";
  if (!chosen) {
    error.textContent = gettext("Please choose what you'd like to talk about.");
    $(".topic-input").focus();
    return;
  }
  const nickname = $("#nickname").value.trim().slice(0, LIMITS.nickname);
  const region = chosenRegion();
  const button = $("#start-button");
  button.disabled = true;
  try {
    // A new nickname is a new identity: the protocol has no renaming, and a
    // fresh identity keeps consultations apart, which is the safer default.
    const moved = region !== (tokens.get("region") || "");
    if (!tokens.hasIdentity || moved || (nickname && nickname !== (tokens.get("nickname") || ""))) {
      await newIdentity(nickname, region);
    }
  } catch (problem) {
    button.disabled = false;
    error.textContent = describeYouthHttpError(problem);
    return;
  }
  button.disabled = false;
  state.pendingTopic = chosen.value;
  state.topic = chosen.value;
  state.everAssigned = false;
  view.clear();
  showWaiting({ position: null });
  showScreen("chat");
  if (client.ready) requestConsult(chosen.value);
  else client.start();
});

// ── where they live (optional): a city, then a district or county (GET /api/v1/cases/regions) ──
let regionTree = [];

function regionName(node) {
  return (document.documentElement.lang || "").startsWith("en") ? node.name_en || node.name : node.name;
}

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

function fillCounties() {
  const county = $("#region-county");
  const city = regionTree.find((c) => c.code === $("#region-city").value);
  county.replaceChildren(option("", gettext("District or county")), ...(city ? city.children : []).map((c) => option(c.code, regionName(c))));
  county.disabled = !city || !city.children.length;
}

/** The most precise region chosen: the county, else the city, else none (""). */
export function chosenRegion() {
  return $("#region-county").value || $("#region-city").value || "";
}

async function offerRegions() {
  try {
    const answer = await apiRequest("/cases/regions");
    regionTree = answer.regions.length === 1 ? answer.regions[0].children : answer.regions;
  } catch {
    return; // without it the page works as before
  }
  if (!regionTree.length) return;
  $("#region-city").append(...regionTree.map((c) => option(c.code, regionName(c))));
  const saved = tokens.get("region") || "";
  const city = regionTree.find((c) => saved.startsWith(c.code.slice(0, 4)));
  if (city) {
    $("#region-city").value = city.code;
    fillCounties();
    if (saved !== city.code) $("#region-county").value = saved;
  }
  $("#region-city").addEventListener("change", fillCounties);
  $("#region-field").hidden = false;
}

offerRegions();
