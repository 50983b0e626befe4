// What a "Keep" in a chat editing session took in, from the session's
// baseline document. Pure: strings in, insertions (with LSP positions in the
// real file) out.
//
// How VS Code 1.139 keeps chat edits (src/vs/workbench/contrib/chat/browser/
// chatEditing/chatEditingTextModelChangeService.ts and
// chatEditingModifiedDocumentEntry.ts): the agent's edits go straight into the
// real document, and a second model, the baseline (URI scheme
// `chat-editing-text-model`, same path, query {kind, documentId,
// chatSessionResource}), holds the text the user has kept so far. Keep
// (file or all) sets the baseline to the document's text; keep of one hunk
// writes that hunk's new text into the baseline; undo rewrites the document
// and leaves the baseline alone. So what the baseline gains is exactly what
// the user kept of the AI's text.

import { commonEnds, positionAt, Range } from "./diff";

export interface KeptInsertion {
  /** Where the kept text sits in the real document (LSP positions, UTF-16). */
  range: Range;
  text: string;
}

/** Split into lines that keep their line ends, so joining gives the text back. */
function lines(text: string): string[] {
  if (text === "") return [];
  return text.split(/(?<=\n)/);
}

interface Hunk {
  /** Lines [aStart, aEnd) of `a` became lines [bStart, bEnd) of `b`. */
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

// Above this many cells the line table is not built: the differing middle is
// taken as one hunk (a keep is normally small; this bounds the work).
const MAX_CELLS = 4_000_000;

/** The differing runs of lines between `a` and `b` (longest common subsequence). */
export function lineHunks(a: readonly string[], b: readonly string[]): Hunk[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const n = aEnd - start;
  const m = bEnd - start;
  if (n === 0 && m === 0) return [];
  if (n === 0 || m === 0 || n * m > MAX_CELLS) return [{ aStart: start, aEnd, bStart: start, bEnd }];

  // lcs[i][j]: the longest common subsequence of a[start+i..aEnd) and b[start+j..bEnd).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[start + i] === b[start + j]
        ? lcs[(i + 1) * width + j + 1] + 1
        : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let open: Hunk | undefined;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      if (open !== undefined) hunks.push(open);
      open = undefined;
      i++;
      j++;
      continue;
    }
    open ??= { aStart: start + i, aEnd: start + i, bStart: start + j, bEnd: start + j };
    if (j < m && (i === n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
      j++;
      open.bEnd = start + j;
    } else {
      i++;
      open.aEnd = start + i;
    }
  }
  if (open !== undefined) hunks.push(open);
  return hunks;
}

/** The texts the baseline gained between `before` and `after`, with their offsets in `after`. */
export function gained(before: string, after: string): { offset: number; text: string }[] {
  const a = lines(before);
  const b = lines(after);
  const offsets = [0];
  for (const line of b) offsets.push(offsets[offsets.length - 1] + line.length);
  const out: { offset: number; text: string }[] = [];
  for (const hunk of lineHunks(a, b)) {
    const old = a.slice(hunk.aStart, hunk.aEnd).join("");
    const now = b.slice(hunk.bStart, hunk.bEnd).join("");
    const { prefix, suffix } = commonEnds(old, now);
    const text = now.slice(prefix, now.length - suffix);
    if (text !== "") out.push({ offset: offsets[hunk.bStart] + prefix, text });
  }
  return out;
}

/**
 * Where text at `offset` of the baseline sits in the document. After a keep
 * the kept text is in both; other hunks still pending (in the document, not
 * yet in the baseline) can shift it. Before the first pending hunk the offset
 * is the same; after the last one it moves by the length difference; between
 * two, the occurrence of the text nearest the baseline offset is taken.
 */
export function locate(baseline: string, document: string, offset: number, text: string): number | undefined {
  const { prefix, suffix } = commonEnds(baseline, document);
  if (offset + text.length <= prefix) return offset;
  if (offset >= baseline.length - suffix) return offset + (document.length - baseline.length);
  return nearest(document, text, offset);
}

/** The occurrence of `text` in `document` nearest to `offset`, or undefined. */
export function nearest(document: string, text: string, offset: number): number | undefined {
  let best: number | undefined;
  for (let at = document.indexOf(text); at !== -1; at = document.indexOf(text, at + 1)) {
    if (best === undefined || Math.abs(at - offset) < Math.abs(best - offset)) best = at;
  }
  return best;
}

/** What a keep took in: the baseline went from `before` to `after`; `document` is the real file now. */
export function keptInsertions(before: string, after: string, document: string): KeptInsertion[] {
  const out: KeptInsertion[] = [];
  for (const { offset, text } of gained(before, after)) {
    const at = locate(after, document, offset, text);
    if (at === undefined || document.slice(at, at + text.length) !== text) continue;
    out.push({ range: { start: positionAt(document, at), end: positionAt(document, at + text.length) }, text });
  }
  return out;
}
