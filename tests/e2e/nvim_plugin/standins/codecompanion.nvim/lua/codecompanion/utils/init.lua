-- Stand-in for lua/codecompanion/utils/init.lua: fire() as the real one.
local M = {}

function M.fire(event, opts)
  opts = opts or {}
  vim.api.nvim_exec_autocmds('User', { pattern = 'CodeCompanion' .. event, data = opts })
end

return M
