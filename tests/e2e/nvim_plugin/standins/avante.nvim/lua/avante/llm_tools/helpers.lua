-- Stand-in for lua/avante/llm_tools/helpers.lua: get_abs_path (relative to
-- the project root, here the cwd), get_bufnr (`:edit` the file in the
-- sidebar's code window) and confirm(message, callback, opts, session_ctx,
-- tool_name), whose callback runs scheduled. The real confirm shows buttons;
-- the stand-in keeps the callback for the test to answer (M.answer).
local M = {}

M.pending = nil

function M.get_abs_path(rel_path)
  if rel_path:sub(1, 1) == '/' then
    return rel_path
  end
  return vim.fs.normalize(vim.fs.joinpath(vim.fn.getcwd(), rel_path))
end

function M.get_bufnr(abs_path)
  local sidebar = require('avante').get()
  if not sidebar then
    return 0, 'Avante sidebar not found'
  end
  local bufnr
  vim.api.nvim_win_call(sidebar.code.winid, function()
    pcall(vim.cmd, 'edit ' .. abs_path)
    bufnr = vim.api.nvim_get_current_buf()
  end)
  return bufnr, nil
end

function M.confirm(message, callback)
  M.pending = { message = message, callback = vim.schedule_wrap(callback) }
end

--- Test hook: the user's answer to the pending confirm.
function M.answer(ok, reason)
  local pending = assert(M.pending, 'no confirm pending')
  M.pending = nil
  pending.callback(ok, reason)
end

return M
