--- Telling the ailedger language server that AI text landed.
---
--- Everything here is best effort and runs after the user's edit is already
--- in the buffer: a missing, starting, crashed or slow server costs a single
--- notification, never the edit. Requests are fire-and-forget.
local config = require('ailedger.config')
local diff = require('ailedger.diff')

local M = {}

M.METHOD = 'ailedger/recordAcceptance'

local warned = false

--- Tell the user once per session that acceptances are not being recorded.
--- @param msg string
function M.warn(msg)
  if warned then
    return
  end
  warned = true
  vim.schedule(function()
    vim.notify('ailedger: ' .. msg, vim.log.levels.WARN)
  end)
end

--- The ailedger client attached to a buffer, if it is up.
--- @param bufnr integer
--- @return vim.lsp.Client?
function M.client(bufnr)
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = bufnr, name = 'ailedger' })) do
    if not client:is_stopped() then
      return client
    end
  end
end

local function now_rfc3339()
  local sec, usec = vim.uv.gettimeofday()
  return os.date('!%Y-%m-%dT%H:%M:%S', sec) .. ('.%03dZ'):format(math.floor(usec / 1000))
end

--- A 0-based (row, byte col) of the buffer as an LSP position in `encoding`.
local function lsp_position(bufnr, row, col, encoding)
  local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
  return { line = row, character = vim.str_utfindex(line, encoding, math.min(col, #line), false) }
end

--- @class ailedger.Accepted
--- @field bufnr integer
--- @field start {row: integer, col: integer} where the accepted text starts (0-based, bytes)
--- @field end_ {row: integer, col: integer} where it ends, after insertion
--- @field text string the accepted text, exactly as it is in the buffer
--- @field kind string inline | partial-inline | next-edit | chat-insert | agent-edit
--- @field tool? {name: string, version?: string} used when setup() names no tool
--- @field model? table used when setup() names no model
--- @field prompt? string the user's prompt, where the plugin reports it (the server applies the retention policy)
--- @field item_id? string

--- The params of ailedger/recordAcceptance for text now in the buffer.
--- @param a ailedger.Accepted
--- @param encoding string the ailedger client's offset encoding
function M.params(a, encoding)
  local opts = config.current
  local tool = opts.tool or a.tool or { name = 'nvim' }
  local model = opts.model or a.model
  return {
    textDocument = { uri = vim.uri_from_bufnr(a.bufnr), version = vim.lsp.util.buf_versions[a.bufnr] },
    range = {
      start = lsp_position(a.bufnr, a.start.row, a.start.col, encoding),
      ['end'] = lsp_position(a.bufnr, a.end_.row, a.end_.col, encoding),
    },
    text = a.text,
    kind = a.kind,
    tool = tool,
    model = model or vim.NIL,
    prompt = a.prompt or vim.NIL,
    parameters = vim.NIL,
    itemId = a.item_id,
    acceptedAt = now_rfc3339(),
  }
end

local function announce(data)
  pcall(vim.api.nvim_exec_autocmds, 'User', { pattern = 'AiLedgerRecorded', modeline = false, data = data })
end

local function send(a)
  if a.text == '' then
    return
  end
  local client = M.client(a.bufnr)
  if not client then
    M.warn('the ailedger language server is not running for this buffer; AI acceptances are not recorded'
      .. ' (see :checkhealth ailedger)')
    announce({ bufnr = a.bufnr, error = 'no ailedger client' })
    return
  end
  local params = M.params(a, client.offset_encoding or 'utf-16')
  -- Passing bufnr flushes the pending didChange first; the server also holds
  -- the request until it has the version named in the params.
  local sent = client:request(M.METHOD, params, function(err, result)
    if err then
      M.warn(('could not record an AI acceptance: %s'):format(err.message or vim.inspect(err)))
    end
    announce({ bufnr = a.bufnr, params = params, result = result, error = err and (err.message or err) or nil })
  end, a.bufnr)
  if not sent then
    M.warn('the ailedger language server has stopped; AI acceptances are not recorded')
    announce({ bufnr = a.bufnr, params = params, error = 'client stopped' })
  end
end

--- Record accepted text that is already in the buffer. Never raises.
--- @param a ailedger.Accepted
function M.accepted(a)
  local ok, err = pcall(send, a)
  if not ok then
    M.warn('internal error while recording an AI acceptance: ' .. tostring(err))
  end
end

--- A buffer's lines, its changedtick and the cursor, before an accept.
--- @param bufnr integer
function M.snapshot(bufnr)
  local cursor = { 0, 0 }
  if vim.api.nvim_get_current_buf() == bufnr then
    cursor = vim.api.nvim_win_get_cursor(0)
  end
  return {
    bufnr = bufnr,
    tick = vim.api.nvim_buf_get_changedtick(bufnr),
    lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false),
    cursor = { row = cursor[1] - 1, col = cursor[2] },
  }
end

--- Record what changed since `snap` as accepted text. Never raises.
--- @param snap table from M.snapshot
--- @param meta {kind: string, tool?: table, model?: table}
--- @return boolean changed whether the buffer had changed
function M.since(snap, meta)
  local ok, changed = pcall(function()
    if not vim.api.nvim_buf_is_valid(snap.bufnr) or vim.api.nvim_buf_get_changedtick(snap.bufnr) == snap.tick then
      return false
    end
    local after = vim.api.nvim_buf_get_lines(snap.bufnr, 0, -1, false)
    local change = diff.change(snap.lines, after, snap.cursor)
    if change and change.text ~= '' then
      send({
        bufnr = snap.bufnr, start = change.start, end_ = change.new_end, text = change.text,
        kind = meta.kind, tool = meta.tool, model = meta.model,
      })
    end
    return true
  end)
  if not ok then
    M.warn('internal error while recording an AI acceptance: ' .. tostring(changed))
    return true
  end
  return changed
end

--- After an accept that edits the buffer now or in a scheduled callback (or
--- returns keys that Neovim types next), record what it inserted. Tries a few
--- event-loop turns, then gives up quietly: no change means nothing accepted.
--- @param snap table from M.snapshot
--- @param meta {kind: string, tool?: table, model?: table}
function M.after(snap, meta)
  local tries = 0
  local function check()
    tries = tries + 1
    if not M.since(snap, meta) and tries < 4 then
      vim.schedule(check)
    end
  end
  vim.schedule(check)
end

return M
