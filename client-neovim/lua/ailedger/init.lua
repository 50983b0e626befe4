--- ailedger for Neovim: records AI-generated code you accept, shows what
--- still needs a human review, and records the review.
---
---   require("ailedger").setup({
---     cmd = { "ailedger", "lsp" },
---     filetypes = nil,            -- nil: every file buffer
---     tool = nil,                 -- {name, version?}; nil: the AI plugin / server's name
---     model = nil,                -- {provider?, id?, version?}; nil: unknown
---     severity = nil,             -- e.g. vim.diagnostic.severity.HINT
---   })
local config = require('ailedger.config')

local M = {}

--- Rewrite the severity of ailedger's diagnostics, pushed or pulled.
local function with_severity(method, list_of)
  return function(err, result, ctx, ...)
    local severity = config.current.severity
    if severity and type(result) == 'table' then
      if type(severity) == 'string' then
        severity = vim.diagnostic.severity[severity:upper()]
      end
      for _, d in ipairs(list_of(result) or {}) do
        d.severity = severity
      end
    end
    return vim.lsp.handlers[method](err, result, ctx, ...)
  end
end

--- Register the language server, the commands and the AI plugin wrappers.
--- @param opts? table see ailedger.config
function M.setup(opts)
  if vim.fn.has('nvim-0.11') == 0 or not (vim.lsp and vim.lsp.config and vim.lsp.enable) then
    vim.notify('ailedger: needs Neovim 0.11 or newer (vim.lsp.config / vim.lsp.enable); not set up',
      vim.log.levels.ERROR)
    return
  end
  config.current = vim.tbl_deep_extend('force', vim.deepcopy(config.defaults), opts or {})
  local c = config.current
  -- tbl_deep_extend merges lists by index: take the user's lists as given.
  if opts and opts.cmd then
    c.cmd = opts.cmd
  end
  if opts and opts.filetypes then
    c.filetypes = opts.filetypes
  end

  local handlers = nil
  if c.severity then
    handlers = {
      ['textDocument/publishDiagnostics'] = with_severity('textDocument/publishDiagnostics',
        function(r) return r.diagnostics end),
      ['textDocument/diagnostic'] = with_severity('textDocument/diagnostic', function(r) return r.items end),
    }
  end
  vim.lsp.config('ailedger', vim.tbl_deep_extend('force', {
    cmd = c.cmd,
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    handlers = handlers,
  }, c.lsp or {}))
  vim.lsp.enable('ailedger')

  require('ailedger.commands').create()
  M.wrapped = require('ailedger.wrappers').install_all(c.wrap or {})
end

--- Wrap AI plugins loaded after setup() (lazy-loaded ones): call from their config.
--- @return string[] the plugins now wrapped
function M.wrap()
  M.wrapped = require('ailedger.wrappers').install_all(config.current.wrap or {})
  return M.wrapped
end

--- Accept the built-in LSP inline completion (Neovim 0.12) and record it.
--- Returns false when nothing is shown, for a fallback key:
---   vim.keymap.set("i", "<Tab>", function()
---     if not require("ailedger").accept_inline() then return "<Tab>" end
---   end, { expr = true })
--- @param opts? {bufnr?: integer}
--- @return boolean
function M.accept_inline(opts)
  return require('ailedger.inline').accept(opts)
end

--- copilot.vim's accept for an <expr> mapping, recorded (see README).
function M.copilot_vim_accept(...)
  return require('ailedger.wrappers').copilot_vim('Accept', ...)
end

M.review = function(...) return require('ailedger.commands').review(...) end
M.provenance = function(...) return require('ailedger.commands').provenance(...) end
M.unreviewed = function(...) return require('ailedger.commands').unreviewed(...) end

--- Record accepted text that is already in the buffer (for other integrations).
--- @param accepted ailedger.Accepted
M.record = function(accepted) return require('ailedger.record').accepted(accepted) end

return M
