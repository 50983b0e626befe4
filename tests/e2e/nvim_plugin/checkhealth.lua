-- :checkhealth ailedger, headless: writes the health buffer's lines to a file.
-- Run: nvim --headless --clean -u NONE -l checkhealth.lua PLUGIN_DIR AILEDGER_EXE OUT.txt [EXTRA_RTP]
if _G.arg[4] then
  vim.opt.runtimepath:prepend(_G.arg[4])
  vim.cmd.runtime('plugin/copilot.vim')
end
vim.opt.runtimepath:prepend(_G.arg[1])
require('ailedger').setup({cmd={_G.arg[2],'lsp'}})
vim.cmd('checkhealth ailedger')
vim.wait(5000, function() return #table.concat(vim.api.nvim_buf_get_lines(0,0,-1,false)) > 0 and vim.fn.search('windsurf', 'nw') > 0 end, 20)
vim.fn.writefile(vim.api.nvim_buf_get_lines(0,0,-1,false), _G.arg[3])
os.exit(0)
