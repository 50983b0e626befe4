--- Accepting Neovim's built-in LSP inline completion (0.12) and recording it.
---
--- `vim.lsp.inline_completion.get({ on_accept = fn })` hands the item to fn
--- and then neither inserts it nor runs its command, so this does both the
--- way Neovim's own accept does, then records the text it inserted.
local record = require('ailedger.record')

local M = {}

--- Snippet text as the plain text it expands to ("snippets as plain text").
--- @param value string
local function snippet_text(value)
  local ok, grammar = pcall(require, 'vim.lsp._snippet_grammar')
  if ok then
    local parsed_ok, parsed = pcall(grammar.parse, value)
    if parsed_ok then
      return tostring(parsed)
    end
  end
  return value
end

--- Insert the item as Neovim's inline completion accept does; returns where
--- the text landed, or nil when it was pasted at the cursor.
--- @param bufnr integer
--- @param item vim.lsp.inline_completion.Item
local function insert(bufnr, item)
  local text = item.insert_text
  if type(text) ~= 'string' then
    text = snippet_text(text.value)
  end
  local range = item.range
  if not range then
    local snap = record.snapshot(bufnr)
    vim.api.nvim_paste(text, false, -1)
    return nil, text, snap
  end
  local finish = range.end_ or range['end']
  local lines = vim.split(text, '\n', { plain = true })
  vim.api.nvim_buf_set_text(bufnr, range.start.row, range.start.col, finish.row, finish.col, lines)
  local winid = vim.fn.bufwinid(bufnr)
  if winid ~= -1 then
    vim.api.nvim_win_set_cursor(winid, {
      range.start.row + #lines,
      (#lines == 1 and range.start.col or 0) + #lines[#lines],
    })
  end
  return {
    start = { row = range.start.row, col = range.start.col },
    end_ = { row = range.start.row + #lines - 1, col = (#lines == 1 and range.start.col or 0) + #lines[#lines] },
  }, text
end

--- The on_accept handler: insert, run the item's command, record.
--- @param bufnr integer
--- @param item vim.lsp.inline_completion.Item
function M.on_accept(bufnr, item)
  local span, text, snap = insert(bufnr, item)

  local client = vim.lsp.get_client_by_id(item.client_id)
  -- Neovim runs the command *after* inserting.
  if item.command and client then
    client:exec_cmd(item.command, { bufnr = bufnr })
  end

  local ok, err = pcall(function()
    local tool = nil
    if client then
      tool = { name = client.name, version = client.server_info and client.server_info.version or nil }
    end
    if span then
      record.accepted({
        bufnr = bufnr, start = span.start, end_ = span.end_, text = text, kind = 'inline', tool = tool,
      })
    else
      record.since(snap, { kind = 'inline', tool = tool })
    end
  end)
  if not ok then
    record.warn('internal error while recording an AI acceptance: ' .. tostring(err))
  end
end

--- Accept the inline completion shown in the buffer, as
--- `vim.lsp.inline_completion.get()` would, and record it.
--- Returns false when there is nothing to accept (use it for a fallback key).
--- @param opts? {bufnr?: integer}
--- @return boolean
function M.accept(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or 0
  if bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  if not (vim.lsp.inline_completion and vim.lsp.inline_completion.get) then
    return false
  end
  return vim.lsp.inline_completion.get({
    bufnr = bufnr,
    on_accept = function(item)
      M.on_accept(bufnr, item)
    end,
  })
end

return M
