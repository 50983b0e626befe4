// Capture what chat puts in the editor, by watching documents (never by
// taking over chat commands: their toolbar arguments carry the chat's view
// model, which does not survive the trip to the extension host, so a take-over
// would break the very buttons it watches).
//
// - Kept chat edits (agent mode, edit mode, inline chat, Apply in Editor):
//   VS Code keeps a baseline document per edited file (scheme
//   chat-editing-text-model, see kept.ts); what it gains on Keep is the AI's
//   text the user kept. Kind agent-edit, or chat-insert when the kept text is
//   one of the session's code blocks (Apply in Editor).
// - Code blocks put into a file (Insert at Cursor, or copied and pasted): a
//   single insertion whose text is a code block of a recent chat response in
//   VS Code's session data (chatSession.ts). Kind chat-insert.
//
// Nothing here blocks the editor: events are handled after the fact and
// recording is fire-and-forget.

import * as fs from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";

import { ChatTurn, BASELINE_SCHEME, sessionFiles, sessionIdOf, turnAt, turnsOfSession } from "./chatSession";
import { endOf, Insertion, offsetAt, positionAt } from "./diff";
import { keptInsertions, nearest } from "./kept";
import { turnWithBlock, worthMatching } from "./chatMatch";

export type ChatKind = "chat-insert" | "agent-edit";

export interface ChatEdit {
  document: vscode.TextDocument;
  insertion: Insertion;
  kind: ChatKind;
  /** The chat request it came from, when VS Code's session data has it. */
  turn: ChatTurn | null;
}

interface Baseline {
  text: string;
  sessionId: string | undefined;
  /** The file's path (the baseline's URI has the same path). */
  path: string;
  /** When the agent last changed the file (the request running then made the edits). */
  changedAt: number;
  /** changedAt before the file's latest change, restored when that change turns out to be the user's. */
  changedBefore: number;
}

interface Pending {
  document: vscode.TextDocument;
  insertion: Insertion;
  /** Where it was inserted, as an offset in the document just after. */
  offset: number;
  attempt: number;
}

interface RecentEdit {
  path: string;
  text: string;
  at: number;
}

// A user's own edit to a file under review is copied into the baseline in the
// same step (chatEditingTextModelChangeService.ts, _mirrorEdits), so it reaches
// us right after the file's change; a Keep is a separate, later user action.
const MIRROR_MS = 250;
// Session files older than this are not searched for a pasted code block.
const SESSION_AGE_MS = 24 * 3600_000;
const MAX_SESSION_FILES = 10;
const MAX_SESSION_BYTES = 20 * 1024 * 1024;
const RETRY_MS = [0, 2000, 5000];

export class ChatCapture implements vscode.Disposable {
  private readonly baselines = new Map<string, Baseline>();
  private recent: RecentEdit[] = [];
  private mirrored: RecentEdit[] = [];
  private readonly cache = new Map<string, { mtimeMs: number; size: number; turns: ChatTurn[] }>();
  private readonly listeners: vscode.Disposable[];
  private disposed = false;
  private pending: Pending[] = [];
  private flushing: ReturnType<typeof setTimeout> | undefined;

