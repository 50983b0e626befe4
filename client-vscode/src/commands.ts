// The palette commands: mark the region under the cursor reviewed, show its
// provenance, list the unreviewed AI code.

import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";

import type { Ledger } from "./extension";
import { unreviewed } from "./status";

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

interface Review {
  reviewer: string | null;
  verdict: string | null;
  at: string | null;
  note?: string | null;
}

/** One element of the `ailedger/regions` answer (server/ailedger/lsp/regions_request.py). */
export interface RegionInfo {
  regionId: string;
  range: LspRange;
  aiRanges: LspRange[];
  status: string;
  aiFraction: number;
  provenance: {
    kind: string | null;
    tool: { name: string | null; version: string | null };
    model: { provider: string | null; id: string | null; version: string | null };
    acceptedBy: string | null;
    acceptedAt: string | null;
  };
  reviews: Review[];
}

const VERDICTS: readonly vscode.QuickPickItem[] = [
  { label: "approved", description: "I read it and it is right" },
  { label: "approved-with-changes", description: "Right after the changes I made" },
  { label: "rejected", description: "It should not stay" },
];

function toRange(range: LspRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

async function regionsOf(ledger: Ledger, document: vscode.TextDocument): Promise<RegionInfo[] | undefined> {
  const client = ledger.client();
  if (client === undefined) {
    void vscode.window.showWarningMessage("ailedger: the language server is not running (ailedger: Show log).");
    return undefined;
  }
  return client.sendRequest<RegionInfo[]>("ailedger/regions", { textDocument: { uri: document.uri.toString() } });
}

/** The regions under the cursor, innermost first; with none there, undefined. */
async function regionsAtCursor(ledger: Ledger): Promise<{ editor: vscode.TextEditor; regions: RegionInfo[] } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage("ailedger: open a file and put the cursor in AI-generated code.");
    return undefined;
  }
  const all = await regionsOf(ledger, editor.document);
  if (all === undefined) return undefined;
  const cursor = editor.selection.active;
  const here = all.filter((r) => toRange(r.range).contains(cursor));
  return { editor, regions: here };
}

function modelText(model: RegionInfo["provenance"]["model"]): string {
  if (!model.provider && !model.id) return "unknown";
  return `${model.provider ?? "?"}/${model.id ?? "?"}${model.version ? `@${model.version}` : ""}`;
}

export function describe(region: RegionInfo): string {
  const p = region.provenance;
  const lines = [
    `Status: ${region.status} (${Math.round(region.aiFraction * 100)}% still the AI's text)`,
    `Lines ${region.range.start.line + 1}-${region.range.end.line + 1}, ${p.kind ?? "?"}`,
    `Tool: ${p.tool.name ?? "unknown"}${p.tool.version ? `@${p.tool.version}` : ""}`,
    `Model: ${modelText(p.model)}`,
    `Accepted by ${p.acceptedBy ?? "unknown"} at ${p.acceptedAt ?? "?"}`,
  ];
  if (region.reviews.length === 0) lines.push("Reviews: none");
  for (const review of region.reviews) {
    const note = review.note ? ` — ${review.note}` : "";
    lines.push(`Review: ${review.verdict ?? "?"} by ${review.reviewer ?? "?"} at ${review.at ?? "?"}${note}`);
  }
  lines.push(`Region ${region.regionId}`);
  return lines.join("\n");
}

async function markReviewed(ledger: Ledger): Promise<void> {
  const found = await regionsAtCursor(ledger);
  if (found === undefined) return;
  const open = found.regions.filter((r) => r.status !== "reviewed");
  if (open.length === 0) {
    void vscode.window.showInformationMessage("ailedger: no AI-generated code to review under the cursor.");
    return;
  }
  const verdict = await vscode.window.showQuickPick(VERDICTS, { title: "ailedger: review verdict", placeHolder: "Verdict for the AI-generated code under the cursor" });
  if (verdict === undefined) return;
  const note = await vscode.window.showInputBox({ title: "ailedger: review note", prompt: "A note for the ledger (optional; Enter to skip)" });
  if (note === undefined) return;
  const client = ledger.client();
  if (client === undefined) return;
  const argument: Record<string, unknown> = { regionIds: open.map((r) => r.regionId), verdict: verdict.label };
  if (note.trim() !== "") argument.note = note.trim();
  try {
    await client.sendRequest(ExecuteCommandRequest.type, { command: "ailedger.markReviewed", arguments: [argument] });
    void vscode.window.showInformationMessage(`ailedger: marked ${open.length} region${open.length === 1 ? "" : "s"} ${verdict.label}.`);
  } catch (err) {
    ledger.log.error(`markReviewed failed: ${String(err)}`);
    void vscode.window.showErrorMessage(`ailedger: could not record the review: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function showProvenance(ledger: Ledger): Promise<void> {
  const found = await regionsAtCursor(ledger);
  if (found === undefined) return;
  if (found.regions.length === 0) {
    void vscode.window.showInformationMessage("ailedger: no AI-generated code under the cursor.");
    return;
  }
  const detail = found.regions.map(describe).join("\n\n");
  ledger.log.info(`provenance:\n${detail}`);
  await vscode.window.showInformationMessage("ailedger: provenance", { modal: true, detail });
}

async function showUnreviewed(): Promise<void> {
  const items = unreviewed().map(({ uri, diagnostic }) => ({
    label: `${vscode.workspace.asRelativePath(uri)}:${diagnostic.range.start.line + 1}`,
    description: diagnostic.message,
    uri,
    range: diagnostic.range,
  }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage("ailedger: no unreviewed AI-generated code.");
    return;
  }
  const picked = await vscode.window.showQuickPick(items, { title: `ailedger: ${items.length} unreviewed`, matchOnDescription: true });
  if (picked === undefined) return;
  await vscode.window.showTextDocument(picked.uri, { selection: picked.range });
}

export function registerCommands(context: vscode.ExtensionContext, ledger: Ledger): void {
  const guarded = (name: string, fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      ledger.log.error(`${name}: ${String(err)}`);
      void vscode.window.showErrorMessage(`ailedger: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand("ailedger.markReviewedAtCursor", guarded("mark reviewed", () => markReviewed(ledger))),
    vscode.commands.registerCommand("ailedger.showProvenance", guarded("show provenance", () => showProvenance(ledger))),
    vscode.commands.registerCommand("ailedger.showUnreviewed", guarded("show unreviewed", showUnreviewed)),
  );
}
