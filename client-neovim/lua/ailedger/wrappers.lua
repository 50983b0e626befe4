--- Recording what AI plugins with their own accept functions insert.
---
--- These plugins insert the text themselves (now, in a scheduled callback,
--- or as keys returned from an <expr> mapping), so the wrapper snapshots the
--- buffer before calling the plugin's own accept and records the difference
--- afterwards (ailedger.diff). The plugin's function is always called exactly
--- as it would be without ailedger, with the same arguments, and its result is
--- returned unchanged: recording can fail, the edit cannot.
---
--- A plugin that is not installed is left alone; a wrapper for it does nothing.
local record = require('ailedger.record')

local M = {}

--- @class ailedger.Target
--- @field name string the plugin, as users know it (also the default tool name)
--- @field module string the Lua module holding the accept functions
--- @field fns table<string, string|fun(...): string> accept function -> kind (or a function of its arguments)
--- @field visible fun(mod: table): boolean is a suggestion on screen (accept would insert it)

--- @type ailedger.Target[]
M.targets = {
  {
    name = 'copilot.lua',
    module = 'copilot.suggestion',
    fns = { accept = 'inline', accept_word = 'partial-inline', accept_line = 'partial-inline' },
    visible = function(mod)
      return mod.is_visible()
    end,
  },
  {
    name = 'windsurf.nvim',
    module = 'codeium.virtual_text',
    fns = { accept = 'inline', accept_next_word = 'partial-inline', accept_next_line = 'partial-inline' },
    visible = function(mod)
      return mod.get_current_completion_item() ~= nil
    end,
  },
  {
    name = 'supermaven-nvim',
    module = 'supermaven-nvim.completion_preview',
    fns = {
      on_accept_suggestion = function(is_partial)
        return is_partial and 'partial-inline' or 'inline'
      end,
      on_accept_suggestion_word = 'partial-inline',
    },
    visible = function(mod)
      return mod.has_suggestion()
    end,
  },
}

--- Accept functions already replaced: wrapper -> original (so setup() can run twice).
local originals = setmetatable({}, { __mode = 'k' })

