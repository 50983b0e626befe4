-- Stand-in for lua/avante/diff.lua (legacy mode's conflict view, test only):
-- process(bufnr) looks for `<<<<<<<` / `=======` / `>>>>>>>` blocks and fires
-- `User AvanteConflictDetected` or `User AvanteConflictResolved` (no data;
-- the buffer is the current one) when that changes; choose("theirs" |
-- "ours") resolves the block under the cursor as the real mappings ct / co
-- do, then process() again.
local M = {}

local had = {}

local function blocks(lines)
  local out, cur = {}, nil
  for i, line in ipairs(lines) do
    if line:match('^<<<<<<<') then
      cur = { start = i }
    elseif cur and line:match('^=======') then
      cur.middle = i
    elseif cur and cur.middle and line:match('^>>>>>>>') then
      cur.finish = i
      out[#out + 1], cur = cur, nil
    end
  end
  return out
end

function M.process(bufnr)
  local has = #blocks(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) > 0
  if had[bufnr] ~= has then
    had[bufnr] = has
    vim.api.nvim_exec_autocmds('User', { pattern = has and 'AvanteConflictDetected' or 'AvanteConflictResolved' })
  end
end

function M.choose(side)
  local bufnr = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1]
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for _, b in ipairs(blocks(lines)) do
    if row >= b.start and row <= b.finish then
      local keep = side == 'theirs' and vim.list_slice(lines, b.middle + 1, b.finish - 1)
        or vim.list_slice(lines, b.start + 1, b.middle - 1)
      vim.api.nvim_buf_set_lines(bufnr, b.start - 1, b.finish, false, keep)
      break
    end
  end
  M.process(bufnr)
end

--- What sidebar.lua's apply does for one snippet (insert_conflict_contents,
--- then Diff.process with the code window current).
function M.apply_snippet(bufnr, start_line, end_line, content)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local result = { '<<<<<<< HEAD' }
  vim.list_extend(result, vim.list_slice(lines, start_line, end_line))
  table.insert(result, '=======')
  vim.list_extend(result, vim.split(content, '\n'))
  table.insert(result, '>>>>>>> Snippet')
  vim.api.nvim_buf_set_lines(bufnr, start_line - 1, end_line, false, result)
  M.process(bufnr)
end

return M
