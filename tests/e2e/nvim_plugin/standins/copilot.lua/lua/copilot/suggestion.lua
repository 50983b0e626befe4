-- Stand-in for zbirenbaum/copilot.lua's `copilot.suggestion` (test only):
-- same function names and data shapes, no Copilot. A suggestion is
-- {text, range = LSP range in UTF-16}, where `text` is the whole line from
-- range.start (character 0), as Copilot sends it. accept() inserts it the way
-- copilot.lua does: in a scheduled callback, after feeding the
-- "<Space><Left><Del>" autoindent hack, through apply_text_edits.
local M = {}

local current -- the suggestion on screen, or nil

--- Test hook: show a suggestion.
function M._set(suggestion)
  current = suggestion
end

function M.is_visible()
  return current ~= nil
end

function M.accept(modifier)
  local suggestion = current
  if not suggestion or suggestion.text == '' then
    return
  end
  suggestion = vim.deepcopy(suggestion)
  if type(modifier) == 'function' then
    suggestion = modifier(suggestion)
  end
  local accepted_partial = suggestion.partial_text and suggestion.partial_text ~= ''
  local new_text = accepted_partial and suggestion.partial_text or suggestion.text
  if not accepted_partial then
    current = nil
  end
  local range = suggestion.range
  local cursor = vim.api.nvim_win_get_cursor(0)
  if range['end'].line == cursor[1] - 1 and range['end'].character < cursor[2] then
    range['end'].character = cursor[2]
  end
  vim.schedule_wrap(function()
    vim.cmd('let &undolevels=&undolevels')
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Space><Left><Del>', true, false, true), 'n', false)
    local bufnr = vim.api.nvim_get_current_buf()
    local lines = vim.split(new_text, '\n', { plain = true })
    local last_col = #lines[#lines]
    if last_col == 0 then
      new_text = new_text .. '\n'
    end
    vim.lsp.util.apply_text_edits({ { range = range, newText = new_text } }, bufnr, 'utf-8')
    -- (copilot.lua's ranges start at column 0, so its cursor column is last_col.)
    local col = (#lines == 1 and range.start.character or 0) + last_col
    vim.api.nvim_win_set_cursor(0, { range.start.line + #lines, col })
    if accepted_partial then
      current.text = current.text:sub(#suggestion.partial_text + 1)
      current.range = { start = { line = range.start.line, character = col },
        ['end'] = { line = range.start.line, character = col } }
    end
  end)()
end

function M.accept_word()
  M.accept(function(suggestion)
    local character = vim.api.nvim_win_get_cursor(0)[2]
    local _, char_idx = string.find(suggestion.text, '%s*%p*[^%s%p]*%s*', character + 1)
    if char_idx then
      suggestion.partial_text = string.sub(suggestion.text, 1, char_idx)
    end
    suggestion.range['end'].line = suggestion.range.start.line
    return suggestion
  end)
end

function M.accept_line()
  M.accept(function(suggestion)
    local _, char_idx = string.find(suggestion.text, '\n%s*', 1)
    if char_idx then
      suggestion.partial_text = string.sub(suggestion.text, 1, char_idx)
    end
    suggestion.range['end'].line = suggestion.range.start.line
    return suggestion
  end)
end

function M.dismiss()
  current = nil
end

--- As copilot.lua's setup maps its keys: accept through the module table,
--- accept_word / accept_line by function reference.
function M.setup(keymap)
  vim.keymap.set('i', keymap.accept, function()
    if M.is_visible() then
      M.accept()
    else
      vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keymap.accept, true, false, true), 'n', true)
    end
  end, { desc = '[copilot] accept suggestion', silent = true })
  vim.keymap.set('i', keymap.accept_word, M.accept_word, { desc = '[copilot] accept suggestion (word)', silent = true })
  vim.keymap.set('i', keymap.accept_line, M.accept_line, { desc = '[copilot] accept suggestion (line)', silent = true })
end

return M
