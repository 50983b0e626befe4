// The status-bar item: how many unreviewed AI regions the workspace's
// diagnostics hold (pushed for open files, pulled for the others).

import * as vscode from "vscode";

export const OPEN_CODES: ReadonlySet<string> = new Set(["ai-unreviewed", "ai-changed-after-review", "ai-reopened"]);

export interface Unreviewed {
  uri: vscode.Uri;
  diagnostic: vscode.Diagnostic;
}

function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return String(typeof code === "object" ? code.value : code);
}

/** ailedger's open diagnostics, once per region (a file may have pushed and pulled copies). */
export function unreviewed(): Unreviewed[] {
  const seen = new Set<string>();
  const out: Unreviewed[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const diagnostic of diagnostics) {
      const code = codeOf(diagnostic);
      if (diagnostic.source !== "ailedger" || code === undefined || !OPEN_CODES.has(code)) continue;
      const r = diagnostic.range;
      const key = `${uri.toString()}#${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ uri, diagnostic });
    }
  }
  return out;
}

export type ServerState = "starting" | "running" | "stopped";

export class StatusItem implements vscode.Disposable {
  private server: ServerState = "starting";
  private readonly item = vscode.window.createStatusBarItem("ailedger.unreviewed", vscode.StatusBarAlignment.Left, 10);
  private readonly listener: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.item.name = "ailedger: unreviewed AI code";
    this.listener = vscode.languages.onDidChangeDiagnostics(() => this.schedule());
    this.update();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, 100);
  }

  setServer(state: ServerState): void {
    this.server = state;
    this.update();
  }

  update(): void {
    if (this.server !== "running") {
      this.item.text = this.server === "starting" ? "$(sync~spin) ailedger: starting" : "$(warning) ailedger: off";
      this.item.tooltip = this.server === "starting"
        ? "ailedger: starting the language server"
        : "ailedger: the language server is not running; accepts are not recorded. Click for the log.";
      this.item.command = "ailedger.showOutput";
      this.item.show();
      return;
    }
    this.item.command = "ailedger.showUnreviewed";
    const count = unreviewed().length;
    this.item.text = count === 0 ? "$(pass) ailedger" : `$(eye) ailedger: ${count} unreviewed`;
    this.item.tooltip = count === 0
      ? "ailedger: no unreviewed AI-generated code"
      : `ailedger: ${count} AI-generated region${count === 1 ? "" : "s"} to review. Click to list them.`;
    this.item.show();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.listener.dispose();
    this.item.dispose();
  }
}
