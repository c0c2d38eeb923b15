// The alert history's request body (issue 9): only the filters that are set are sent, in the
// server's types; filters the server would refuse are said in words before anything is sent.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";

let historyQuery;
let PAGE_SIZE;

before(async () => {
  globalThis.document = { documentElement: { lang: "zh-Hans" } };
  ({ historyQuery, PAGE_SIZE } = await import("../static/frontend/js/supervisor/history.js"));
});

describe("historyQuery", () => {
  test("an empty form asks for the first page of acknowledged alerts", () => {
    assert.deepEqual(historyQuery({}), { query: { page: 1, page_size: PAGE_SIZE } });
    assert.deepEqual(
      historyQuery({ status: "acknowledged", category: "", level: "", verdict: "", since: "", until: "", text: "  " }),
      { query: { page: 1, page_size: PAGE_SIZE } },
    );
  });

  test("every filter set is sent, typed as the server wants it", () => {
    const fields = { status: "all", category: "self_harm", level: "4", verdict: "false_alarm", since: "2026-12-01", until: "2026-12-02", text: " 吃药 " };
    assert.deepEqual(historyQuery(fields, 3), {
      query: { page: 3, page_size: PAGE_SIZE, status: "all", category: "self_harm", level: 4, verdict: "false_alarm", since: "2026-12-01", until: "2026-12-02", text: "吃药" },
    });
  });

  test("values the form cannot give are dropped, not sent", () => {
    assert.deepEqual(historyQuery({ category: "sadness", level: "9", verdict: "maybe", status: "open" }), {
      query: { page: 1, page_size: PAGE_SIZE },
    });
  });

  test("a start after the end, a malformed day or a long search is a sentence, not a request", () => {
    assert.ok(historyQuery({ since: "2026-12-02", until: "2026-12-01" }).problem);
    assert.ok(historyQuery({ since: "12/01/2026" }).problem);
    assert.ok(historyQuery({ text: "字".repeat(101) }).problem);
    assert.ok(historyQuery({ since: "2026-12-01", until: "2026-12-01" }).query);
  });
});
