// Staff sign-in: POST /api/v1/auth/login, tokens into sessionStorage (they
// die with the tab), then the console of the role.

import { gettext } from "../i18n.js";
import { ApiError, Session, TokenStore, homeForRole, login, safeStorage } from "../api.js";
import { $ } from "../shared/dom.js";

const tokens = new TokenStore(safeStorage("session"), "yl.staff");
const session = new Session(tokens);

function safeNext(role) {
  const next = new URLSearchParams(window.location.search).get("next") || "";
  const home = homeForRole(role);
  // Only a same-site path, and only the console this role may use.
  if (next.startsWith("/") && !next.startsWith("//") && next.startsWith(home)) return next;
  return home;
}

if (tokens.hasIdentity && tokens.role) window.location.replace(safeNext(tokens.role));

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("#username").value.trim();
  const password = $("#password").value;
  const error = $("#login-error");
  error.textContent = "";
  for (const input of [$("#username"), $("#password")]) input.removeAttribute("aria-invalid");
  if (!username || !password) {
    error.textContent = gettext("Please enter your username and password.");
    (username ? $("#password") : $("#username")).setAttribute("aria-invalid", "true");
    (username ? $("#password") : $("#username")).focus();
    return;
  }
  const button = $("#login-button");
  button.disabled = true;
  try {
    const answer = await login(username, password);
    session.adopt(answer);
    tokens.set("username", username);
    window.location.replace(safeNext(answer.role));
  } catch (problem) {
    button.disabled = false;
    if (problem instanceof ApiError && (problem.status === 401 || problem.status === 400)) {
      error.textContent = gettext("The username or password is not right.");
      $("#password").value = "";
      $("#password").focus();
    } else if (problem instanceof ApiError && problem.status === 429) {
      error.textContent = gettext("Too many tries in a short time. Please wait a minute and try again.");
    } else if (problem instanceof ApiError && problem.status === 0) {
      error.textContent = gettext("We can't reach the service. Please check your network and try again.");
    } else {
      error.textContent = gettext("Something went wrong on our side. Please try again in a moment.");
    }
  }
});
