import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { turnWithBlock, worthMatching } from "../src/chatMatch";
import { codeBlocksOf, modelOfId, sessionFiles, sessionIdOf, turnAt, turnsOfSession } from "../src/chatSession";
import { chatToolOf } from "../src/metadata";

const fixture = (name: string): string => readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", name), "utf8");

test("sessionIdOf: the baseline URI's query as VS Code 1.139 writes it (a local session resource)", () => {
  // Seen in code-server 4.139.1 (tests/e2e/test_vscode_chat.py): the query of a chat-editing-text-model URI.
  const query = JSON.stringify({
    kind: "doc", documentId: "modified-file-entry::1",
    chatSessionResource: { $mid: 1, external: "vscode-chat-session://local/NzVkY2I2ZDYtODQ2YS00Y2RhLWE0ZDctNDVmZjRjYTcwNTk1",
      path: "/NzVkY2I2ZDYtODQ2YS00Y2RhLWE0ZDctNDVmZjRjYTcwNTk1", scheme: "vscode-chat-session", authority: "local" },
  });
  assert.equal(sessionIdOf(query), "75dcb6d6-846a-4cda-a4d7-45ff4ca70595");
});

test("sessionIdOf: older releases' chatSessionId, a string resource, and garbage", () => {
  assert.equal(sessionIdOf(JSON.stringify({ kind: "doc", documentId: "x", chatSessionId: "abc" })), "abc");
  assert.equal(sessionIdOf(JSON.stringify({ chatSessionResource: "vscode-chat-session://local/YWJj" })), "abc");
  assert.equal(sessionIdOf(JSON.stringify({ chatSessionResource: { scheme: "remote-agent", authority: "x", path: "/y" } })), undefined);
  assert.equal(sessionIdOf("not json"), undefined);
  assert.equal(sessionIdOf("null"), undefined);
});

test("sessionFiles: .jsonl first, unsafe characters replaced", () => {
  assert.deepEqual(sessionFiles("a/b c"), ["a_b_c.jsonl", "a_b_c.json"]);
});

test("turnsOfSession: a .jsonl log replayed (push, then set of the response)", () => {
  const turns = turnsOfSession(fixture("session.jsonl"));
  assert.equal(turns.length, 2);
  assert.deepEqual(turns[0], {
    agent: { extensionId: "GitHub.copilot-chat", version: "0.40.1" },
    modelId: "copilot/gpt-4.1",
    at: 1796154821677,
    prompt: "write discount()",
    codeBlocks: ["def discount(price, pct):\n    return price * (1 - pct / 100)  # 🙂"],
  });
  assert.equal(turns[1].modelId, "copilot/claude-sonnet-4.5");
  assert.deepEqual(turns[1].codeBlocks, []);
});

test("turnsOfSession: the older .json file; a broken log keeps what was read; garbage is none", () => {
  const [turn] = turnsOfSession(fixture("session.json"));
  assert.equal(turn.modelId, "copilot/gpt-4.1");
  assert.equal(turn.codeBlocks.length, 1);
  const log = fixture("session.jsonl").split("\n");
  assert.equal(turnsOfSession([...log.slice(0, 3), "{broken", ...log.slice(3)].join("\n")).length, 1);
  assert.deepEqual(turnsOfSession("garbage"), []);
  assert.deepEqual(turnsOfSession(""), []);
});

test("a request without a model (the user picked none) has modelId null, recorded as model null", () => {
  const log = fixture("session.jsonl").replace(/"modelId":"[^"]*",/g, "");
  assert.deepEqual(turnsOfSession(log).map((t) => t.modelId), [null, null]);
  assert.equal(modelOfId(null), null);
  assert.deepEqual(modelOfId("copilot/gpt-4.1"), { provider: "copilot", id: "gpt-4.1", version: null });
  assert.deepEqual(modelOfId("gpt-4.1"), { provider: null, id: "gpt-4.1", version: null });
});

test("codeBlocksOf: backtick and tilde fences, longer fences, no fence in the text", () => {
  assert.deepEqual(codeBlocksOf("a\n```py\nx = 1\ny = 2\n```\nb\n~~~\nz\n~~~\n"), ["x = 1\ny = 2", "z"]);
  assert.deepEqual(codeBlocksOf("````md\n```\ninner\n```\n````\n"), ["```\ninner\n```"]);
  assert.deepEqual(codeBlocksOf("no code, just ``` inline"), []);
});

test("turnWithBlock: equal blocks (line ends, trailing space aside); typing is not a block", () => {
  const turns = turnsOfSession(fixture("session.jsonl"));
  const block = "def discount(price, pct):\r\n    return price * (1 - pct / 100)  # 🙂\r\n";
  assert.equal(turnWithBlock(turns, block, false)?.prompt, "write discount()");
  assert.equal(turnWithBlock(turns, "def discount(price, pct):", false), null);
  assert.equal(turnWithBlock(turns, "    return price * (1 - pct / 100)", true)?.prompt, "write discount()");
  assert.equal(turnWithBlock(turns, "x", true), null);
  assert.equal(worthMatching("ab"), false);
  assert.equal(worthMatching("a\nb"), true);
  assert.equal(worthMatching("   \n  "), false);
});

test("chatToolOf: Copilot Chat is github-copilot; another participant by its id; none falls back", () => {
  const fallback = { name: "vscode", version: "1.139.1" };
  assert.deepEqual(chatToolOf({ extensionId: "GitHub.copilot-chat", version: "0.40.1" }, fallback), { name: "github-copilot", version: "0.40.1" });
  assert.deepEqual(chatToolOf({ extensionId: "acme.helper", version: null }, fallback), { name: "acme.helper", version: null });
  assert.deepEqual(chatToolOf(null, fallback), fallback);
});

test("turnAt: the request running when the file last changed, never a later one; none before it is null", () => {
  const turns = turnsOfSession(fixture("session.jsonl"));
  assert.equal(turnAt(turns, 1796154825000)?.prompt, "write discount()");
  assert.equal(turnAt(turns, 1796154835000)?.prompt, "add tax()");
  assert.equal(turnAt(turns, 1796154000000), null);
});
