import assert from "node:assert/strict";
import { test } from "node:test";

import { capturePaths, hooksSummary } from "../src/blind";

const TAB = ["editor.action.inlineSuggest.commit"];
// The chat commands VS Code 1.139.1 has (as in code-server 4.139.1's workbench).
const CHAT = new Set(["chatEditing.acceptAllFiles", "chatEditor.action.acceptAllEdits", "inlineChat2.keep", "workbench.action.chat.insertCodeBlock"]);

test("VS Code with chat: Tab, chat editing, inline chat and code-block insert are seen; the rest is said to be blind", () => {
  const paths = capturePaths({ commands: CHAT, tabCommands: TAB, chatDisabled: false, sessionData: true });
  assert.deepEqual(paths.seen.map((s) => s.split(":")[0]), ["Tab", "Chat editing", "Inline chat", "Insert at cursor"]);
  assert.ok(paths.blind.some((b) => b.includes("not yet kept")), paths.blind.join("\n"));
  assert.ok(paths.blind.some((b) => b.includes("hooks status")), paths.blind.join("\n"));
});

test("chat turned off, or no chat in this editor, or no folder: each path says why it is blind", () => {
  const off = capturePaths({ commands: CHAT, tabCommands: TAB, chatDisabled: true, sessionData: true });
  assert.deepEqual(off.seen.map((s) => s.split(":")[0]), ["Tab"]);
  assert.ok(off.blind.includes("Chat editing: chat is turned off (chat.disableAIFeatures)"), off.blind.join("\n"));
  const none = capturePaths({ commands: new Set(), tabCommands: [], chatDisabled: false, sessionData: false });
  assert.deepEqual(none.seen, []);
  assert.ok(none.blind.includes("Tab: no inline-suggestion accept command to take over"));
  assert.ok(none.blind.includes("Inline chat: this VS Code has no inline chat"));
  const noFolder = capturePaths({ commands: CHAT, tabCommands: TAB, chatDisabled: false, sessionData: false });
  assert.ok(noFolder.blind.includes("Insert at cursor: no chat session data (no folder open)"));
});

test("hooksSummary: hooked, present without a hook, a needed setting off", () => {
  // The shape `ailedger hooks status --json` prints (server/ailedger/hooks/status.py as_json).
  const answer = { repository: "/work/shop", blind: ["gemini"], tools: [
    { name: "claude-code", present: true, projectHook: true, userHook: false, flagOff: null, lastRecorded: null },
    { name: "gemini", present: true, projectHook: false, userHook: false, flagOff: null, lastRecorded: null },
    { name: "copilot", present: true, projectHook: true, userHook: false, flagOff: 'VS Code: "chat.useHooks": true',
      lastRecorded: "2026-12-01T10:00:00+00:00" },
    { name: "windsurf", present: false, projectHook: false, userHook: false, flagOff: null, lastRecorded: null },
  ] };
  assert.equal(hooksSummary(answer),
    "Agent hooks installed: claude-code, copilot. Present without a hook (not recorded): gemini. " +
    'Hooked but a setting is off: copilot (VS Code: "chat.useHooks": true).');
  assert.equal(hooksSummary([{ name: "codex", present: true, projectHook: false, userHook: null }]),
    "Agent hooks installed: none. Present without a hook (not recorded): codex.");
  assert.equal(hooksSummary({ unexpected: 1 }), undefined);
  assert.equal(hooksSummary("garbage"), undefined);
});