  /** `sessionsDir`: <workspaceStorage>/chatSessions, or undefined without a workspace. */
  constructor(
    private readonly sessionsDir: string | undefined,
    private readonly record: (edit: ChatEdit) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    for (const document of vscode.workspace.textDocuments) this.opened(document);
    this.listeners = [
      vscode.workspace.onDidOpenTextDocument((document) => this.opened(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.baselines.delete(document.uri.toString())),
      vscode.workspace.onDidChangeTextDocument((event) => {
        try {
          this.changed(event);
        } catch (err) {
          this.log.error(`chat capture: ${String(err)}`);
        }
      }),
    ];
  }

  private opened(document: vscode.TextDocument): void {
    if (document.uri.scheme !== BASELINE_SCHEME) return;
    this.baselines.set(document.uri.toString(), {
      text: document.getText(), sessionId: sessionIdOf(document.uri.query), path: document.uri.path,
      changedAt: Date.now(), changedBefore: Date.now(),
    });
    this.log.debug(`chat editing baseline for ${document.uri.path}`);
  }

  private changed(event: vscode.TextDocumentChangeEvent): void {
    const document = event.document;
    if (event.contentChanges.length === 0) return;
    if (document.uri.scheme === BASELINE_SCHEME) {
      this.baselineChanged(event);
      return;
    }
    if (document.uri.scheme !== "file") return;
    const now = Date.now();
    this.recent = this.recent.filter((edit) => now - edit.at < MIRROR_MS);
    for (const change of event.contentChanges) this.recent.push({ path: document.uri.path, text: change.text, at: now });
    for (const baseline of this.baselines.values()) {
      if (baseline.path !== document.uri.path) continue;
      baseline.changedBefore = baseline.changedAt;
      baseline.changedAt = now;
    }
    if (event.reason !== undefined || event.contentChanges.length !== 1) return;
    const change = event.contentChanges[0];
    if (!worthMatching(change.text)) return;
    const start = { line: change.range.start.line, character: change.range.start.character };
    const insertion: Insertion = { range: { start, end: endOf(start, change.text) }, text: change.text, replaced: "" };
    this.queue({ document, insertion, offset: document.offsetAt(change.range.start), attempt: 0 });
  }

  private baselineChanged(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    const baseline = this.baselines.get(key);
    const after = event.document.getText();
    if (baseline === undefined) {
      this.opened(event.document);
      return;
    }
    const before = { ...baseline };
    baseline.text = after;
    const now = Date.now();
    const mirrored = event.contentChanges.every((change) =>
      this.recent.some((edit) => edit.path === event.document.uri.path && edit.text === change.text && now - edit.at < MIRROR_MS));
    if (mirrored) {
      baseline.changedAt = baseline.changedBefore; // that change was the user's, not the agent's
      // The user's own edit, copied into the baseline: remembered, since a code block the
      // user inserted into a file under review is still theirs to record (see flush).
      for (const change of event.contentChanges) this.mirrored.push({ path: before.path, text: change.text, at: now });
      return;
    }
    const file = vscode.workspace.textDocuments.find((d) => d.uri.scheme === "file" && d.uri.path === event.document.uri.path);
    if (file === undefined) {
      this.log.warn(`kept chat edits in ${event.document.uri.path}, but its document is not open here; not recorded`);
      return;
    }
    const kept = keptInsertions(before.text, after, file.getText());
    if (kept.length === 0) return;
    const keptAt = file.getText();
    this.turnOfSession(before.sessionId, before.changedAt).then(
      (turn) => {
        for (const insertion of kept) {
          const kind: ChatKind = turn !== null && turnWithBlock([turn], insertion.text, true) !== null ? "chat-insert" : "agent-edit";
          const offset = offsetAt(keptAt, insertion.range.start);
          this.send({ document: file, insertion: { ...insertion, replaced: "" }, kind, turn }, offset);
        }
      },
      (err: unknown) => this.log.error(`chat capture: ${String(err)}`),
    );
  }

  /**
   * Look for inserted texts among the chat's code blocks. Lookups are batched
   * (an agent streaming into a file makes many insertions; one read of the
   * session data serves them all). VS Code writes a response to its session
   * file a few seconds after it ends, so a text not found is looked for again
   * after each of RETRY_MS.
   */
  private queue(item: Pending): void {
    this.pending.push(item);
    if (this.flushing === undefined) this.flushing = setTimeout(() => void this.flush(), 50);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const turns = await this.recentTurns();
      const now = Date.now();
      this.mirrored = this.mirrored.filter((edit) => now - edit.at < 60_000);
      for (const item of batch) {
        // In a file under review, text the agent put there (not copied into the baseline
        // as the user's) waits for Keep, where the baseline records it.
        const path = item.document.uri.path;
        if ([...this.baselines.values()].some((b) => b.path === path)
            && !this.mirrored.some((edit) => edit.path === path && edit.text === item.insertion.text)) continue;
        const turn = turnWithBlock(turns, item.insertion.text, false);
        if (turn !== null) {
          this.send({ document: item.document, insertion: item.insertion, kind: "chat-insert", turn }, item.offset);
        } else if (item.attempt + 1 < RETRY_MS.length && !this.disposed) {
          setTimeout(() => this.queue({ ...item, attempt: item.attempt + 1 }), RETRY_MS[item.attempt + 1]);
        }
      }
    } catch (err) {
      this.log.error(`chat capture: ${String(err)}`);
    } finally {
      this.flushing = undefined;
      if (this.pending.length > 0 && !this.disposed) this.flushing = setTimeout(() => void this.flush(), 50);
    }
  }

