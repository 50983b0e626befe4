import assert from "node:assert/strict";
import { test } from "node:test";

import { executableCandidates, installCommand, LocateInput, locateServer } from "../src/locate";

const BASE: LocateInput = {
  configured: undefined,
  workspaceFolders: ["/work/shop"],
  home: "/home/dev",
  env: { PATH: "/usr/local/bin:/usr/bin" },
  platform: "linux",
  interpreters: ["/work/shop/.venv-py/bin/python"],
};

/** Probes that answer from a list of files that "exist" and Pythons that have ailedger; they note what was asked. */
function probes(files: string[], pythons: string[] = []) {
  const asked: string[] = [];
  return {
    asked,
    isExecutable: (file: string) => {
      asked.push(file);
      return files.includes(file);
    },
    hasModule: async (python: string) => {
      asked.push(`python:${python}`);
      return pythons.includes(python);
    },
  };
}

test("the search order: workspace .venv, PATH, ~/.local/bin, pipx, uv tools, then the Python interpreter", async () => {
  const p = probes([]);
  assert.equal(await locateServer(BASE, p), undefined);
  assert.deepEqual(p.asked, [
    "/work/shop/.venv/bin/ailedger",
    "/usr/local/bin/ailedger",
    "/usr/bin/ailedger",
    "/home/dev/.local/bin/ailedger",
    "/home/dev/.local/pipx/venvs/ailedger/bin/ailedger",
    "/home/dev/.local/share/pipx/venvs/ailedger/bin/ailedger",
    "/home/dev/.local/share/uv/tools/ailedger/bin/ailedger",
    "python:/work/shop/.venv-py/bin/python",
  ]);
});

test("the first place that has it wins, with where it was found", async () => {
  const everywhere = probes(["/work/shop/.venv/bin/ailedger", "/usr/bin/ailedger", "/home/dev/.local/bin/ailedger"]);
  assert.deepEqual(await locateServer(BASE, everywhere), { command: ["/work/shop/.venv/bin/ailedger", "lsp"], source: "the workspace's .venv" });
  assert.deepEqual(await locateServer(BASE, probes(["/home/dev/.local/share/uv/tools/ailedger/bin/ailedger"])),
    { command: ["/home/dev/.local/share/uv/tools/ailedger/bin/ailedger", "lsp"], source: "uv tool" });
  assert.deepEqual(await locateServer(BASE, probes(["/home/dev/.local/pipx/venvs/ailedger/bin/ailedger"])),
    { command: ["/home/dev/.local/pipx/venvs/ailedger/bin/ailedger", "lsp"], source: "pipx" });
});

test("no executable anywhere: the Python extension's interpreter with -m ailedger, if it has the module", async () => {
  assert.deepEqual(await locateServer(BASE, probes([], ["/work/shop/.venv-py/bin/python"])), {
    command: ["/work/shop/.venv-py/bin/python", "-m", "ailedger", "lsp"], source: "the Python extension's interpreter",
  });
});

test("the user's setting is used as given, nothing searched", async () => {
  const p = probes(["/work/shop/.venv/bin/ailedger"]);
  assert.deepEqual(await locateServer({ ...BASE, configured: ["/opt/ailedger", "lsp"] }, p),
    { command: ["/opt/ailedger", "lsp"], source: "ailedger.server.command" });
  assert.deepEqual(p.asked, []);
});

test("PIPX_HOME, UV_TOOL_DIR and XDG_DATA_HOME move the tool folders", () => {
  const files = executableCandidates({ ...BASE, env: { PATH: "", PIPX_HOME: "/p", UV_TOOL_DIR: "/u" } }).map((c) => c.file);
  assert.ok(files.includes("/p/venvs/ailedger/bin/ailedger") && files.includes("/u/ailedger/bin/ailedger"), files.join(" "));
  const xdg = executableCandidates({ ...BASE, env: { XDG_DATA_HOME: "/x" } }).map((c) => c.file);
  assert.ok(xdg.includes("/x/uv/tools/ailedger/bin/ailedger"), xdg.join(" "));
});

test("Windows: Scripts folders and .exe names", () => {
  const files = executableCandidates({ ...BASE, platform: "win32", workspaceFolders: ["C:\\shop"], home: "C:\\Users\\dev", env: { PATH: "C:\\bin", PATHEXT: ".EXE" } }).map((c) => c.file);
  assert.equal(files[0], "C:\\shop\\.venv\\Scripts\\ailedger.exe");
  assert.equal(files[1], "C:\\bin\\ailedger.exe");
});

test("install: pipx, else uv, else the interpreter's pip --user", () => {
  assert.equal(installCommand({ pipx: true, uv: true, python: "/x/python" }), "pipx install ailedger");
  assert.equal(installCommand({ pipx: false, uv: true, python: "/x/python" }), "uv tool install ailedger");
  assert.equal(installCommand({ pipx: false, uv: false, python: "/x/python" }), "/x/python -m pip install --user ailedger");
  assert.equal(installCommand({ pipx: false, uv: false, python: "/My Py/python" }), '"/My Py/python" -m pip install --user ailedger');
  assert.equal(installCommand({ pipx: false, uv: false, python: undefined }), "python3 -m pip install --user ailedger");
});
