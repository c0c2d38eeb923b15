// What the server says about the service (GET /api/v1/service: the topics, whether
// it is open now, the hours) and the limits of the protocol (docs/protocol.md).
// Asked once per page load; the pages fall back to the defaults when it fails.

import { serviceInfo } from "../api.js";

/** Maximum lengths the server enforces; the inputs' maxlength attributes say the same. */
export const LIMITS = Object.freeze({
  message: 2000,
  summary: 4000,
  surveyComment: 500,
  nickname: 32,
  contact: 100,
});

/** The topics, in the order the server lists them; these until it answered. */
export let topics = ["psych", "legal", "aid"];

let pending = null;

/** The service info, fetched once; rejects when the server cannot be reached (ask again later). */
export function loadServiceInfo() {
  if (!pending) {
    pending = serviceInfo().then(
      (info) => {
        if (info && Array.isArray(info.topics) && info.topics.length) topics = info.topics.map(String);
        return info;
      },
      (problem) => {
        pending = null;
        throw problem;
      },
    );
  }
  return pending;
}
