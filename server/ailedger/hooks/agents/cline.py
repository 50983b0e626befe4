"""Cline (github.com/cline/cline src/core/hooks/hook-factory.ts, proto/cline/hooks.proto).

A hook is an executable named after its event (`.clinerules/hooks/PreToolUse`,
`~/Documents/Cline/Hooks/PostToolUse`, ...). Its stdin is the HookInput
message as JSON: `clineVersion`, `hookName`, `taskId`, `workspaceRoots`,
`model: {provider, slug}` and one of `preToolUse: {toolName, parameters}`,
`postToolUse: {toolName, parameters, result, success}`,
`userPromptSubmit: {prompt}`. Parameters are strings; paths are relative to
the first workspace root. No id for the tool call: before and after pair by
task, tool and path. The answer `{"cancel": false}` is printed by record.py
before anything else is read, so Cline gets it even from a garbage payload.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing (and pathlib, re) cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

EDIT_TOOLS = {"write_to_file", "replace_in_file", "apply_patch", "editor", "new_rule"}
ANSWER = '{"cancel": false}'

# replace_in_file's blocks: "------- SEARCH / ======= / +++++++ REPLACE" (older: <<<<<<< / >>>>>>>).
_BLOCK = r"^(?:-{3,}|<{3,}) SEARCH\r?\n(.*?)^={3,}\r?\n(.*?)^(?:\+{3,}|>{3,}) REPLACE"  # re: compiled when used


def _snake(p: dict[str, Any], camel: str, snake: str) -> Any:
    return p.get(camel) if camel in p else p.get(snake)


def handle(source: str, p: dict[str, Any]) -> Outcome:
    task = text(_snake(p, "taskId", "task_id"))
    prompt = mapping(_snake(p, "userPromptSubmit", "user_prompt_submit"))
    if isinstance(prompt.get("prompt"), str) and prompt["prompt"]:
        state.save_prompt(source, task, prompt["prompt"])
        return Outcome()
    pre = mapping(_snake(p, "preToolUse", "pre_tool_use"))
    post = mapping(_snake(p, "postToolUse", "post_tool_use"))
    data = pre or post
    tool = text(_snake(data, "toolName", "tool_name"))
    if tool not in EDIT_TOOLS:
        return Outcome()
    args = mapping(data.get("parameters"))
    roots = _snake(p, "workspaceRoots", "workspace_roots") or []
    cwd = roots[0] if roots and isinstance(roots[0], str) else "."
    if tool == "apply_patch":
        files = edits.resolve(edits.patch_files(args.get("input") or args.get("patch")), cwd)
    else:
        files = edits.resolve([args.get("path") or args.get("absolutePath") or args.get("file_path")], cwd)

    def key(path: str) -> str:
        return edits.key(None, session=task, tool=tool, path=path)

    if pre:
        for path in files:
            edits.keep(source, key(path), [path])
        return Outcome()
    if post.get("success") is False:
        for path in files:
            edits.forget(source, key(path), [path])
        return Outcome()
    import re

    pairs = [(old, new) for old, new in re.findall(_BLOCK, text(args.get("diff")), re.M | re.S)]
    if tool == "editor" and "new_str" in args:
        pairs = [(text(args.get("old_str")), text(args.get("new_str")))]
    model = mapping(p.get("model"))
    provider = text(model.get("provider"))
    version = text(_snake(p, "clineVersion", "cline_version")) or None
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key,
        model=edits.model(model.get("slug"), provider if provider not in ("", "unknown") else None),
        prompt=state.last_prompt(source, task), session=task, tool_version=version,
        creates=tool == "write_to_file" or (tool == "editor" and text(args.get("command")) == "create"),
        replacements={path: pairs for path in files}))
