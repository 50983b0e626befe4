-- Stand-in for olimorris/codecompanion.nvim (test only): the module names,
-- User events and event data of the real plugin (read at commit f1afd02,
-- 2026-08-08), no LLM. The test drives it through the functions the real
-- plugin calls when a response arrives; see the files named in each module.
local M = {}

function M.setup(opts)
  require('codecompanion.config').setup(opts)
end

return M
