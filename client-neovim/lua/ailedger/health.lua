--- :checkhealth ailedger
local M = {}

function M.check()
  local health = vim.health
  local config = require('ailedger.config').current

  health.start('Neovim')
  local v = vim.version()
  local version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.12') == 1 then
    health.ok('Neovim ' .. version .. ' (built-in LSP inline completion available)')
  elseif vim.fn.has('nvim-0.11') == 1 then
    health.warn('Neovim ' .. version .. ': works, but built-in inline completion needs 0.12',
      { 'accept_inline() does nothing; the AI plugin wrappers still work' })
  else
    health.error('Neovim ' .. version .. ' is too old: ailedger needs 0.11 or newer')
  end

  health.start('ailedger language server')
  local exe = config.cmd and config.cmd[1]
  local path = exe and vim.fn.exepath(exe) or ''
  if path == '' then
    health.error(('`%s` not found'):format(tostring(exe)),
      { 'install ailedger (pip install ailedger) or set setup({ cmd = { "/path/to/ailedger", "lsp" } })' })
  else
    local ok, out = pcall(function()
      return vim.system({ path, '--version' }, { text = true }):wait(5000)
    end)
    if ok and out.code == 0 then
      health.ok(('%s: %s'):format(path, vim.trim(out.stdout or '')))
    else
      health.warn(('%s --version failed: %s'):format(path, ok and vim.trim(out.stderr or '') or tostring(out)))
    end
  end
  if vim.lsp.config and vim.lsp.config.ailedger and vim.lsp.is_enabled and vim.lsp.is_enabled('ailedger') then
    health.ok('registered and enabled as vim.lsp.config("ailedger")')
  else
    health.warn('not enabled: call require("ailedger").setup()')
  end
  local clients = vim.lsp.get_clients({ name = 'ailedger' })
  if #clients == 0 then
    health.warn('no ailedger client is running (open a file in a repository)')
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    health.ok(('client %d: root %s, position encoding %s, attached to %d buffer(s)'):format(
      client.id, tostring(client.root_dir), tostring(client.offset_encoding), #buffers))
  end

  require('ailedger.blind').check(health, path ~= '' and path or nil)
end

return M
