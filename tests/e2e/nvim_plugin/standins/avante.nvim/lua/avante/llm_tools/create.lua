-- Stand-in for lua/avante/llm_tools/create.lua: input {path, file_text};
-- fails (returns false, err) when the file exists; else opens a buffer for
-- it, sets its lines, asks Helpers.confirm, and on yes writes it and
-- on_complete(true, nil).
local Helpers = require('avante.llm_tools.helpers')

local M = { name = 'create' }

function M.func(input, opts)
  local on_complete = opts.on_complete
  if not on_complete then
    return false, 'on_complete not provided'
  end
  local abs_path = Helpers.get_abs_path(input.path)
  if vim.uv.fs_stat(abs_path) then
    return false, 'File already exists: ' .. abs_path
  end
  local bufnr, err = Helpers.get_bufnr(abs_path)
  if err then
    return false, err
  end
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.split(input.file_text, '\n'))
  Helpers.confirm('Are you sure you want to create this file?', function(ok, reason)
    if not ok then
      vim.api.nvim_buf_delete(bufnr, { force = true })
      on_complete(false, 'User declined, reason: ' .. (reason or 'unknown'))
      return
    end
    vim.api.nvim_buf_call(bufnr, function() vim.cmd('noautocmd write') end)
    on_complete(true, nil)
  end, { focus = true }, opts.session_ctx, M.name)
end

return M
