-- Stand-in for lua/codecompanion/config.lua: the options the stand-in reads
-- (display.diff.enabled; interactions.shared.keymaps accept_change "g2" /
-- reject_change "g3", the real defaults).
local M = {
  display = { diff = { enabled = true } },
  interactions = {
    shared = {
      keymaps = {
        accept_change = { modes = { n = 'g2' } },
        reject_change = { modes = { n = 'g3' } },
      },
    },
  },
}

function M.setup(opts)
  for k, v in pairs(vim.tbl_deep_extend('force', M, opts or {})) do
    M[k] = v
  end
end

return M