  /** Record, where the text is now: the user may have typed above it while the session data was read. */
  private send(edit: ChatEdit, offset: number): void {
    const text = edit.document.getText();
    const at = text.slice(offset, offset + edit.insertion.text.length) === edit.insertion.text
      ? offset
      : nearest(text, edit.insertion.text, offset);
    if (at === undefined) {
      this.log.warn(`not recorded: the ${edit.kind} text in ${edit.document.uri.toString()} is no longer there`);
      return;
    }
    const range = { start: positionAt(text, at), end: positionAt(text, at + edit.insertion.text.length) };
    this.record({ ...edit, insertion: { ...edit.insertion, range } });
  }

  /**
   * The request whose edits these were: the newest one made before the file
   * last changed, from a session file written since (VS Code writes it a few
   * seconds after a request, so it is read again a few times). Not there in
   * time: null (unknown), never an older request in its place.
   */
  private async turnOfSession(sessionId: string | undefined, changedAt: number): Promise<ChatTurn | null> {
    if (sessionId === undefined || this.sessionsDir === undefined) return null;
    for (const wait of RETRY_MS) {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.disposed) return null;
      for (const name of sessionFiles(sessionId)) {
        const file = path.join(this.sessionsDir, name);
        const read = await this.turnsIn(file);
        if (read === undefined) continue;
        if (read.mtimeMs >= changedAt) return turnAt(read.turns, changedAt);
      }
    }
    this.log.info(`chat session ${sessionId}: no session data written after the edit; tool, model and prompt unknown`);
    return null;
  }

  /** The requests of the sessions changed in the last day, newest session last. */
  private async recentTurns(): Promise<ChatTurn[]> {
    if (this.sessionsDir === undefined) return [];
    let names: string[];
    try {
      names = (await fs.readdir(this.sessionsDir)).filter((n) => n.endsWith(".jsonl") || n.endsWith(".json"));
    } catch {
      return [];
    }
    const stats = await Promise.all(names.map(async (name) => {
      const file = path.join(this.sessionsDir as string, name);
      try {
        return { file, mtimeMs: (await fs.stat(file)).mtimeMs };
      } catch {
        return undefined;
      }
    }));
    const now = Date.now();
    const files = stats
      .filter((s): s is { file: string; mtimeMs: number } => s !== undefined && now - s.mtimeMs < SESSION_AGE_MS)
      .sort((a, b) => a.mtimeMs - b.mtimeMs)
      .slice(-MAX_SESSION_FILES);
    const turns: ChatTurn[] = [];
    for (const { file } of files) turns.push(...((await this.turnsIn(file))?.turns ?? []));
    return turns;
  }

  /** A session file's requests and mtime (cached by mtime and size), or undefined when it is not there. */
  private async turnsIn(file: string): Promise<{ turns: ChatTurn[]; mtimeMs: number } | undefined> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return undefined;
    }
    const cached = this.cache.get(file);
    if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached;
    if (stat.size > MAX_SESSION_BYTES) {
      this.log.warn(`chat session ${file} is ${stat.size} bytes; not read`);
      return { turns: [], mtimeMs: stat.mtimeMs };
    }
    const turns = turnsOfSession(await fs.readFile(file, "utf8"));
    const entry = { mtimeMs: stat.mtimeMs, size: stat.size, turns };
    this.cache.set(file, entry);
    return entry;
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushing !== undefined) clearTimeout(this.flushing);
    for (const listener of this.listeners) listener.dispose();
    this.baselines.clear();
  }
}

