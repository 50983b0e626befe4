// Which chat session a chat-editing baseline belongs to, and which model that
// session used, from VS Code's own session data. Pure (the caller reads the
// file).
//
// Shapes followed (VS Code 1.139.1, code-server 4.139.1's workbench bundle;
// sources under src/vs/workbench/contrib/chat/):
// - browser/chatEditing/chatEditingTextModelContentProviders.ts: the baseline
//   URI's query is JSON {kind: "doc", documentId, chatSessionResource} (older
//   releases: chatSessionId, a plain string).
// - common/model/chatUri.ts (LocalChatSessionUri): a local session's resource
//   is vscode-chat-session://local/<base64url of the session id>.
// - common/model/chatSessionStore.ts: sessions are kept in
//   <workspaceStorage>/chatSessions/<sessionId>.jsonl (.json before); each
//   request (common/model/chatModel.ts, ISerializableChatRequestData) keeps
//   its agent {extensionId: {value}, extensionVersion}, the model it ran on
//   as modelId "<vendor>/<model>" (only when the user picked one) and the
//   response's markdown, code blocks included.

import type { Model } from "./metadata";

export const BASELINE_SCHEME = "chat-editing-text-model";
const LOCAL_SESSION_SCHEME = "vscode-chat-session";

/** The session id a baseline URI's query names, or undefined. */
export function sessionIdOf(query: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(query);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.chatSessionId === "string" && record.chatSessionId !== "") return record.chatSessionId;
  const resource = record.chatSessionResource ?? record.sessionResource;
  if (typeof resource === "string") return localSessionId(resource);
  if (typeof resource === "object" && resource !== null) {
    const uri = resource as Record<string, unknown>;
    if (uri.scheme === LOCAL_SESSION_SCHEME && uri.authority === "local" && typeof uri.path === "string") {
      return decodeBase64Url(uri.path.replace(/^\//, ""));
    }
  }
  return undefined;
}

function localSessionId(uri: string): string | undefined {
  const match = /^vscode-chat-session:\/\/local\/([A-Za-z0-9_-]+)$/.exec(uri);
  return match === null ? undefined : decodeBase64Url(match[1]);
}

function decodeBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const decoded = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  return decoded === "" ? undefined : decoded;
}

/** The session file names to look for, newest format first. */
export function sessionFiles(sessionId: string): string[] {
  const safe = sessionId.replace(/[^\w.-]/g, "_");
  return [`${safe}.jsonl`, `${safe}.json`];
}

/** What ailedger takes from a session's data: per request, the agent, model and code blocks. */
export interface ChatTurn {
  /** The chat participant's extension and its version ("github.copilot-chat", "0.30.0"). */
  agent: { extensionId: string; version: string | null } | null;
  /** "vendor/model" as VS Code stores it; null when the request does not say. */
  modelId: string | null;
  /** When the request was made (ms since the epoch), or null. */
  at: number | null;
  /** What the user asked (the request's message text), or null. */
  prompt: string | null;
  /** The fenced code blocks of the response, as the chat view shows them (no fence, no final newline). */
  codeBlocks: string[];
}

const FENCE = /^[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n[ \t]*\1[ \t]*$/gm;

/** The fenced code blocks of a markdown text. */
export function codeBlocksOf(markdown: string): string[] {
  const out: string[] = [];
  for (const match of markdown.matchAll(FENCE)) out.push(match[2]);
  return out;
}

function stringsIn(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) stringsIn(item, out);
}

function turnOf(request: Record<string, unknown>): ChatTurn {
  const agent = request.agent as Record<string, unknown> | undefined;
  const extension = agent?.extensionId as Record<string, unknown> | string | undefined;
  const extensionId = typeof extension === "string" ? extension : typeof extension?.value === "string" ? extension.value : undefined;
  const message = request.message as Record<string, unknown> | undefined;
  const texts: string[] = [];
  stringsIn(request.response, texts);
  return {
    agent: extensionId === undefined ? null : { extensionId, version: typeof agent?.extensionVersion === "string" ? agent.extensionVersion : null },
    modelId: typeof request.modelId === "string" && request.modelId.trim() !== "" ? request.modelId : null,
    at: typeof request.timestamp === "number" ? request.timestamp : null,
    prompt: typeof message?.text === "string" && message.text !== "" ? message.text : null,
    codeBlocks: texts.flatMap(codeBlocksOf),
  };
}

type Path = (string | number)[];

/** The container at `path` in `state`, creating objects on the way (a set may name a new key). */
function containerAt(state: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = state as Record<string | number, unknown> | undefined;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node[key] ??= {};
    node = node[key] as Record<string | number, unknown>;
  }
  return typeof node === "object" && node !== null ? node : undefined;
}

/** Replay one entry of the session log (common/model/objectMutationLog.ts: 0 initial, 1 set, 2 push, 3 delete). */
function replay(state: unknown, entry: Record<string, unknown>): unknown {
  const path = Array.isArray(entry.k) ? (entry.k as Path) : [];
  switch (entry.kind) {
    case 0:
      return entry.v;
    case 1:
    case 3: {
      if (path.length === 0) return entry.kind === 1 ? entry.v : state;
      const parent = containerAt(state, path.slice(0, -1));
      if (parent !== undefined) parent[path[path.length - 1]] = entry.kind === 1 ? entry.v : undefined;
      return state;
    }
    case 2: {
      const parent = containerAt(state, path.slice(0, -1));
      const key = path[path.length - 1];
      if (parent === undefined || key === undefined) return state;
      const list = Array.isArray(parent[key]) ? (parent[key] as unknown[]) : [];
      if (typeof entry.i === "number") list.length = Math.min(list.length, entry.i);
      if (Array.isArray(entry.v)) list.push(...entry.v);
      parent[key] = list;
      return state;
    }
    default:
      return state;
  }
}

/**
 * The requests of a session file, oldest first. A .json file is the session
 * itself; a .jsonl file is a log (first line the session, later lines set,
 * push or delete at a key path), replayed here. A line that does not parse
 * ends the replay with what was read so far.
 */
export function turnsOfSession(data: string): ChatTurn[] {
  let state: unknown;
  let whole: unknown;
  try {
    whole = JSON.parse(data);
  } catch {
    whole = undefined;
  }
  if (typeof whole === "object" && whole !== null && !("kind" in whole && "v" in whole)) {
    state = whole; // a .json session
  } else {
    for (const line of data.split("\n")) {
      if (line.trim() === "") continue;
      try {
        state = replay(state, JSON.parse(line) as Record<string, unknown>);
      } catch {
        break;
      }
    }
  }
  const requests = (state as Record<string, unknown> | undefined)?.requests;
  if (!Array.isArray(requests)) return [];
  return requests.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null).map(turnOf);
}

/** "vendor/model" as {provider: vendor, id: model}; no id is null, never a guess. */
export function modelOfId(modelId: string | null): Model | null {
  if (modelId === null) return null;
  const slash = modelId.indexOf("/");
  if (slash <= 0) return { provider: null, id: modelId, version: null };
  return { provider: modelId.slice(0, slash), id: modelId.slice(slash + 1), version: null };
}

/** The newest request made at or before `time` (the one whose edits were being applied then), or null. */
export function turnAt(turns: readonly ChatTurn[], time: number): ChatTurn | null {
  for (let i = turns.length - 1; i >= 0; i--) {
    const at = turns[i].at;
    if (at !== null && at <= time) return turns[i];
  }
  return null;
}
