--- avante.nvim: records what its agent's edit tools and its "apply" of chat
--- code blocks write into your files.
---
--- Agentic mode (avante's default): every tool call goes through
--- `require("avante.llm_tools").process_tool_use(tools, tool_use, opts)`
--- (lua/avante/llm_tools/init.lua; called as `LLMTools.process_tool_use` from
--- lua/avante/llm.lua), with `tool_use = {id, name, input}` and the result
--- delivered by `opts.on_complete(result, err)` or returned. The edit tools
--- (`replace_in_file`, `str_replace`, `write_to_file`, `insert`, `create`,
--- `edit_file`, and `str_replace_editor` / `str_replace_based_edit_tool`
--- with a `command` other than view / undo_edit) take `input.path`. The
--- wrapper snapshots that file before the call and, when the tool completes
--- with no error (the user accepted its diff: replace_in_file.lua's confirm
--- writes the buffer, then `on_complete(true, nil)`), records each changed
--- range as `agent-edit`. A declined edit (avante restores the lines) or a
--- failed one records nothing; the streaming calls made while the model is
--- still generating (`opts.streaming`) only draw extmarks and are passed by.
---
--- Legacy mode: the sidebar's apply writes conflict blocks (`<<<<<<< HEAD`,
--- `=======`, `>>>>>>> Snippet`; sidebar.lua insert_conflict_contents) and
--- fires `User AvanteConflictDetected` for the buffer, then
--- `User AvanteConflictResolved` once the user chose (lua/avante/diff.lua
--- parse_buffer; no data, the current buffer is the one). The text before
--- the apply is the "ours" side of each block; what the user kept is recorded
--- as `chat-insert`.
---
--- The model: `require("avante.config").provider` and that provider's
--- `model` (config.lua get_provider_config). The prompt: the request of the
--- last `User AvanteInputSubmitted` / `AvanteEditSubmitted` {request}
--- (sidebar.lua, api.lua), which started the turn that made the edit.
local edits = require('ailedger.edits')

local M = {}

M.name = 'avante.nvim'
M.TOOL = { name = 'avante.nvim' }

M.EDIT_TOOLS = {
  replace_in_file = true, str_replace = true, write_to_file = true, insert = true, create = true,
  edit_file = true, str_replace_editor = true, str_replace_based_edit_tool = true,
}

local originals = setmetatable({}, { __mode = 'k' })
local conflicts = {} -- bufnr -> snapshot of the text before the apply
local prompt = nil -- the user's last request

local function meta(kind)
  return { kind = kind, tool = M.TOOL, model = M.model(), prompt = prompt }
end

--- avante's current provider and model, or nil.
function M.model()
  local ok, model = pcall(function()
    local config = require('avante.config')
    local provider = config.provider
    if type(provider) ~= 'string' then
      return nil
    end
    local conf = config.get_provider_config(provider)
    local id = type(conf) == 'table' and conf.model or nil
    return { provider = provider, id = type(id) == 'string' and id ~= '' and id or nil }
  end)
  return ok and model or nil
end

--- The file an edit tool call will change, absolute; nil for other calls.
local function target(tool_use)
  if type(tool_use) ~= 'table' or not M.EDIT_TOOLS[tool_use.name] or type(tool_use.input) ~= 'table' then
    return nil
  end
  local input = tool_use.input
  if input.command == 'view' or input.command == 'undo_edit' then
    return nil
  end
  if type(input.path) ~= 'string' or input.path == '' then
    return nil
  end
  local ok, abs = pcall(function()
    return require('avante.llm_tools.helpers').get_abs_path(input.path)
  end)
  return ok and type(abs) == 'string' and abs or input.path
end

--- The wrapper of process_tool_use: same arguments, same results.
local function wrap(original)
  local function process_tool_use(tools, tool_use, opts)
    local snap, info
    pcall(function()
      if type(opts) == 'table' and not opts.streaming then
        local path = target(tool_use)
        if path then
          snap = edits.snapshot(path)
          info = meta('agent-edit')
        end
      end
    end)
    if not snap then
      return original(tools, tool_use, opts)
    end
    local finished = false
    local function finish(err)
      if not finished then
        finished = true
        if err == nil then
          edits.record_since(snap, info)
        end
      end
    end
    local on_complete = opts.on_complete
    local our_opts = opts
    if on_complete then
      our_opts = vim.tbl_extend('force', {}, opts, {
        on_complete = function(result, err)
          pcall(finish, err)
          return on_complete(result, err)
        end,
      })
    end
    local result, err = original(tools, tool_use, our_opts)
    if result ~= nil or err ~= nil then
      pcall(finish, err)
    end
    return result, err
  end
  originals[process_tool_use] = original
  return process_tool_use
end

--- Wrap llm_tools.process_tool_use if avante has loaded it.
local function wrap_tools()
  local tools = package.loaded['avante.llm_tools']
  if type(tools) == 'table' and type(tools.process_tool_use) == 'function' and not originals[tools.process_tool_use] then
    tools.process_tool_use = wrap(tools.process_tool_use)
  end
end

--- The buffer as it was before avante's apply: each conflict block replaced
--- by its "ours" side (lua/avante/diff.lua detect_conflicts' markers).
--- @param lines string[]
--- @return string[]
function M.ours(lines)
  local out, state = {}, nil
  for _, line in ipairs(lines) do
    if line:match('^<<<<<<<') then
      state = 'ours'
    elseif state == 'ours' and line:match('^=======') then
      state = 'theirs'
    elseif state == 'theirs' and line:match('^>>>>>>>') then
      state = nil
    elseif state ~= 'theirs' then
      out[#out + 1] = line
    end
  end
  return out
end

local function on_conflict_detected(bufnr)
  if conflicts[bufnr] then
    return -- already holding the text from before this apply
  end
  local snap = edits.snapshot_buffer(bufnr)
  if snap then
    snap.lines = M.ours(snap.lines)
    conflicts[bufnr] = snap
  end
end

local function on_conflict_resolved(bufnr)
  local snap = conflicts[bufnr]
  conflicts[bufnr] = nil
  if snap then
    edits.record_since(snap, meta('chat-insert'))
  end
end

--- Is avante.nvim installed (on the runtimepath or loaded)?
function M.present()
  return package.loaded.avante ~= nil or #vim.api.nvim_get_runtime_file('lua/avante/init.lua', false) > 0
end

--- Hook avante: wrap its tool dispatcher (now if loaded, else when the user
--- first submits a request) and listen to its conflict events.
function M.install()
  if not M.present() then
    return false
  end
  local group = vim.api.nvim_create_augroup('ailedger.avante', { clear = true })
  local function on(pattern, fn)
    vim.api.nvim_create_autocmd('User', {
      group = group,
      pattern = pattern,
      desc = 'ailedger: record avante.nvim edits',
      callback = function(ev)
        local ok, err = pcall(fn, ev.buf, type(ev.data) == 'table' and ev.data or {})
        if not ok then
          require('ailedger.record').warn('internal error in the avante.nvim integration: ' .. tostring(err))
        end
      end,
    })
  end
  -- (api.lua / sidebar.lua fire these before the request that runs the tools.)
  local function submitted(_, data)
    prompt = type(data.request) == 'string' and data.request or nil
    wrap_tools()
  end
  on('AvanteInputSubmitted', submitted)
  on('AvanteEditSubmitted', submitted)
  on('AvanteConflictDetected', on_conflict_detected)
  on('AvanteConflictResolved', on_conflict_resolved)
  wrap_tools()
  return true
end

return M
