// HTTP calls to /api/v1/ and the token handling shared by every page.
//
// Access tokens live 15 minutes and refresh tokens rotate: each refresh
// answers a new refresh token and the old one dies. Presenting a used refresh
// token again is treated as theft and revokes the whole family, so two
// refreshes must never run at once with the same token: within a tab they are
// single-flight, and across tabs (the youth's tokens are in localStorage,
// shared by every tab) they run under a Web Lock and re-read the storage
// inside it.

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.error)) || `HTTP ${status}`);
    this.status = status; // 0: the network failed, no answer
    this.code = (body && body.error) || (status === 0 ? "network" : "http");
    this.body = body || {};
  }
}

/** The identity is gone (refresh refused with 401): the page must start over. */
export class SessionLost extends Error {
  constructor() {
    super("session lost");
  }
}

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : null;
}

export async function apiRequest(path, { method = "GET", body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const csrf = cookie("csrftoken");
  if (csrf && method !== "GET") headers["X-CSRFToken"] = csrf;
  let response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, { error: "network", detail: String(error) });
  }
  let data = null;
  if (response.status !== 204) {
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { error: "bad_response", detail: text.slice(0, 200) };
      }
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** The JWT payload, unverified: only to read exp/iat for scheduling. */
export function decodeJwt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "="))
        .split("")
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
        .join(""),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** Storage that survives browsers where localStorage throws (private modes, some web-views). */
export function safeStorage(kind) {
  try {
    const storage = kind === "local" ? window.localStorage : window.sessionStorage;
    const probe = "__yl_probe__";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    const memory = new Map();
    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : null),
      setItem: (key, value) => memory.set(key, String(value)),
      removeItem: (key) => memory.delete(key),
    };
  }
}

export class TokenStore {
  /**
   * @param {Storage} storage localStorage for the youth, sessionStorage for staff
   * @param {string} prefix key prefix, e.g. "yl.youth"
   */
  constructor(storage, prefix) {
    this.storage = storage;
    this.prefix = prefix;
  }

  get(key) {
    return this.storage.getItem(`${this.prefix}.${key}`);
  }

  set(key, value) {
    if (value === undefined || value === null) this.storage.removeItem(`${this.prefix}.${key}`);
    else this.storage.setItem(`${this.prefix}.${key}`, String(value));
  }

  get access() {
    return this.get("access");
  }

  get refresh() {
    return this.get("refresh");
  }

  get role() {
    return this.get("role");
  }

  get hasIdentity() {
    return Boolean(this.refresh);
  }

  save({ access, refresh, role, youth_id: youthId }) {
    this.set("access", access);
    if (refresh) this.set("refresh", refresh);
    if (role) this.set("role", role);
    if (youthId !== undefined) this.set("user", youthId);
    // A phone's clock can be minutes off; measure the skew against the
    // token's own iat so the refresh is scheduled in server time.
    const payload = decodeJwt(access);
    if (payload && payload.iat) this.set("skew", Date.now() - payload.iat * 1000);
    if (payload && payload.role && !role) this.set("role", payload.role);
  }

  clear() {
    for (const key of ["access", "refresh", "role", "user", "skew", "nickname", "username"]) this.set(key, null);
  }

  /** When the access token expires, in this device's clock (ms), or 0. */
  accessExpiresAt() {
    const access = this.access;
    if (!access) return 0;
    const payload = decodeJwt(access);
    if (!payload || !payload.exp) return 0;
    const skew = Number(this.get("skew")) || 0;
    return payload.exp * 1000 + skew;
  }

  accessValidFor() {
    return this.accessExpiresAt() - Date.now();
  }
}

const REFRESH_MARGIN_MS = 60_000;

