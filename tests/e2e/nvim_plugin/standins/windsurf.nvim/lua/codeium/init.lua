-- Stand-in for windsurf.nvim's `codeium` (test only): setup() maps the
-- virtual text keys as lua/codeium/virtual_text.lua's setup does when
-- virtual_text.map_keys is on.
local M = {}

function M.setup(options)
  local vt = require('codeium.virtual_text')
  vt.setup({
    accept_completion = function(_, id)
      table.insert(vt.accepted, id)
    end,
  }, options.virtual_text.key_bindings)
end

return M
