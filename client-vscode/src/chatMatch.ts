// Whether text put into a file is a chat code block. Pure.

import type { ChatTurn } from "./chatSession";

// Shorter single-line insertions are typing, not a pasted block.
const MIN_SINGLE_LINE = 12;

function normal(text: string): string {
  return text.replace(/\r\n?/g, "\n").trimEnd();
}

/** Whether an insertion is big enough to be worth comparing with chat code blocks. */
export function worthMatching(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== "" && (trimmed.includes("\n") || trimmed.length >= MIN_SINGLE_LINE);
}

/**
 * The newest turn with a code block equal to `text` (line ends and trailing
 * white space aside), or, with `within`, a block that holds `text` (what a
 * Keep of part of an applied block takes in; only text worth matching).
 */
export function turnWithBlock(turns: readonly ChatTurn[], text: string, within: boolean): ChatTurn | null {
  const wanted = normal(text);
  if (wanted === "") return null;
  for (let i = turns.length - 1; i >= 0; i--) {
    for (const block of turns[i].codeBlocks) {
      const code = normal(block);
      if (code === wanted) return turns[i];
      if (within && worthMatching(wanted) && code.includes(wanted.trimStart())) return turns[i];
    }
  }
  return null;
}