--- Nested accepts (supermaven's accept_word calls its accept) record once.
local depth = 0

--- Is a suggestion showing? A predicate that fails means "do not record".
local function showing(target, mod)
  if not target.visible then
    return true
  end
  local ok, yes = pcall(target.visible, mod)
  return ok and yes and true or false
end

--- Wrap one accept function.
--- @param target ailedger.Target
--- @param mod table
--- @param original function
--- @param kind string|fun(...): string
function M.wrap(target, mod, original, kind)
  local wrapper
  wrapper = function(...)
    if depth > 0 then
      return original(...)
    end
    local snap, meta
    local ok = pcall(function(...)
      if showing(target, mod) then
        local bufnr = vim.api.nvim_get_current_buf()
        snap = record.snapshot(bufnr)
        meta = { kind = type(kind) == 'function' and kind(...) or kind, tool = { name = target.name } }
      end
    end, ...)
    if not ok then
      snap = nil
    end
    depth = depth + 1
    local results = vim.F.pack_len(pcall(original, ...))
    depth = depth - 1
    if snap then
      record.after(snap, meta)
    end
    if not results[1] then
      error(results[2], 0)
    end
    return unpack(results, 2, results.n)
  end
  originals[wrapper] = original
  return wrapper
end

--- Put the wrapper in place of the original in insert-mode mappings that
--- hold the function itself (plugins that map `M.accept` directly).
local function rebind(original, wrapper)
  for _, map in ipairs(vim.api.nvim_get_keymap('i')) do
    if map.callback == original then
      vim.api.nvim_set_keymap('i', map.lhs, '', {
        callback = wrapper,
        expr = map.expr == 1,
        silent = map.silent == 1,
        nowait = map.nowait == 1,
        script = map.script == 1,
        noremap = map.noremap == 1,
        replace_keycodes = map.replace_keycodes == 1,
        desc = map.desc,
      })
    end
  end
end

--- Wrap the accept functions of a loaded plugin. Returns whether it was found.
--- @param target ailedger.Target
function M.install(target)
  local found, mod = pcall(require, target.module)
  if not found or type(mod) ~= 'table' then
    return false
  end
  for fname, kind in pairs(target.fns) do
    local current = mod[fname]
    if type(current) == 'function' and not originals[current] then
      local wrapper = M.wrap(target, mod, current, kind)
      mod[fname] = wrapper
      rebind(current, wrapper)
    end
  end
  return true
end

-- copilot.vim -------------------------------------------------------------

--- Is copilot.vim installed (its autoload script on the runtimepath)?
function M.copilot_vim_present()
  return vim.g.loaded_copilot ~= nil or #vim.api.nvim_get_runtime_file('autoload/copilot.vim', false) > 0
end

local function copilot_vim_showing()
  local ok, s = pcall(vim.fn['copilot#GetDisplayedSuggestion'])
  return ok and type(s) == 'table' and type(s.text) == 'string' and s.text ~= ''
end

--- copilot.vim's `copilot#{name}(...)` (Accept, AcceptWord, AcceptLine) for
--- an <expr> mapping: returns the keys it returns, and records what they
--- insert once Neovim has typed them. Without copilot.vim, returns the
--- fallback (the first argument, if a string) so the key still does its job.
---   imap <silent><script><expr> <Tab> v:lua.require'ailedger.wrappers'.copilot_vim('Accept', "\t")
--- @param name? string Accept | AcceptWord | AcceptLine
--- @return string keys
function M.copilot_vim(name, ...)
  name = name or 'Accept'
  if not M.copilot_vim_present() then
    local fallback = ...
    return type(fallback) == 'string' and fallback or ''
  end
  local snap, meta
  pcall(function()
    if copilot_vim_showing() then
      snap = record.snapshot(vim.api.nvim_get_current_buf())
      meta = { kind = name == 'Accept' and 'inline' or 'partial-inline', tool = { name = 'copilot.vim' } }
    end
  end)
  local keys = vim.fn['copilot#' .. name](...)
  if snap then
    -- Keys returned from an <expr> mapping are typed before scheduled callbacks run.
    record.after(snap, meta)
  end
  return keys
end

--- Point copilot.vim's own insert-mode mappings (<Tab>, <Plug>(copilot-accept-*))
--- at M.copilot_vim, keeping their flags.
function M.install_copilot_vim()
  if not M.copilot_vim_present() then
    return false
  end
  for _, map in ipairs(vim.api.nvim_get_keymap('i')) do
    local rhs = map.rhs
    if map.expr == 1 and type(rhs) == 'string' and rhs:find('copilot#Accept', 1, true)
      and not rhs:find('ailedger', 1, true) and not rhs:find('<SID>', 1, true) and not rhs:find('<SNR>', 1, true) then
      local new = rhs:gsub('copilot#(Accept%w*)%(%s*%)', "v:lua.require'ailedger.wrappers'.copilot_vim('%1')")
        :gsub('copilot#(Accept%w*)%(', "v:lua.require'ailedger.wrappers'.copilot_vim('%1', ")
      vim.api.nvim_set_keymap('i', map.lhs, new, {
        expr = true,
        silent = map.silent == 1,
        nowait = map.nowait == 1,
        script = map.script == 1,
        noremap = map.noremap == 1,
        replace_keycodes = map.replace_keycodes == 1,
        desc = map.desc,
      })
    end
  end
  return true
end

--- Wrap every enabled plugin that is loaded; returns the names found.
--- @param enabled table<string, boolean>
--- @return string[]
function M.install_all(enabled)
  local found = {}
  for _, target in ipairs(M.targets) do
    if enabled[target.name] ~= false and M.install(target) then
      found[#found + 1] = target.name
    end
  end
  if enabled['copilot.vim'] ~= false and M.install_copilot_vim() then
    found[#found + 1] = 'copilot.vim'
  end
  for _, integration in ipairs(M.integrations()) do
    if enabled[integration.name] ~= false and integration.install() then
      found[#found + 1] = integration.name
    end
  end
  return found
end

--- Chat and agent plugins, hooked through their events (one module each).
function M.integrations()
  return { require('ailedger.codecompanion'), require('ailedger.avante') }
end

--- Which AI plugins are installed (for :checkhealth), without loading them.
--- @return table<string, boolean>
function M.detect()
  local out = {}
  for _, target in ipairs(M.targets) do
    local file = 'lua/' .. target.module:gsub('%.', '/') .. '.lua'
    out[target.name] = package.loaded[target.module] ~= nil or #vim.api.nvim_get_runtime_file(file, false) > 0
  end
  out['copilot.vim'] = M.copilot_vim_present()
  for _, integration in ipairs(M.integrations()) do
    out[integration.name] = integration.present()
  end
  return out
end

return M
