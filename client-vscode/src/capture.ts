// Capture accepted inline suggestions by taking over VS Code's accept
// commands: snapshot the document, run the original command (our own
// registration disposed, so the id reaches the built-in), register again,
// and record the difference. The user's Tab never waits on ailedger: the
// original runs exactly once whatever the server does, and the recording is
// sent without being awaited.

import * as vscode from "vscode";

import { diffInsertion, Insertion } from "./diff";

export type AcceptKind = "inline" | "partial-inline";

export interface AcceptCommand {
  id: string;
  kind: AcceptKind;
  /** Take over only where the editor has this command (Cursor's own). */
  onlyIfPresent?: boolean;
}

export const ACCEPT_COMMANDS: readonly AcceptCommand[] = [
  { id: "editor.action.inlineSuggest.commit", kind: "inline" },
  { id: "editor.action.inlineSuggest.acceptNextWord", kind: "partial-inline" },
  { id: "editor.action.inlineSuggest.acceptNextLine", kind: "partial-inline" },
  { id: "editor.action.acceptCursorTabSuggestion", kind: "inline", onlyIfPresent: true },
];

export interface Accepted {
  document: vscode.TextDocument;
  insertion: Insertion;
  kind: AcceptKind;
}

/** What to do with an acceptance; must not throw and must not block. */
export type Recorder = (accepted: Accepted) => void;

interface Snapshot {
  document: vscode.TextDocument;
  text: string;
  version: number;
  anchor: number;
}

// How long to wait for the document change to reach the extension host when
// the command has returned before it (the user is not waiting on this).
const CHANGE_WAIT_MS = 1000;

function snapshot(): Snapshot | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) return undefined;
  const document = editor.document;
  return {
    document,
    text: document.getText(),
    version: document.version,
    anchor: document.offsetAt(editor.selection.active),
  };
}

function changed(document: vscode.TextDocument, version: number): Promise<boolean> {
  if (document.version !== version) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(false);
    }, CHANGE_WAIT_MS);
    const listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === document && event.contentChanges.length > 0) {
        clearTimeout(timer);
        listener.dispose();
        resolve(true);
      }
    });
  });
}

async function recordChange(before: Snapshot, kind: AcceptKind, record: Recorder, log: vscode.LogOutputChannel): Promise<void> {
  if (!(await changed(before.document, before.version))) {
    log.info(`${kind} accept changed nothing in ${before.document.uri.toString()}`);
    return;
  }
  const insertion = diffInsertion(before.text, before.document.getText(), before.anchor);
  if (insertion === null || insertion.text === "") {
    log.info(`${kind} accept only deleted text in ${before.document.uri.toString()}`);
    return;
  }
  log.debug(`accepted (${kind}) ${JSON.stringify(insertion.text)} at ${insertion.range.start.line}:${insertion.range.start.character}`);
  record({ document: before.document, insertion, kind });
}

/** Take over the accept commands that exist here; the disposable gives them back. */
export async function takeOver(record: Recorder, log: vscode.LogOutputChannel): Promise<vscode.Disposable & { commands: string[] }> {
  const present = new Set(await vscode.commands.getCommands(false));
  const registrations = new Map<string, vscode.Disposable>();
  let disposed = false;

  const register = (command: AcceptCommand): void => {
    if (disposed || registrations.has(command.id)) return;
    registrations.set(command.id, vscode.commands.registerCommand(command.id, (...args: unknown[]) => run(command, args)));
  };

  const run = async (command: AcceptCommand, args: unknown[]): Promise<unknown> => {
    let before: Snapshot | undefined;
    try {
      before = snapshot();
    } catch (err) {
      log.error(`could not read the document before ${command.id}: ${String(err)}`);
    }
    registrations.get(command.id)?.dispose();
    registrations.delete(command.id);
    let result: unknown;
    try {
      result = await vscode.commands.executeCommand(command.id, ...args);
    } finally {
      register(command);
    }
    if (before !== undefined) {
      recordChange(before, command.kind, record, log).catch((err: unknown) =>
        log.error(`could not record an acceptance: ${String(err)}`));
    }
    return result;
  };

  for (const command of ACCEPT_COMMANDS) {
    if (command.onlyIfPresent && !present.has(command.id)) continue;
    register(command);
  }
  const commands = [...registrations.keys()];
  log.info(`capturing accepts through ${commands.join(", ")}`);
  const handle = new vscode.Disposable(() => {
    disposed = true;
    for (const registration of registrations.values()) registration.dispose();
    registrations.clear();
  });
  return Object.assign(handle, { commands });
}
