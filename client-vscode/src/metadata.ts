// Tool and model metadata for an acceptance: what the user's settings say,
// else what can be known for certain (an installed AI extension's id and
// version); never a guess. Pure: the caller passes the settings and extensions.

export interface Tool {
  name: string;
  version: string | null;
}

export interface Model {
  provider: string | null;
  id: string | null;
  version: string | null;
}

export interface MetadataSettings {
  toolName?: unknown;
  toolVersion?: unknown;
  modelProvider?: unknown;
  modelId?: unknown;
  modelVersion?: unknown;
}

export interface InstalledExtension {
  id: string;
  version: string | null;
}

/** Extensions that provide inline completions, by id (lower case) → tool name. */
export const INLINE_PROVIDERS: Readonly<Record<string, string>> = {
  "github.copilot": "github-copilot",
  "github.copilot-chat": "github-copilot",
  "codeium.codeium": "windsurf",
  "supermaven.supermaven": "supermaven",
  "tabnine.tabnine-vscode": "tabnine",
  "continue.continue": "continue",
  "amazonwebservices.amazon-q-vscode": "amazon-q",
};

function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** The AI extensions among those installed, one per tool name (first version seen). */
export function knownProviders(installed: readonly InstalledExtension[]): Tool[] {
  const byName = new Map<string, Tool>();
  for (const ext of installed) {
    const name = INLINE_PROVIDERS[ext.id.toLowerCase()];
    if (name !== undefined && !byName.has(name)) byName.set(name, { name, version: text(ext.version) });
  }
  return [...byName.values()];
}

/**
 * The tool: the settings' name (with their version, else the version of the
 * installed extension of that name); unset, the one AI extension installed;
 * with none or several, the editor itself (`fallback`), whose version is known.
 */
export function toolOf(settings: MetadataSettings, installed: readonly InstalledExtension[], fallback: Tool): Tool {
  const providers = knownProviders(installed);
  const name = text(settings.toolName);
  if (name !== null) {
    const match = providers.find((p) => p.name === name) ??
      installed.filter((e) => e.id.toLowerCase() === name.toLowerCase()).map((e) => ({ name, version: text(e.version) }))[0];
    return { name, version: text(settings.toolVersion) ?? match?.version ?? null };
  }
  if (providers.length === 1) {
    const only = providers[0];
    return { name: only.name, version: text(settings.toolVersion) ?? only.version };
  }
  return { name: fallback.name, version: text(settings.toolVersion) ?? fallback.version };
}

/** The model from the settings; null when none of its parts is set. */
export function modelOf(settings: MetadataSettings): Model | null {
  const model: Model = {
    provider: text(settings.modelProvider),
    id: text(settings.modelId),
    version: text(settings.modelVersion),
  };
  return model.provider === null && model.id === null && model.version === null ? null : model;
}

/**
 * The tool of a chat edit: the chat participant's extension from VS Code's
 * session data (Copilot Chat is github-copilot, as for Tab; another
 * extension is named by its id), else `fallback` (the tool as for Tab).
 */
export function chatToolOf(agent: { extensionId: string; version: string | null } | null, fallback: Tool): Tool {
  if (agent === null) return fallback;
  return { name: INLINE_PROVIDERS[agent.extensionId.toLowerCase()] ?? agent.extensionId, version: text(agent.version) };
}
