// Where the ailedger server is: the user's setting, else the usual places a
// Python tool gets installed, in the order a user would expect, else the
// Python interpreter VS Code's Python extension uses (`-m ailedger`). Pure
// but for the two probes the caller passes (is this file executable, can this
// Python import ailedger), so the order is unit-tested.

import * as path from "node:path";

export interface LocateInput {
  /** `ailedger.server.command` when the user set it (anywhere), else undefined. */
  configured: string[] | undefined;
  workspaceFolders: readonly string[];
  home: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Python interpreters: the Python extension's active one, then `python.defaultInterpreterPath`. */
  interpreters: readonly string[];
}

export interface Found {
  command: string[];
  /** Where it was found, for the log and the status tooltip. */
  source: string;
}

export interface Probes {
  isExecutable(file: string): boolean;
  /** Whether `python -c "import ailedger"` succeeds (bounded in time by the caller). */
  hasModule(python: string): Promise<boolean>;
}

function binary(platform: NodeJS.Platform, dir: string): string {
  return platform === "win32" ? path.win32.join(dir, "ailedger.exe") : path.posix.join(dir, "ailedger");
}

/** The executables to try, in order, each with where it comes from. */
export function executableCandidates(input: LocateInput): { file: string; source: string }[] {
  const { env, home, platform } = input;
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  const out: { file: string; source: string }[] = [];
  for (const folder of input.workspaceFolders) {
    out.push({ file: binary(platform, join(folder, ".venv", platform === "win32" ? "Scripts" : "bin")), source: "the workspace's .venv" });
  }
  const exts = platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(platform === "win32" ? ";" : ":")) {
    if (dir === "") continue;
    for (const ext of exts) out.push({ file: join(dir, "ailedger" + ext.toLowerCase()), source: "PATH" });
  }
  out.push({ file: binary(platform, join(home, ".local", "bin")), source: "~/.local/bin" });
  const pipxHomes = env.PIPX_HOME ? [env.PIPX_HOME] : [join(home, ".local", "pipx"), join(home, ".local", "share", "pipx")];
  for (const pipx of pipxHomes) {
    out.push({ file: binary(platform, join(pipx, "venvs", "ailedger", platform === "win32" ? "Scripts" : "bin")), source: "pipx" });
  }
  const uvTools = env.UV_TOOL_DIR ?? join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "uv", "tools");
  out.push({ file: binary(platform, join(uvTools, "ailedger", platform === "win32" ? "Scripts" : "bin")), source: "uv tool" });
  return out;
}

/** The server command: the setting as given, else the first place that has ailedger. */
export async function locateServer(input: LocateInput, probes: Probes): Promise<Found | undefined> {
  // The user's own setting is never second-guessed: if it is wrong, they are told.
  if (input.configured !== undefined) return { command: input.configured, source: "ailedger.server.command" };
  for (const { file, source } of executableCandidates(input)) {
    if (probes.isExecutable(file)) return { command: [file, "lsp"], source };
  }
  for (const python of input.interpreters) {
    if (python !== "" && (await probes.hasModule(python))) {
      return { command: [python, "-m", "ailedger", "lsp"], source: "the Python extension's interpreter" };
    }
  }
  return undefined;
}

/** The command that installs ailedger with the best installer there is. */
export function installCommand(have: { pipx: boolean; uv: boolean; python: string | undefined }): string {
  if (have.pipx) return "pipx install ailedger";
  if (have.uv) return "uv tool install ailedger";
  const python = have.python ?? "python3";
  return `${/\s/.test(python) ? `"${python}"` : python} -m pip install --user ailedger`;
}
