// What an accept command inserted: the before/after texts of one document,
// reduced to one insertion (or replacement), with LSP positions (UTF-16 code
// units, which is what JavaScript strings count).

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Insertion {
  /** Where the new text sits in `after`. */
  range: Range;
  /** The text that is in `after` but not in `before`. */
  text: string;
  /** The text of `before` it replaced ("" for a plain insertion). */
  replaced: string;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Move a cut point off the middle of a surrogate pair or a CRLF. */
function unsplit(text: string, offset: number): number {
  if (offset <= 0 || offset >= text.length) return offset;
  const prev = text.charCodeAt(offset - 1);
  if (isHighSurrogate(prev)) return offset - 1;
  if (prev === 13 /* \r */ && text.charCodeAt(offset) === 10 /* \n */) return offset - 1;
  return offset;
}

/** The LSP position of `offset` in `text` (\n, \r\n and \r end a line). */
export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (i + 1 < text.length && text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= offset) break; // offset between \r and \n: still on this line
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/**
 * The lengths of the common prefix and suffix of `before` and `after`, never
 * overlapping and never cutting a surrogate pair or a CRLF; the prefix stops
 * at `anchor` when given.
 */
export function commonEnds(before: string, after: string, anchor?: number): { prefix: number; suffix: number } {
  const limit = Math.min(before.length, after.length, anchor ?? Number.MAX_SAFE_INTEGER);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  prefix = Math.min(unsplit(before, prefix), unsplit(after, prefix));

  const room = Math.min(before.length, after.length) - prefix;
  let suffix = 0;
  while (
    suffix < room &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  // The suffix may not start inside a pair either (its first unit would be a low surrogate or \n).
  while (
    suffix > 0 &&
    (unsplit(after, after.length - suffix) !== after.length - suffix ||
      unsplit(before, before.length - suffix) !== before.length - suffix)
  ) {
    suffix--;
  }
  return { prefix, suffix };
}

/**
 * The one change that turns `before` into `after`, or null when they are equal.
 *
 * `anchor` is where the cursor was before the accept: an inline suggestion
 * starts at or before it, so the common prefix never runs past it. That
 * places a suggestion that repeats the text next to it (typing `a` before
 * `a`) where the user accepted it rather than where a diff would slide it.
 */
export function diffInsertion(before: string, after: string, anchor?: number): Insertion | null {
  if (before === after) return null;
  const { prefix, suffix } = commonEnds(before, after, anchor);
  const end = after.length - suffix;
  return {
    range: { start: positionAt(after, prefix), end: positionAt(after, end) },
    text: after.slice(prefix, end),
    replaced: before.slice(prefix, before.length - suffix),
  };
}

/** Where `text` ends when inserted at `start`. */
export function endOf(start: Position, text: string): Position {
  const tail = positionAt(text, text.length);
  return tail.line === 0
    ? { line: start.line, character: start.character + tail.character }
    : { line: start.line + tail.line, character: tail.character };
}

/** The offset in `text` of an LSP position (the inverse of positionAt; past the end: the end). */
export function offsetAt(text: string, position: Position): number {
  let line = 0;
  let i = 0;
  while (line < position.line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) line++;
  }
  return line < position.line ? text.length : Math.min(text.length, i + position.character);
}
