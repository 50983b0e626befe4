-- Stand-in for yetone/avante.nvim (test only): module names, functions, tool
-- input shapes and User events of the real plugin (read at commit a933431,
-- 2026-08-22), no LLM and no sidebar UI. The test calls what avante's own
-- code calls when the model answers (lua/avante/llm.lua ->
-- LLMTools.process_tool_use; sidebar.lua's apply -> conflict blocks).
local M = {}

--- The sidebar as the tools see it: `require("avante").get().code.winid`
--- is the window of the code being edited (llm_tools/helpers.lua get_bufnr).
M.sidebar = nil

function M.setup(opts)
  require('avante.config').setup(opts)
  M.sidebar = { code = { winid = vim.api.nvim_get_current_win() } }
end

function M.get()
  return M.sidebar
end

return M
