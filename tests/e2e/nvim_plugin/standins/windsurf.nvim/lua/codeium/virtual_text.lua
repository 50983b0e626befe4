-- Stand-in for Exafunction/windsurf.nvim's `codeium.virtual_text` (test only;
-- read at commit 821b570, lua/codeium/virtual_text.lua): same functions and
-- data shapes, no Codeium server. A completion item is what the language
-- server sends: {completion = {completionId, text}, range = {startOffset,
-- endOffset} (byte offsets, int64 as strings), suffix = {text,
-- deltaCursorOffset}, completionParts = {{type, text, prefix, line}}}, where
-- `completion.text` replaces the range (from the start of the line). The
-- accept functions are <expr> mappings: they return the keys that delete the
-- range (' <Esc>"_x0"_d{n}li') and insert the text through
-- `<C-R><C-O>=v:lua.require("codeium.virtual_text").get_completion_text()`.
local M = {}

local completions -- {items, index}
local server

M.accepted = {} -- completion ids the stand-in server was told about

function M.setup(_server, key_bindings)
  server = _server
  if key_bindings.accept then
    vim.keymap.set('i', key_bindings.accept, M.accept, { silent = true, expr = true, script = true, nowait = true })
  end
  if key_bindings.accept_word then
    vim.keymap.set('i', key_bindings.accept_word, M.accept_next_word, { silent = true, expr = true, script = true, nowait = true })
  end
  if key_bindings.accept_line then
    vim.keymap.set('i', key_bindings.accept_line, M.accept_next_line, { silent = true, expr = true, script = true, nowait = true })
  end
end

--- Test hook: the server's completionItems (handle_completions).
function M.handle_completions(items)
  completions = { items = items, index = 0 }
end

function M.get_completion_text()
  local text = M.completion_text
  M.completion_text = nil
  return text or ''
end

local function completion_inserter(current_completion, insert_text)
  local default = vim.fn.pumvisible() == 1 and '<C-N>' or '\t'
  if not vim.fn.mode():match('^[iR]') or current_completion == nil then
    return default
  end
  local range = current_completion.range
  local suffix = current_completion.suffix or {}
  local delta = suffix.deltaCursorOffset or 0
  local text = insert_text .. (suffix.text or '')
  if text == '' then
    return default
  end
  local delete_range = ''
  local delete_bytes = (range.endOffset or 0) - (range.startOffset or 0)
  if delete_bytes > 0 then
    local delete_chars = vim.fn.strchars(vim.fn.strpart(vim.fn.getline('.'), 0, delete_bytes))
    delete_range = ' <Esc>"_x0"_d' .. delete_chars .. 'li'
  end
  M.completion_text = text
  local cursor_text = delta == 0 and '' or ('<C-O>:exe "go" line2byte(line("."))+col(".")+(' .. delta .. ')<CR>')
  server:accept_completion(current_completion.completion.completionId)
  completions = nil -- (the real InsertLeave from <Esc> clears them)
  return '<C-g>u' .. delete_range .. '<C-R><C-O>=v:lua.require("codeium.virtual_text").get_completion_text()<CR>' .. cursor_text
end

function M.accept()
  local current = M.get_current_completion_item()
  return completion_inserter(current, current and current.completion.text or '')
end

function M.accept_next_word()
  local current = M.get_current_completion_item()
  local parts = current and (current.completionParts or {}) or {}
  if #parts == 0 then
    return ''
  end
  local next_word = (parts[1].text or ''):match('^%W*%w*')
  return completion_inserter(current, (parts[1].prefix or '') .. next_word)
end

function M.accept_next_line()
  local current = M.get_current_completion_item()
  local text = current and current.completion.text:gsub('\n.*$', '') or ''
  return completion_inserter(current, text)
end

function M.get_current_completion_item()
  if completions and completions.items and completions.index and completions.index < #completions.items then
    return completions.items[completions.index + 1]
  end
  return nil
end

function M.clear()
  completions = nil
  return ''
end

return M
