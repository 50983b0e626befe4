import assert from "node:assert/strict";
import { test } from "node:test";

import { gained, keptInsertions, lineHunks, locate } from "../src/kept";

// What VS Code does on Keep (chatEditingTextModelChangeService.ts): keep all
// sets the baseline to the document's text; keep of one hunk writes that
// hunk's new text into the baseline. These tests play both.

const BASE = "import os\n\ndef total(price, qty):\n    return price * qty\n";

test("keep all: the baseline becomes the document; the agent's lines are what it gained", () => {
  const doc = BASE + "\ndef tax(price, rate):\n    return price * rate  # ü\n";
  assert.deepEqual(keptInsertions(BASE, doc, doc), [{
    range: { start: { line: 4, character: 0 }, end: { line: 7, character: 0 } },
    text: "\ndef tax(price, rate):\n    return price * rate  # ü\n",
  }]);
});

test("keep all with two hunks: two insertions, not the user's text between them", () => {
  const before = "a = 1\nb = 2\nc = 3\nd = 4\n";
  const doc = "a = 1\nx = 9\nb = 2\nc = 3\nd = 4\ny = 8\n";
  const kept = keptInsertions(before, doc, doc);
  assert.deepEqual(kept.map((k) => k.text), ["x = 9\n", "y = 8\n"]);
  assert.deepEqual(kept[0].range, { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } });
  assert.deepEqual(kept[1].range, { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } });
});

test("a replaced line: only the changed characters are the AI's", () => {
  const doc = BASE.replace("price * qty", "round(price * qty, 2)");
  const kept = keptInsertions(BASE, doc, doc);
  assert.equal(kept.length, 1);
  assert.equal(doc.slice(doc.indexOf("round"), doc.indexOf("round") + kept[0].text.length), kept[0].text);
  assert.ok(kept[0].text.includes("round(") && kept[0].text.includes(", 2)"), kept[0].text);
  assert.equal(kept[0].range.start.line, 3);
});

test("keep one hunk while a later hunk is still pending: same place in the document", () => {
  const before = "a\nb\nc\n";
  const doc = "a\nNEW1\nb\nc\nNEW2\n";
  const baselineAfterKeep = "a\nNEW1\nb\nc\n"; // the first hunk kept, the second pending
  assert.deepEqual(keptInsertions(before, baselineAfterKeep, doc), [{
    range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
    text: "NEW1\n",
  }]);
});

test("keep one hunk below a hunk still pending: moved by the pending text", () => {
  const before = "a\nb\nc\n";
  const doc = "a\nPENDING\nb\nc\nKEPT\n";
  const baselineAfterKeep = "a\nb\nc\nKEPT\n";
  assert.deepEqual(keptInsertions(before, baselineAfterKeep, doc), [{
    range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } },
    text: "KEPT\n",
  }]);
});

test("keep a hunk between two pending hunks: the occurrence nearest its place", () => {
  const before = "a\nb\nc\nd\n";
  const doc = "a\nP1\nb\nK\nc\nP2\nd\n";
  const baselineAfterKeep = "a\nb\nK\nc\nd\n";
  const [kept] = keptInsertions(before, baselineAfterKeep, doc);
  assert.equal(kept.text, "K\n");
  assert.deepEqual(kept.range.start, { line: 3, character: 0 });
});

test("a kept text that is not in the document (a restored checkpoint) is not recorded", () => {
  assert.deepEqual(keptInsertions("a\n", "a\nold text\n", "a\n"), []);
});

test("a baseline that only lost text (undo of the user's own line) gained nothing", () => {
  assert.deepEqual(gained("a\nb\n", "a\n"), []);
});

test("CRLF and astral characters: positions in UTF-16 units, lines end at \\r\\n", () => {
  const before = "x = 1\r\n";
  const doc = "x = 1\r\ns = '🙂'\r\n";
  assert.deepEqual(keptInsertions(before, doc, doc), [{
    range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
    text: "s = '🙂'\r\n",
  }]);
});

test("lineHunks: the longest common subsequence, in order", () => {
  assert.deepEqual(lineHunks(["a", "b", "c"], ["a", "x", "c", "y"]), [
    { aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 },
    { aStart: 3, aEnd: 3, bStart: 3, bEnd: 4 },
  ]);
  assert.deepEqual(lineHunks(["a"], ["a"]), []);
});

test("locate: before, after and between pending hunks", () => {
  assert.equal(locate("abcXYZ", "abcXYZ", 3, "XYZ"), 3);
  assert.equal(locate("ab-KEPT", "ab+++-KEPT", 3, "KEPT"), 6);
  assert.equal(locate("a K b", "a ++ K ++ b", 2, "K"), 5);
  assert.equal(locate("a K b", "a ++ Q ++ b", 2, "K"), undefined);
});
