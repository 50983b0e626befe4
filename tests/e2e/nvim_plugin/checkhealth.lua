-- :checkhealth ailedger, headless: writes the health buffer's lines to a file.
-- Run: nvim --headless --clean -u NONE -l checkhealth.lua CONFIG.json
-- CONFIG: {plugin_dir, exe, out, rtp?: [dir], runtime?: [file], setup?: {...}}
local config = vim.json.decode(table.concat(vim.fn.readfile(_G.arg[1]), '\n'))
for _, dir in ipairs(config.rtp or {}) do
  vim.opt.runtimepath:prepend(dir)
end
for _, file in ipairs(config.runtime or {}) do
  vim.cmd.runtime(file)
end
vim.opt.runtimepath:prepend(config.plugin_dir)
require('ailedger').setup(vim.tbl_extend('force', { cmd = { config.exe, 'lsp' } }, config.setup or {}))
vim.cmd('checkhealth ailedger')
-- Done when the last section has its first item.
local function done()
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:find('Agents outside the editor', 1, true) then
      for j = i + 1, #lines do
        if lines[j]:match('^%- ') then
          return true
        end
      end
    end
  end
  return false
end
local ok = vim.wait(15000, done, 20)
vim.fn.writefile(vim.api.nvim_buf_get_lines(0, 0, -1, false), config.out)
os.exit(ok and 0 or 1)
