--- Where ailedger is blind in this editor (for :checkhealth ailedger): which
--- capture integrations are active, which AI plugins are installed without
--- one, and what the server's `ailedger hooks status --json` says about the
--- agents outside the editor.
local M = {}

--- AI plugins ailedger has no integration for: {name, file on the runtimepath, what it does}.
M.UNHOOKED = {
  { name = 'CopilotChat.nvim', file = 'lua/CopilotChat/init.lua', what = 'chat answers applied to buffers' },
  { name = 'copilot-cmp', file = 'lua/copilot_cmp/init.lua', what = 'Copilot completions through nvim-cmp' },
  { name = 'blink-cmp-copilot', file = 'lua/blink-cmp-copilot/init.lua', what = 'Copilot completions through blink.cmp' },
  { name = 'codeium.vim', file = 'autoload/codeium.vim', what = 'Windsurf/Codeium completions (Vim script plugin)' },
  { name = 'neocodeium', file = 'lua/neocodeium/init.lua', what = 'Windsurf/Codeium completions' },
  { name = 'minuet-ai.nvim', file = 'lua/minuet/init.lua', what = 'LLM completions' },
  { name = 'tabnine-nvim', file = 'lua/tabnine/init.lua', what = 'Tabnine completions' },
  { name = 'llm.nvim', file = 'lua/llm/init.lua', what = 'LLM completions' },
  { name = 'cmp-ai', file = 'lua/cmp_ai/init.lua', what = 'LLM completions through nvim-cmp' },
  { name = 'gp.nvim', file = 'lua/gp/init.lua', what = 'chat and rewrites' },
  { name = 'ChatGPT.nvim', file = 'lua/chatgpt/init.lua', what = 'chat and edits' },
  { name = 'parrot.nvim', file = 'lua/parrot/init.lua', what = 'chat and rewrites' },
  { name = 'sidekick.nvim', file = 'lua/sidekick/init.lua', what = 'next edit suggestions' },
  { name = 'claudecode.nvim', file = 'lua/claudecode/init.lua', what = 'Claude Code diffs (its own hooks can record them: ailedger hooks install)' },
}

