-- Stand-in for supermaven-inc/supermaven-nvim's
-- `supermaven-nvim.completion_preview` (test only; read at commit 07d20fc):
-- same functions and data shapes, no Supermaven binary. The suggestion on
-- screen is `inlay_instance = {completion_text, prior_delete, is_active,
-- buffer, line_before_cursor, line_after_cursor}`, `completion_text` being
-- the text to put at the cursor. on_accept_suggestion(is_partial) takes the
-- text (to the next word when partial: util.to_next_word), disposes the
-- inlay, feeds "<Space><Left><Del>", replaces from the cursor (less
-- prior_delete) to col("$") with apply_text_edits(..., "utf-8") and moves the
-- cursor; with nothing to accept it feeds <Tab>.
-- on_accept_suggestion_word() calls CompletionPreview.on_accept_suggestion(true).
local CompletionPreview = { inlay_instance = nil }

--- Test hook: what render_with_inlay stores for a suggestion.
function CompletionPreview._show(completion_text, prior_delete)
  local line = vim.api.nvim_get_current_line()
  local col = vim.api.nvim_win_get_cursor(0)[2]
  CompletionPreview.inlay_instance = {
    prior_delete = prior_delete or 0,
    buffer = vim.api.nvim_get_current_buf(),
    completion_text = completion_text,
    is_active = true,
    line_before_cursor = line:sub(1, col),
    line_after_cursor = line:sub(col + 1),
    is_floating = false,
  }
end

function CompletionPreview:dispose_inlay()
  self.inlay_instance = nil
end

local function to_next_word(str)
  return str:match('^.-[%a%d_]+') or str
end

function CompletionPreview:accept_completion_text(is_partial)
  local current = self.inlay_instance
  if current == nil then
    return nil
  end
  local completion_text = current.completion_text
  CompletionPreview:dispose_inlay()
  if completion_text ~= nil then
    if is_partial then
      completion_text = to_next_word(completion_text)
    end
    return { completion_text = completion_text, prior_delete = current.prior_delete, is_active = current.is_active }
  end
end

function CompletionPreview.on_accept_suggestion(is_partial)
  local accept = CompletionPreview:accept_completion_text(is_partial)
  if accept ~= nil and accept.is_active then
    local text = accept.completion_text
    local cursor = vim.api.nvim_win_get_cursor(0)
    local range = {
      start = { line = cursor[1] - 1, character = math.max(cursor[2] - accept.prior_delete, 0) },
      ['end'] = { line = cursor[1] - 1, character = vim.fn.col('$') },
    }
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Space><Left><Del>', true, false, true), 'n', false)
    vim.lsp.util.apply_text_edits({ { range = range, newText = text } }, vim.api.nvim_get_current_buf(), 'utf-8')
    local _, newlines = text:gsub('\n', '')
    local last_line = text:match('[^\n]*$')
    vim.api.nvim_win_set_cursor(0, { cursor[1] + newlines, cursor[2] + #last_line + 1 })
  else
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Tab>', true, false, true), 'n', true)
  end
end

function CompletionPreview.on_accept_suggestion_word()
  CompletionPreview.on_accept_suggestion(true)
end

function CompletionPreview.on_dispose_inlay()
  CompletionPreview:dispose_inlay()
end

function CompletionPreview.has_suggestion()
  local i = CompletionPreview.inlay_instance
  return i ~= nil and i.is_active and i.completion_text ~= nil and i.completion_text ~= ''
end

return CompletionPreview
