--- codecompanion.nvim: records what its chat agent tools and its inline
--- assistant write into your files.
---
--- From codecompanion's User events (doc/usage/events.md; fired by
--- lua/codecompanion/utils/init.lua `fire`, pattern "CodeCompanion" .. name):
---
--- - `CodeCompanionRequestStarted` {adapter = {name, formatted_name, model},
---   bufnr, interaction = "chat" | "inline", buffer_context = {bufnr, ...}}
---   (lua/codecompanion/http.lua): the model, per chat buffer; for an inline
---   request, a snapshot of the code buffer.
--- - `CodeCompanionChatAdapter` / `CodeCompanionChatModel` {bufnr, adapter?,
---   model?} (interactions/chat/init.lua): the chat's model when it changes.
--- - `CodeCompanionToolStarted` {bufnr = chat, id, tool, args}
---   (interactions/chat/tools/orchestrator.lua): an edit tool
---   (`insert_edit_into_file`, `create_file`, any with `args.filepath`) is
---   about to run: snapshot that file.
--- - `CodeCompanionFileEdited` {path, bufnr?, line?, tool}
---   (tools/builtin/insert_edit_into_file/init.lua, create_file.lua): the
---   edit was applied (after the user accepted its diff, when asked): record
---   each changed range as `agent-edit`.
--- - `CodeCompanionToolFinished` {bufnr, id, name, args}: the tool is done;
---   a rejected or failed edit never fired FileEdited, so its snapshot goes.
---
--- The inline assistant fires `CodeCompanionInlineFinished` *before* it
--- writes, and accepting its diff fires no event in current versions
--- (diff/keymaps.lua calls the Inline's on_accept). Every inline path ends in
--- `Inline:reset()` (interactions/inline/init.lua: written directly, diff
--- accepted, diff rejected after restoring, or failed), so that method is
--- wrapped: it diffs the buffer against the RequestStarted snapshot and
--- records `chat-insert` (a rejected diff restored the text: nothing). Older
--- versions fire `CodeCompanionDiffAccepted` {diff, bufnr, id, accept}
--- (providers/diff/*.lua before the "new diff" rewrite), handled the same.
---
--- Not seen: ACP agents (Claude Code, Gemini CLI... through codecompanion's
--- ACP adapters) write files themselves and only report FileEdited after;
--- those agents' own hooks (`ailedger hooks install NAME`) record them.
local edits = require('ailedger.edits')

local M = {}

M.name = 'codecompanion.nvim'
M.TOOL = { name = 'codecompanion.nvim' }
--- Modules that hold the Inline class (current, then pre-"interactions" versions).
M.INLINE_MODULES = { 'codecompanion.interactions.inline', 'codecompanion.strategies.inline' }

local models = {} -- chat (or code) bufnr -> ailedger model
local tool_edits = {} -- normalised path -> {snap, model}
local inline = {} -- code bufnr -> {snap, model}
local reset_originals = setmetatable({}, { __mode = 'k' })

--- codecompanion's adapter data -> ailedger's {provider, id}; nil when unknown.
--- @param adapter? table {name, formatted_name, model}
--- @param model? string|table
function M.model_of(adapter, model)
  if type(adapter) ~= 'table' and not model then
    return nil
  end
  local id = model
  if id == nil and type(adapter) == 'table' then
    id = adapter.model
  end
  if type(id) == 'table' then
    id = id.name or id.id
  end
  local out = {
    provider = type(adapter) == 'table' and type(adapter.name) == 'string' and adapter.name or nil,
    id = type(id) == 'string' and id ~= '' and id or nil,
  }
  return next(out) and out or nil
end

local function target(args)
  if type(args) ~= 'table' then
    return nil
  end
  local path = args.filepath or args.path
  return type(path) == 'string' and path ~= '' and path or nil
end

local function record_inline(bufnr)
  local pending = inline[bufnr]
  inline[bufnr] = nil
  if pending then
    edits.record_since(pending.snap, { kind = 'chat-insert', tool = M.TOOL, model = pending.model })
  end
end

--- Wrap Inline.reset of the loaded inline module (once).
local function wrap_inline()
  for _, name in ipairs(M.INLINE_MODULES) do
    local Inline = package.loaded[name]
    if type(Inline) == 'table' and type(Inline.reset) == 'function' and not reset_originals[Inline.reset] then
      local original = Inline.reset
      local function reset(self, ...)
        local results = vim.F.pack_len(pcall(original, self, ...))
        pcall(function()
          record_inline(self.buffer_context.bufnr)
        end)
        if not results[1] then
          error(results[2], 0)
        end
        return unpack(results, 2, results.n)
      end
      reset_originals[reset] = original
      Inline.reset = reset
    end
  end
end

M.handlers = {}

function M.handlers.RequestStarted(d)
  local model = M.model_of(d.adapter)
  if d.bufnr then
    models[d.bufnr] = model
  end
  if d.interaction == 'inline' then
    local bufnr = (type(d.buffer_context) == 'table' and d.buffer_context.bufnr) or d.bufnr
    local snap = edits.snapshot_buffer(bufnr)
    if snap then
      inline[bufnr] = { snap = snap, model = model }
    end
    wrap_inline()
  end
end

function M.handlers.ChatAdapter(d)
  if d.bufnr then
    models[d.bufnr] = M.model_of(d.adapter)
  end
end

function M.handlers.ChatModel(d)
  if d.bufnr and d.model then
    local previous = models[d.bufnr] or {}
    models[d.bufnr] = M.model_of(d.adapter or { name = previous.provider }, d.model)
  end
end

function M.handlers.ToolStarted(d)
  local path = target(d.args)
  if path then
    local snap = edits.snapshot(path)
    tool_edits[snap.path] = { snap = snap, model = models[d.bufnr] }
  end
end

function M.handlers.FileEdited(d)
  if type(d.path) ~= 'string' then
    return
  end
  local key = edits.normalize(d.path)
  local pending = tool_edits[key]
  tool_edits[key] = nil
  if pending then
    edits.record_since(pending.snap, { kind = 'agent-edit', tool = M.TOOL, model = pending.model })
  end
end

function M.handlers.ToolFinished(d)
  local path = target(d.args)
  if path then
    tool_edits[edits.normalize(path)] = nil
  end
end

function M.handlers.DiffAccepted(d)
  if d.bufnr then
    record_inline(d.bufnr)
  end
end

function M.handlers.DiffRejected(d)
  if d.bufnr then
    inline[d.bufnr] = nil
  end
end

--- Is codecompanion.nvim installed (on the runtimepath or loaded)?
function M.present()
  return package.loaded.codecompanion ~= nil or #vim.api.nvim_get_runtime_file('lua/codecompanion/init.lua', false) > 0
end

--- Listen to codecompanion's events. Returns whether it is installed.
function M.install()
  if not M.present() then
    return false
  end
  local group = vim.api.nvim_create_augroup('ailedger.codecompanion', { clear = true })
  for name, handler in pairs(M.handlers) do
    vim.api.nvim_create_autocmd('User', {
      group = group,
      pattern = 'CodeCompanion' .. name,
      desc = 'ailedger: record codecompanion.nvim edits',
      callback = function(ev)
        local ok, err = pcall(handler, type(ev.data) == 'table' and ev.data or {})
        if not ok then
          require('ailedger.record').warn('internal error in the codecompanion.nvim integration: ' .. tostring(err))
        end
      end,
    })
  end
  wrap_inline()
  return true
end

return M
