// Activation: start `ailedger lsp` with vscode-languageclient, take over the
// inline-suggestion accept commands, and wire the status bar and commands.

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import { Accepted, takeOver } from "./capture";
import { ChatCapture, ChatEdit } from "./chatCapture";
import { modelOfId } from "./chatSession";
import { registerCommands } from "./commands";
import { chatToolOf, InstalledExtension, modelOf, toolOf } from "./metadata";
import { StatusItem } from "./status";

const DEFAULT_COMMAND = ["ailedger", "lsp"];
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 180_000;

export interface Ledger {
  /** The running client, or undefined when the server is not up. */
  client(): LanguageClient | undefined;
  log: vscode.LogOutputChannel;
}

function serverCommand(): string[] {
  const value = vscode.workspace.getConfiguration("ailedger").get<unknown>("server.command");
  if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === "string" && part !== "")) {
    return value as string[];
  }
  return DEFAULT_COMMAND;
}

/** The executable's path, or undefined when it is not there (PATH searched for a bare name). */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const isFile = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/") || command.includes(path.sep)) return isFile(command) ? command : undefined;
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      if (isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

async function explainMissing(command: string[], why: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(
    `ailedger: could not start \`${command.join(" ")}\` (${why}). ` +
      "Install it with `pip install ailedger` or set ailedger.server.command.",
    "Open Settings",
  );
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "ailedger.server.command");
  }
}

function installedExtensions(): InstalledExtension[] {
  return vscode.extensions.all.map((ext) => ({
    id: ext.id,
    version: typeof ext.packageJSON?.version === "string" ? (ext.packageJSON.version as string) : null,
  }));
}

function acceptanceParams(accepted: Accepted | ChatEdit): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("ailedger");
  const settings = {
    toolName: config.get("tool.name"),
    toolVersion: config.get("tool.version"),
    modelProvider: config.get("model.provider"),
    modelId: config.get("model.id"),
    modelVersion: config.get("model.version"),
  };
  const editor = /cursor/i.test(vscode.env.appName) ? { name: "cursor", version: null } : { name: "vscode", version: vscode.version };
  const tool = toolOf(settings, installedExtensions(), editor);
  // Chat: the tool and model are what VS Code's session data says (the
  // chat participant's extension, the model the user picked), else the tool
  // as for Tab and the model unknown; the model settings describe Tab's.
  const turn = "turn" in accepted ? accepted.turn : undefined;
  return {
    textDocument: { uri: accepted.document.uri.toString(), version: accepted.document.version },
    range: accepted.insertion.range,
    text: accepted.insertion.text,
    kind: accepted.kind,
    tool: turn === undefined ? tool : chatToolOf(turn?.agent ?? null, tool),
    model: turn === undefined ? modelOf(settings) : modelOfId(turn?.modelId ?? null),
    prompt: turn?.prompt ?? null,
    parameters: null,
    acceptedAt: new Date().toISOString(),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("ailedger", { log: true });
  context.subscriptions.push(log);
  let client: LanguageClient | undefined;
  let closes: number[] = [];
  const status = new StatusItem();
  context.subscriptions.push(status);

  const ledger: Ledger = {
    client: () => (client !== undefined && client.state === State.Running ? client : undefined),
    log,
  };

  const start = async (): Promise<void> => {
    const command = serverCommand();
    status.setServer("starting");
    if (findExecutable(command[0]) === undefined) {
      status.setServer("stopped");
      log.error(`could not start ${JSON.stringify(command)}: ${command[0]} not found`);
      void explainMissing(command, "not found");
      return;
    }
    const serverOptions: ServerOptions = { command: command[0], args: command.slice(1), options: { env: process.env } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }],
      outputChannel: log,
      initializationFailedHandler: (error) => {
        log.error(`ailedger lsp failed to initialize: ${String(error)}`);
        return false;
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          const now = Date.now();
          closes = [...closes.filter((t) => now - t < RESTART_WINDOW_MS), now];
          if (closes.length <= MAX_RESTARTS) {
            log.warn("ailedger lsp stopped; restarting it");
            return { action: CloseAction.Restart, handled: true };
          }
          log.error("ailedger lsp keeps stopping; not restarting it. Accepts still work but are not recorded.");
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const created = new LanguageClient("ailedger", "ailedger", serverOptions, clientOptions);
    client = created;
    created.onDidChangeState((event) => {
      if (client === created) status.setServer(event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped");
    });
    try {
      await created.start();
      log.info(`started ${JSON.stringify(command)}`);
    } catch (err) {
      status.setServer("stopped");
      log.error(`could not start ${JSON.stringify(command)}: ${String(err)}`);
      void explainMissing(command, String(err));
    }
  };

  const stop = async (): Promise<void> => {
    const running = client;
    client = undefined;
    if (running !== undefined) await running.stop(2000).catch((err: unknown) => log.warn(`stopping: ${String(err)}`));
  };

  const record = (accepted: Accepted | ChatEdit): void => {
    const running = ledger.client();
    if (running === undefined) {
      log.warn(`not recorded (the server is not running): ${accepted.kind} in ${accepted.document.uri.toString()}`);
      return;
    }
    if (accepted.document.uri.scheme !== "file") return;
    const { start, end } = accepted.insertion.range;
    if (accepted.document.getText(new vscode.Range(start.line, start.character, end.line, end.character)) !== accepted.insertion.text) {
      log.warn(`not recorded: the ${accepted.kind} text in ${accepted.document.uri.toString()} changed before it could be sent`);
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = acceptanceParams(accepted);
    } catch (err) {
      log.error(`could not describe an acceptance: ${String(err)}`);
      return;
    }
    running.sendRequest("ailedger/recordAcceptance", params).then(
      (result) => log.info(`recorded ${accepted.kind}: ${JSON.stringify(result)}`),
      (err: unknown) => log.error(`recordAcceptance failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  };

  context.subscriptions.push(await takeOver(record, log));
  const sessions = context.storageUri === undefined ? undefined : path.join(path.dirname(context.storageUri.fsPath), "chatSessions");
  context.subscriptions.push(new ChatCapture(sessions, record, log));
  registerCommands(context, ledger);
  context.subscriptions.push(
    vscode.commands.registerCommand("ailedger.showOutput", () => log.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("ailedger.server.command")) {
        await stop();
        await start();
      }
    }),
  );
  stopOnDeactivate = stop;
  void start();
}

let stopOnDeactivate: (() => Promise<void>) | undefined;

export function deactivate(): Promise<void> | undefined {
  return stopOnDeactivate?.();
}
