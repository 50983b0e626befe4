import assert from "node:assert/strict";
import { test } from "node:test";

import { modelOf, toolOf } from "../src/metadata";

const EDITOR = { name: "vscode", version: "1.139.1" };

test("tool from the settings, version from them", () => {
  assert.deepEqual(toolOf({ toolName: "my-ai", toolVersion: "2.0" }, [], EDITOR), { name: "my-ai", version: "2.0" });
});

test("tool named in the settings takes the installed extension's version", () => {
  const installed = [{ id: "GitHub.copilot", version: "1.300.0" }];
  assert.deepEqual(toolOf({ toolName: "github-copilot" }, installed, EDITOR), { name: "github-copilot", version: "1.300.0" });
  assert.deepEqual(toolOf({ toolName: "github.copilot" }, installed, EDITOR), { name: "github.copilot", version: "1.300.0" });
});

test("tool named in the settings but unknown: version null, never invented", () => {
  assert.deepEqual(toolOf({ toolName: "standin" }, [{ id: "GitHub.copilot", version: "1.0.0" }], EDITOR), { name: "standin", version: null });
});

test("no setting: the one AI extension installed", () => {
  const installed = [{ id: "vscode.git", version: "1.0.0" }, { id: "GitHub.copilot-chat", version: "0.30.0" }];
  assert.deepEqual(toolOf({}, installed, EDITOR), { name: "github-copilot", version: "0.30.0" });
});

test("no setting and no (or several) AI extensions: the editor itself", () => {
  assert.deepEqual(toolOf({ toolName: "  " }, [], EDITOR), EDITOR);
  const two = [{ id: "github.copilot", version: "1" }, { id: "supermaven.supermaven", version: "2" }];
  assert.deepEqual(toolOf({}, two, EDITOR), EDITOR);
  assert.deepEqual(toolOf({}, [], { name: "cursor", version: null }), { name: "cursor", version: null });
});

test("model: unset is null; set parts kept, the rest null", () => {
  assert.equal(modelOf({}), null);
  assert.equal(modelOf({ modelProvider: "", modelId: null, modelVersion: undefined }), null);
  assert.deepEqual(modelOf({ modelProvider: "openai", modelId: "gpt-4.1" }), { provider: "openai", id: "gpt-4.1", version: null });
  assert.deepEqual(modelOf({ modelId: "x", modelVersion: 3 }), { provider: null, id: "x", version: null });
});
