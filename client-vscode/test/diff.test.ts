import assert from "node:assert/strict";
import { test } from "node:test";

import { diffInsertion, endOf, offsetAt, positionAt } from "../src/diff";

test("single-line insertion at the cursor", () => {
  const before = "import os\n\ndef total(price, qty):\n";
  const after = "import os\n\ndef total(price, qty):\n    return price * qty\n";
  assert.deepEqual(diffInsertion(before, after, before.length), {
    range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } },
    text: "    return price * qty\n",
    replaced: "",
  });
});

test("multi-line insertion in the middle of a line", () => {
  const before = "x = 1\ndef discount\ny = 2\n";
  const after = "x = 1\ndef discount(price, pct):\n    return price * (1 - pct)\ny = 2\n";
  const got = diffInsertion(before, after, "x = 1\ndef discount".length);
  assert.deepEqual(got?.range, { start: { line: 1, character: 12 }, end: { line: 2, character: 28 } });
  assert.equal(got?.text, "(price, pct):\n    return price * (1 - pct)");
});

test("partial accept of the next word", () => {
  const before = "total = comp";
  const after = "total = compute_";
  assert.deepEqual(diffInsertion(before, after, before.length), {
    range: { start: { line: 0, character: 12 }, end: { line: 0, character: 16 } },
    text: "ute_",
    replaced: "",
  });
});

test("accept at the end of a file with no final newline", () => {
  const before = "a\nb";
  const after = "a\nbc\nd";
  assert.deepEqual(diffInsertion(before, after, 3)?.range, { start: { line: 1, character: 1 }, end: { line: 2, character: 1 } });
  assert.equal(diffInsertion(before, after, 3)?.text, "c\nd");
});

test("accept into an empty file", () => {
  assert.deepEqual(diffInsertion("", "print('hi')\n", 0), {
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
    text: "print('hi')\n",
    replaced: "",
  });
});

test("CRLF documents: lines count \\r\\n once, and a cut never splits it", () => {
  const before = "a = 1\r\nb";
  const after = "a = 1\r\nbc = 2\r\nd = 3";
  const got = diffInsertion(before, after, before.length);
  assert.equal(got?.text, "c = 2\r\nd = 3");
  assert.deepEqual(got?.range, { start: { line: 1, character: 1 }, end: { line: 2, character: 5 } });

  // Inserting a line before a CRLF: the diff must not start between \r and \n.
  const got2 = diffInsertion("x\r\ny", "x\r\nz\r\ny", 1);
  assert.ok(got2 !== null);
  assert.ok(!got2.text.startsWith("\n"), JSON.stringify(got2.text));
  assert.equal(got2.text.length, 3);
});

test("UTF-16 columns: astral characters count two, and are never split", () => {
  const before = "s = '🙂";
  const after = "s = '🙂🙃'";
  const got = diffInsertion(before, after, before.length);
  assert.deepEqual(got, {
    range: { start: { line: 0, character: 7 }, end: { line: 0, character: 10 } },
    text: "🙃'",
    replaced: "",
  });
  // Same high surrogate in both emoji: the common prefix must stop before it.
  const got2 = diffInsertion("🙂", "🙃🙂", 0);
  assert.equal(got2?.text, "🙃");
  assert.deepEqual(got2?.range.end, { line: 0, character: 2 });
});

test("text that repeats what is next to it is placed at the cursor", () => {
  // Accepting "ab" with the cursor before "ab": a plain diff could put it after.
  const got = diffInsertion("x = ab", "x = abab", 4);
  assert.deepEqual(got?.range, { start: { line: 0, character: 4 }, end: { line: 0, character: 6 } });
  assert.equal(got?.text, "ab");
});

test("a suggestion that replaces what was typed reports the replaced text", () => {
  const got = diffInsertion("def tot\n", "def total(a, b):\n", 7);
  assert.equal(got?.text, "al(a, b):");
  assert.equal(got?.replaced, "");
  const got2 = diffInsertion("foo(x)\n", "foo(y, z)\n", 6);
  assert.equal(got2?.text, "y, z");
  assert.equal(got2?.replaced, "x");
});

test("no change is no insertion", () => {
  assert.equal(diffInsertion("same", "same", 2), null);
});

test("positionAt counts \\n, \\r\\n and \\r", () => {
  assert.deepEqual(positionAt("a\nb\r\nc\rd", 8), { line: 3, character: 1 });
  assert.deepEqual(positionAt("ab", 2), { line: 0, character: 2 });
});

test("offsetAt inverts positionAt (\\n, \\r\\n, \\r); endOf is where inserted text ends", () => {
  const text = "a\nb\r\nc\rd🙂e";
  for (let offset = 0; offset <= text.length; offset++) {
    if (text[offset - 1] === "\r" && text[offset] === "\n") continue; // between \r and \n is not a position
    assert.equal(offsetAt(text, positionAt(text, offset)), offset, `offset ${offset}`);
  }
  assert.equal(offsetAt(text, { line: 9, character: 0 }), text.length);
  assert.deepEqual(endOf({ line: 2, character: 4 }, "xy"), { line: 2, character: 6 });
  assert.deepEqual(endOf({ line: 2, character: 4 }, "x\n🙂"), { line: 3, character: 2 });
});
