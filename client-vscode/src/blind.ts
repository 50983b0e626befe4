// Where ailedger can and cannot see in this VS Code, for the status bar's
// tooltip. Pure: the caller passes the commands VS Code has, its settings and
// the `ailedger hooks status --json` answer.

export interface CaptureInput {
  /** Every command id VS Code has (vscode.commands.getCommands). */
  commands: ReadonlySet<string>;
  /** The inline-suggestion accept commands the extension took over. */
  tabCommands: readonly string[];
  /** `chat.disableAIFeatures` (VS Code's own switch for chat). */
  chatDisabled: boolean;
  /** Whether VS Code's chat session data (<workspaceStorage>/chatSessions) is reachable. */
  sessionData: boolean;
}

export interface CapturePaths {
  seen: string[];
  blind: string[];
}

// Command ids from VS Code 1.139.1 (src/vs/workbench/contrib/chat/browser/
// chatEditing/chatEditingActions.ts and chatEditingEditorActions.ts,
// actions/chatCodeblockActions.ts, inlineChat/browser/inlineChatActions.ts):
// their presence says which chat features this VS Code has.
const CHAT_EDITING = ["chatEditing.acceptAllFiles", "chatEditor.action.acceptAllEdits"];
const INLINE_CHAT = ["inlineChat2.keep", "inlineChat.acceptChanges"];
const CODE_BLOCK = ["workbench.action.chat.insertCodeBlock"];

// Always out of sight of an editor extension, whatever VS Code has.
const NEVER_SEEN = [
  "chat edits not yet kept, or undone (only what is kept is recorded)",
  "Insert into New File (an untitled file has no path until it is saved)",
  "code retyped by hand from a chat answer",
  "files an agent writes to disk outside VS Code's editor (terminal, CLI agents): see `ailedger hooks status`",
];

/** What this VS Code lets ailedger see, and what it does not. */
export function capturePaths(input: CaptureInput): CapturePaths {
  const seen: string[] = [];
  const blind: string[] = [];
  const has = (ids: readonly string[]): boolean => ids.some((id) => input.commands.has(id));
  if (input.tabCommands.length > 0) seen.push("Tab: accepted inline suggestions (whole, next word, next line)");
  else blind.push("Tab: no inline-suggestion accept command to take over");
  const chat = !input.chatDisabled;
  if (chat && has(CHAT_EDITING)) seen.push("Chat editing: edits kept from chat (agent, edit mode, Apply in Editor)");
  else blind.push(chat ? "Chat editing: this VS Code has no chat editing" : "Chat editing: chat is turned off (chat.disableAIFeatures)");
  if (chat && has(INLINE_CHAT)) seen.push("Inline chat: edits kept from inline chat");
  else blind.push(chat ? "Inline chat: this VS Code has no inline chat" : "Inline chat: chat is turned off");
  if (chat && has(CODE_BLOCK) && input.sessionData) seen.push("Insert at cursor: chat code blocks inserted or pasted into a file");
  else if (!chat) blind.push("Insert at cursor: chat is turned off");
  else blind.push(input.sessionData
    ? "Insert at cursor: this VS Code has no chat code blocks"
    : "Insert at cursor: no chat session data (no folder open)");
  return { seen, blind: [...blind, ...NEVER_SEEN] };
}

/**
 * A one-paragraph summary of `ailedger hooks status --json`
 * (`{repository, tools: [{name, present, projectHook, userHook, flagOff,
 * lastRecorded}], blind}`, server/ailedger/hooks/status.py): the agents whose
 * hook is installed, and those present on this machine without one (ailedger
 * is blind to them); undefined when the answer has no list of tools.
 */
export function hooksSummary(answer: unknown): string | undefined {
  const list = Array.isArray(answer)
    ? answer
    : typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>).tools : undefined;
  if (!Array.isArray(list)) return undefined;
  const hooked: string[] = [];
  const blind: string[] = [];
  const flags: string[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const record = item as Record<string, unknown>;
    const name = record.name;
    if (typeof name !== "string") continue;
    const installed = record.projectHook === true || record.userHook === true;
    const present = record.present === true;
    const flag = record.flagOff;
    if (installed) hooked.push(name);
    else if (present) blind.push(name);
    if (installed && typeof flag === "string" && flag !== "") flags.push(`${name} (${flag})`);
  }
  const parts = [`Agent hooks installed: ${hooked.length > 0 ? hooked.join(", ") : "none"}.`];
  if (blind.length > 0) parts.push(`Present without a hook (not recorded): ${blind.join(", ")}.`);
  if (flags.length > 0) parts.push(`Hooked but a setting is off: ${flags.join(", ")}.`);
  return parts.join(" ");
}
