--- Options given to `require("ailedger").setup()`, merged over the defaults.
local M = {}

M.defaults = {
  --- How to start the language server.
  cmd = { 'ailedger', 'lsp' },
  --- Filetypes to attach to; nil attaches to every file buffer.
  filetypes = nil,
  root_markers = { '.git' },
  --- The integrating tool recorded with each acceptance, {name, version?};
  --- nil names the AI plugin (or, for built-in inline completion, the
  --- language server that offered the item).
  tool = nil,
  --- {provider?, id?, version?}; nil records "unknown" (never invented).
  model = nil,
  --- Severity of the "unreviewed" diagnostics, e.g. vim.diagnostic.severity.WARN;
  --- nil keeps what the server sends.
  severity = nil,
  --- Wrap the accept functions of AI plugins that are loaded, and hook the
  --- chat / agent plugins' events. Set a name to false to leave it alone.
  wrap = {
    ['copilot.lua'] = true,
    ['copilot.vim'] = true,
    ['windsurf.nvim'] = true,
    ['supermaven-nvim'] = true,
    ['codecompanion.nvim'] = true,
    ['avante.nvim'] = true,
  },
  --- Extra settings merged into the vim.lsp.config('ailedger', ...) table.
  lsp = {},
}

M.current = vim.deepcopy(M.defaults)

return M
