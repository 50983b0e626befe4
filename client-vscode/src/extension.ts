// Activation: start `ailedger lsp` with vscode-languageclient, take over the
// inline-suggestion accept commands, and wire the status bar and commands.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

import { capturePaths, hooksSummary } from "./blind";
import { Accepted, takeOver } from "./capture";
import { ChatCapture, ChatEdit } from "./chatCapture";
import { modelOfId } from "./chatSession";
import { registerCommands } from "./commands";
import { Found, installCommand, locateServer } from "./locate";
import { chatToolOf, InstalledExtension, modelOf, toolOf } from "./metadata";
import { StatusItem } from "./status";

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 180_000;

export interface Ledger {
  /** The running client, or undefined when the server is not up. */
  client(): LanguageClient | undefined;
  log: vscode.LogOutputChannel;
}

/** `ailedger.server.command` when the user set it (user, workspace or folder settings), else undefined. */
function configuredCommand(): string[] | undefined {
  const inspected = vscode.workspace.getConfiguration("ailedger").inspect<unknown>("server.command");
  const value = [inspected?.workspaceFolderValue, inspected?.workspaceValue, inspected?.globalValue].find((v) => v !== undefined);
  if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === "string" && part !== "")) {
    return value as string[];
  }
  return undefined;
}