export class Session {
  /**
   * @param {TokenStore} tokens
   * @param {() => void} onLost called once when the refresh token is refused
   */
  constructor(tokens, { onLost } = {}) {
    this.tokens = tokens;
    this.onLost = onLost || (() => {});
    this.inflight = null;
    this.timer = null;
    this.listeners = new Set();
    // Another tab may rotate the shared tokens; follow it.
    window.addEventListener("storage", (event) => {
      if (event.key === `${tokens.prefix}.access` && event.newValue) this.schedule();
    });
  }

  get hasIdentity() {
    return this.tokens.hasIdentity;
  }

  /** An access token valid for at least `margin` ms, refreshing first if needed. */
  async accessToken(margin = REFRESH_MARGIN_MS) {
    if (this.tokens.access && this.tokens.accessValidFor() > margin) return this.tokens.access;
    await this.refresh();
    return this.tokens.access;
  }

  /** Refresh now. Single-flight in the tab, locked across tabs. */
  refresh({ force = false } = {}) {
    if (!this.inflight) {
      const staleAccess = this.tokens.access;
      const run = () => this.refreshLocked(staleAccess, force);
      const locked =
        navigator.locks && typeof navigator.locks.request === "function"
          ? navigator.locks.request(`${this.tokens.prefix}.refresh`, run)
          : run();
      this.inflight = locked.finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  async refreshLocked(staleAccess, force) {
    // Another tab may have refreshed while this one waited for the lock.
    const current = this.tokens.access;
    if (current && current !== staleAccess && this.tokens.accessValidFor() > REFRESH_MARGIN_MS) {
      this.schedule();
      return;
    }
    // Nothing to do: the token is still good and nobody said it was refused.
    if (!force && current && this.tokens.accessValidFor() > REFRESH_MARGIN_MS) {
      this.schedule();
      return;
    }
    const refresh = this.tokens.refresh;
    if (!refresh) {
      this.lost();
      throw new SessionLost();
    }
    let answer;
    try {
      answer = await apiRequest("/auth/refresh", { method: "POST", body: { refresh } });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.lost();
        throw new SessionLost();
      }
      throw error; // the network: keep the identity and try again later
    }
    this.tokens.save(answer);
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  lost() {
    this.tokens.clear();
    clearTimeout(this.timer);
    this.onLost();
  }

  /** Adopt fresh tokens (after login or identity creation). */
  adopt(answer) {
    this.tokens.save(answer);
    this.schedule();
  }

  /** Refresh a minute before the access token expires. */
  schedule() {
    clearTimeout(this.timer);
    if (!this.tokens.access) return;
    const delay = Math.max(5_000, this.tokens.accessValidFor() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {
        // Offline: retry soon; the socket's reconnect will refresh too.
        this.timer = setTimeout(() => this.schedule(), 15_000);
      });
    }, Math.min(delay, 2 ** 31 - 1));
  }

  onRefreshed(listener) {
    this.listeners.add(listener);
  }

  /** An authorized HTTP call; one retry after a refresh if the access token was refused. */
  async fetch(path, options = {}) {
    const token = await this.accessToken();
    try {
      return await apiRequest(path, { ...options, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.refresh({ force: true });
      return apiRequest(path, { ...options, token: this.tokens.access });
    }
  }

  async logout() {
    const refresh = this.tokens.refresh;
    clearTimeout(this.timer);
    this.tokens.clear();
    if (refresh) {
      try {
        await apiRequest("/auth/logout", { method: "POST", body: { refresh } });
      } catch {
        // The tokens are gone from this device either way.
      }
    }
  }
}

export function login(username, password) {
  return apiRequest("/auth/login", { method: "POST", body: { username, password } });
}

export function createYouthIdentity({ channel, nickname }) {
  const body = { channel };
  if (nickname) body.nickname = nickname;
  return apiRequest("/auth/youth", { method: "POST", body });
}

export function serviceInfo() {
  return apiRequest("/service");
}

/** The page a staff role works from. */
export function homeForRole(role) {
  return { counselor: "/console/", centre: "/centre/", manager: "/manager/" }[role] || "/supervisor/";
}
