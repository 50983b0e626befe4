-- Stand-in for supermaven-nvim's setup (lua/supermaven-nvim/init.lua, test
-- only): maps keymaps.accept_suggestion / accept_word to the
-- completion_preview functions by reference, noremap + silent.
local M = {}

function M.setup(args)
  local preview = require('supermaven-nvim.completion_preview')
  local keymaps = args.keymaps
  vim.keymap.set('i', keymaps.accept_suggestion, preview.on_accept_suggestion, { noremap = true, silent = true })
  vim.keymap.set('i', keymaps.accept_word, preview.on_accept_suggestion_word, { noremap = true, silent = true })
end

return M