function withTimeout<T>(promise: Thenable<T>, ms: number): Promise<T | undefined> {
  return Promise.race([Promise.resolve(promise), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

/** The Python extension's interpreter for this workspace, then `python.defaultInterpreterPath`. */
async function pythonInterpreters(log: vscode.LogOutputChannel): Promise<string[]> {
  const out: string[] = [];
  const python = vscode.extensions.getExtension("ms-python.python");
  if (python !== undefined) {
    try {
      // The Python extension's API: environments.getActiveEnvironmentPath() (current),
      // settings.getExecutionDetails() (older releases).
      const api = (python.isActive ? python.exports : await withTimeout(python.activate(), 5000)) as Record<string, any> | undefined;
      const active = api?.environments?.getActiveEnvironmentPath?.(vscode.workspace.workspaceFolders?.[0]?.uri);
      const command = api?.settings?.getExecutionDetails?.(vscode.workspace.workspaceFolders?.[0]?.uri)?.execCommand;
      if (typeof active?.path === "string") out.push(active.path);
      else if (Array.isArray(command) && typeof command[0] === "string") out.push(command[0]);
    } catch (err) {
      log.warn(`could not ask the Python extension for its interpreter: ${String(err)}`);
    }
  }
  const setting = vscode.workspace.getConfiguration("python").get<string>("defaultInterpreterPath");
  if (typeof setting === "string" && setting.trim() !== "" && !out.includes(setting)) out.push(setting);
  return out;
}

function hasModule(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import ailedger"], { timeout: 5000 }, (error) => resolve(error === null));
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function locate(log: vscode.LogOutputChannel): Promise<Found | undefined> {
  const configured = configuredCommand();
  return locateServer({
    configured,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
    home: os.homedir(),
    env: process.env,
    platform: process.platform,
    interpreters: configured === undefined ? await pythonInterpreters(log) : [],
  }, { isExecutable, hasModule });
}

/** The executable's path, or undefined when it is not there (PATH searched for a bare name). */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const isFile = isExecutable;
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

/**
 * `ailedger hooks status --json` through the same ailedger, summarised; undefined
 * when it is not there (an older ailedger) or does not answer within 5 s.
 */
function hooksStatus(command: string[], log: vscode.LogOutputChannel): Promise<string | undefined> {
  if (command[command.length - 1] !== "lsp") return Promise.resolve(undefined);
  const args = [...command.slice(1, -1), "hooks", "status", "--json"];
  const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
  return new Promise((resolve) => {
    execFile(command[0], args, { timeout: 5000, cwd, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error !== null) {
        log.info(`hooks status: not available (${error.message.split("\n")[0]})`);
        resolve(undefined);
        return;
      }
      try {
        resolve(hooksSummary(JSON.parse(stdout)));
      } catch {
        log.info("hooks status: the answer is not JSON");
        resolve(undefined);
      }
    });
  });
}

const SEARCHED = "the workspace's .venv, PATH, ~/.local/bin, pipx, uv tools and the Python extension's interpreter";

/** Install ailedger in a terminal with the best installer there is, then offer to start it. */
async function install(restart: () => Promise<void>, log: vscode.LogOutputChannel): Promise<void> {
  const interpreters = await pythonInterpreters(log);
  const command = installCommand({
    pipx: findExecutable("pipx") !== undefined,
    uv: findExecutable("uv") !== undefined,
    python: interpreters.find((p) => p !== "python") ?? (findExecutable("python3") !== undefined ? "python3" : undefined),
  });
  const terminal = vscode.window.createTerminal({ name: "Install ailedger" });
  terminal.show();
  terminal.sendText(command);
  const choice = await vscode.window.showInformationMessage(`ailedger: installing with \`${command}\`. Start ailedger when it has finished.`, "Start ailedger");
  if (choice === "Start ailedger") await restart();
}

async function explainMissing(command: string[] | undefined, why: string, restart: () => Promise<void>, log: vscode.LogOutputChannel): Promise<void> {
  const message = command === undefined
    ? `ailedger: the ailedger command was not found (looked in ${SEARCHED}). ` +
      "Install it (pipx install ailedger, or pip install ailedger) or set ailedger.server.command."
    : `ailedger: could not start \`${command.join(" ")}\` (${why}). ` +
      "Install it (pipx install ailedger, or pip install ailedger) or set ailedger.server.command.";
  const choice = await vscode.window.showErrorMessage(message, "Install", "Open Settings");
  if (choice === "Install") await install(restart, log);
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
    status.setServer("starting");
    const found = await locate(log);
    if (found === undefined) {
      status.setServer("stopped");
      log.error(`could not find ailedger (looked in ${SEARCHED})`);
      void explainMissing(undefined, "not found", restart, log);
      return;
    }
    const command = found.command;
    status.setServerCommand(found);
    if (findExecutable(command[0]) === undefined) {
      status.setServer("stopped");
      log.error(`could not start ${JSON.stringify(command)}: ${command[0]} not found`);
      void explainMissing(command, "not found", restart, log);
      return;
    }
    log.info(`ailedger from ${found.source}: ${JSON.stringify(command)}`);
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
      void hooksStatus(command, log).then((summary) => status.setHooks(summary));
    } catch (err) {
      status.setServer("stopped");
      log.error(`could not start ${JSON.stringify(command)}: ${String(err)}`);
      void explainMissing(command, String(err), restart, log);
    }
  };

  const stop = async (): Promise<void> => {
    const running = client;
    client = undefined;
    if (running !== undefined) await running.stop(2000).catch((err: unknown) => log.warn(`stopping: ${String(err)}`));
  };

  const restart = async (): Promise<void> => {
    await stop();
    await start();
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

  const tab = await takeOver(record, log);
  context.subscriptions.push(tab);
  const sessions = context.storageUri === undefined ? undefined : path.join(path.dirname(context.storageUri.fsPath), "chatSessions");
  context.subscriptions.push(new ChatCapture(sessions, record, log));
  const commands = new Set(await vscode.commands.getCommands(false));
  const showPaths = (): void => status.setPaths(capturePaths({
    commands,
    tabCommands: tab.commands,
    chatDisabled: vscode.workspace.getConfiguration("chat").get("disableAIFeatures") === true,
    sessionData: sessions !== undefined,
  }));
  showPaths();
  registerCommands(context, ledger);
  context.subscriptions.push(
    vscode.commands.registerCommand("ailedger.showOutput", () => log.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("chat.disableAIFeatures")) showPaths();
      if (event.affectsConfiguration("ailedger.server.command")) await restart();
    }),
  );
  stopOnDeactivate = stop;
  void start();
}

let stopOnDeactivate: (() => Promise<void>) | undefined;

export function deactivate(): Promise<void> | undefined {
  return stopOnDeactivate?.();
}
