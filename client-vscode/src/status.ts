// The status-bar item: how many unreviewed AI regions the workspace's
// diagnostics hold (pushed for open files, pulled for the others).

import * as vscode from "vscode";

import type { CapturePaths } from "./blind";
import type { Found } from "./locate";

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
  private paths: CapturePaths | undefined;
  private found: Found | undefined;
  private hooks: string | undefined;
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

  setServerCommand(found: Found): void {
    this.found = found;
    this.update();
  }

  /** Which capture paths this VS Code has, and what ailedger cannot see. */
  setPaths(paths: CapturePaths): void {
    this.paths = paths;
    this.update();
  }

  /** The summary of `ailedger hooks status --json`, when the server answered it. */
  setHooks(summary: string | undefined): void {
    this.hooks = summary;
    this.update();
  }

  /** The tooltip: the headline, then where ailedger sees and where it is blind. */
  private tooltip(headline: string): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendText(headline);
    if (this.found !== undefined) {
      md.appendMarkdown("\n\n");
      md.appendText(`Server: ${this.found.command.join(" ")} (${this.found.source})`);
    }
    if (this.paths !== undefined) {
      md.appendMarkdown("\n\n**Recorded in this VS Code**\n");
      for (const line of this.paths.seen) md.appendMarkdown(`\n- ${escape(line)}`);
      md.appendMarkdown("\n\n**Not seen (ailedger is blind to)**\n");
      for (const line of this.paths.blind) md.appendMarkdown(`\n- ${escape(line)}`);
    }
    if (this.hooks !== undefined) {
      md.appendMarkdown("\n\n**Agents** (`ailedger hooks status`)\n\n");
      md.appendText(this.hooks);
    }
    return md;
  }

  update(): void {
    if (this.server !== "running") {
      this.item.text = this.server === "starting" ? "$(sync~spin) ailedger: starting" : "$(warning) ailedger: off";
      this.item.tooltip = this.tooltip(this.server === "starting"
        ? "ailedger: starting the language server"
        : "ailedger: the language server is not running; nothing is recorded. Click for the log.");
      this.item.command = "ailedger.showOutput";
      this.item.show();
      return;
    }
    this.item.command = "ailedger.showUnreviewed";
    const count = unreviewed().length;
    this.item.text = count === 0 ? "$(pass) ailedger" : `$(eye) ailedger: ${count} unreviewed`;
    this.item.tooltip = this.tooltip(count === 0
      ? "ailedger: no unreviewed AI-generated code"
      : `ailedger: ${count} AI-generated region${count === 1 ? "" : "s"} to review. Click to list them.`);
    this.item.show();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.listener.dispose();
    this.item.dispose();
  }
}

/** Markdown-escape a plain line, keeping `code` spans. */
function escape(line: string): string {
  return line.replace(/([\\*_[\]<>#])/g, "\\$1");
}