--- Installed AI plugins without an ailedger integration.
--- @return {name: string, what: string}[]
function M.unhooked()
  local out = {}
  for _, p in ipairs(M.UNHOOKED) do
    if #vim.api.nvim_get_runtime_file(p.file, false) > 0 then
      out[#out + 1] = p
    end
  end
  return out
end

--- Is any part of v a "yes" (true, a non-empty name, a table holding one)?
local function yes(v)
  if type(v) == 'boolean' then
    return v
  elseif type(v) == 'string' then
    return v ~= '' and not vim.tbl_contains({ 'no', 'none', 'false', 'off', 'missing', 'absent' }, v:lower())
  elseif type(v) == 'table' then
    for _, x in pairs(v) do
      if yes(x) then
        return true
      end
    end
  end
  return false
end

local function first(e, keys)
  for _, k in ipairs(keys) do
    if e[k] ~= nil and e[k] ~= vim.NIL then
      return e[k]
    end
  end
end

--- One tool of `hooks status --json`, read loosely (the field names are the
--- server's; unknown ones are ignored).
--- @return {name: string, present: boolean, hooked: boolean, where: string[], flag?: string, last?: string}
function M.tool_status(e, key)
  local where = {}
  for _, k in ipairs({ 'project', 'repo', 'repository', 'user' }) do
    local v = e[k]
    if v == nil and (k == 'project' or k == 'user') then
      v = e[k .. 'Hook'] -- the server's own names: projectHook, userHook
    end
    if v == nil and type(e.installed) == 'table' then
      v = e.installed[k]
    end
    if v == nil and type(e.hook) == 'table' then
      v = e.hook[k]
    end
    if v ~= nil and yes(v) then
      where[#where + 1] = k
    end
  end
  local h = first(e, { 'installed', 'hooked', 'hook' })
  local hooked = #where > 0 or (type(h) ~= 'table' and yes(h))
  local flag = first(e, { 'flagOff', 'flag_off', 'needsFlag', 'needs' })
  local last = first(e, { 'lastRecorded', 'last_recorded', 'lastRecordedAt', 'last' })
  local present = first(e, { 'present', 'found', 'detected' })
  return {
    name = tostring(first(e, { 'name', 'tool', 'id' }) or key),
    present = present == nil or yes(present),
    hooked = hooked,
    where = where,
    flag = flag ~= nil and flag ~= false and (type(flag) == 'string' and flag or vim.json.encode(flag)) or nil,
    last = type(last) == 'string' and last or nil,
  }
end

--- The tools in `hooks status --json`'s output: a list, {tools = list}, or {name = entry}.
function M.parse_status(text)
  local ok, data = pcall(vim.json.decode, text, { luanil = { object = true, array = true } })
  if not ok or type(data) ~= 'table' then
    return nil, 'not JSON'
  end
  local list = data.tools or data.agents or data
  local out = {}
  if vim.islist(list) then
    for _, e in ipairs(list) do
      if type(e) == 'table' then
        out[#out + 1] = M.tool_status(e)
      end
    end
  else
    for key, e in vim.spairs(list) do
      if type(e) == 'table' then
        out[#out + 1] = M.tool_status(e, key)
      end
    end
  end
  return out
end

--- Run `EXE hooks status --json` in dir. Returns tools, or nil and why not.
function M.hooks_status(exe, dir)
  local ok, out = pcall(function()
    return vim.system({ exe, 'hooks', 'status', '--json' }, { text = true, cwd = dir }):wait(10000)
  end)
  if not ok then
    return nil, tostring(out)
  end
  if out.code ~= 0 then
    local err = vim.trim(out.stderr or '')
    if err:find('invalid choice', 1, true) or err:find('usage:', 1, true) then
      return nil, 'absent'
    end
    return nil, ('exited %s: %s'):format(tostring(out.code), err:match('[^\n]*$') or '')
  end
  return M.parse_status(out.stdout or '')
end

--- The health report's sections on capture.
--- @param health table vim.health
--- @param exe string? the ailedger executable, if found
function M.check(health, exe)
  local config = require('ailedger.config').current
  local wrappers = require('ailedger.wrappers')
  health.start('Capture in this editor (what ailedger records, and where it is blind)')

  local inline = {}
  for _, client in ipairs(vim.lsp.get_clients()) do
    if client:supports_method('textDocument/inlineCompletion') then
      inline[#inline + 1] = client.name
    end
  end
  if #inline > 0 then
    health.ok('built-in inline completion from ' .. table.concat(inline, ', ')
      .. ': recorded when accepted with require("ailedger").accept_inline()',
      { 'an accept through vim.lsp.inline_completion.get() is not recorded: map accept_inline() instead (README)' })
  elseif vim.fn.has('nvim-0.12') == 1 then
    health.info('built-in inline completion: no running language server offers it')
  end

  local wrapped = require('ailedger').wrapped or {}
  for name, present in vim.spairs(wrappers.detect()) do
    if not present then
      health.info(name .. ': not installed')
    elseif vim.list_contains(wrapped, name) then
      health.ok(name .. ': hooked, what it inserts is recorded')
    elseif (config.wrap or {})[name] == false then
      health.warn(name .. ': installed, turned off in setup({ wrap = ... }): what it inserts is NOT recorded')
    else
      health.warn(name .. ': installed but not hooked: what it inserts is NOT recorded',
        { 'call require("ailedger").setup() (or require("ailedger").wrap()) after the plugin has loaded' })
    end
  end
  for _, p in ipairs(M.unhooked()) do
    health.warn(('%s: installed, no ailedger integration: its %s are NOT recorded'):format(p.name, p.what))
  end

  health.start('Agents outside the editor (ailedger hooks status)')
  if not exe then
    health.warn('ailedger not found: agents\' hooks not checked')
    return
  end
  local client = vim.lsp.get_clients({ name = 'ailedger' })[1]
  local dir = client and client.root_dir or vim.fn.getcwd()
  local tools, why = M.hooks_status(exe, dir)
  if not tools then
    if why == 'absent' then
      health.info('this ailedger has no `hooks status`: agents\' hooks not checked (upgrade ailedger)')
    else
      health.warn('`ailedger hooks status --json` failed: ' .. tostring(why))
    end
    return
  end
  local absent = {}
  for _, t in ipairs(tools) do
    if not t.present then
      absent[#absent + 1] = t.name
    elseif t.flag then
      health.warn(('%s: hook installed but a setting it needs is off: %s'):format(t.name, t.flag))
    elseif t.hooked then
      health.ok(('%s: hook installed (%s)%s'):format(t.name, #t.where > 0 and table.concat(t.where, ', ') or 'yes',
        t.last and (', last recorded ' .. t.last) or ', nothing recorded yet'))
    else
      health.warn(('%s: on this machine, no hook: its edits are NOT recorded'):format(t.name),
        { ('ailedger hooks install %s'):format(t.name) })
    end
  end
  if #absent > 0 then
    health.info('not on this machine: ' .. table.concat(absent, ', '))
  end
end

return M
