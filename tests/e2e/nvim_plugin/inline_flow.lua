-- Built-in LSP inline completion (Neovim 0.12) through the ailedger plugin:
-- a stand-in AI language server offers a completion while the user types,
-- the plugin's accept (mapped as the README recommends) inserts it and runs
-- its command, and the acceptance reaches `ailedger lsp`. Then the commands
-- :AiLedgerProvenance / :AiLedgerUnreviewed(!) / :AiLedgerReview, through
-- their Lua functions.
--
-- CONFIG keys (besides harness.lua's): cmd (ailedger), standin_cmd, file,
-- ailedger = "real" | "missing" | "crash", pidfile (for "crash": the
-- server's wrapper writes its pid there).
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))
local config, steps = H.config, H.result.steps

H.run(function()
  local ailedger = require('ailedger')
  ailedger.setup({
    cmd = config.cmd,
    model = { provider = 'example', id = 'stand-in-model', version = '2025-01-01' },
  })
  vim.lsp.config('standin', { cmd = config.standin_cmd, filetypes = { 'python' }, root_markers = { '.git' } })
  vim.lsp.enable('standin')
  -- The README's mapping: accept, or type a real <Tab> when nothing is shown.
  vim.keymap.set('i', '<Tab>', function()
    if not ailedger.accept_inline() then
      return '<Tab>'
    end
  end, { expr = true, desc = 'Accept inline completion (recorded by ailedger)' })

  vim.cmd.edit(vim.fn.fnameescape(config.file))
  local bufnr = vim.api.nvim_get_current_buf()
  H.client('standin', bufnr)
  local client
  if config.ailedger ~= 'missing' then
    client = H.client('ailedger', bufnr)
    steps.attach = { offset_encoding = client.offset_encoding, root_dir = client.root_dir }
  end
  if config.ailedger == 'crash' then
    local pid = H.wait_for('the server pid', function()
      local ok, lines = pcall(vim.fn.readfile, config.pidfile)
      return ok and tonumber(lines[1]) or nil
    end)
    vim.uv.kill(pid, 'sigkill')
    H.wait_for('the ailedger client to notice the crash', function() return client:is_stopped() end)
    steps.crashed = { pid = pid }
  end

  -- Type the start of a line; the stand-in offers to complete it.
  vim.lsp.inline_completion.enable(true)
  vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(bufnr), 0 })
  H.type('odef disc')
  H.wait_for('insert mode with the typed text', function()
    return vim.api.nvim_get_mode().mode == 'i' and vim.api.nvim_get_current_line() == 'def disc'
  end)
  local ns = vim.api.nvim_create_namespace('nvim.lsp.inline_completion')
  H.wait_for('the inline completion to show', function()
    return #vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, {}) > 0
  end)
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)

  H.type('<Tab>')
  H.wait_for('the completion to be inserted', function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end)
  local row = vim.api.nvim_win_get_cursor(0)[1]
  steps.accepted = {
    lines = H.lines(bufnr), line = vim.api.nvim_get_current_line(), row = row - 1,
    cursor = vim.api.nvim_win_get_cursor(0), mode = vim.api.nvim_get_mode().mode,
    version = vim.lsp.util.buf_versions[bufnr],
  }
  local recorded = H.wait_for('the plugin to send (or give up on) the acceptance', function()
    return H.recorded[1]
  end)
  steps.recorded = recorded
  if config.ailedger ~= 'real' then
    H.settle(10)
    steps.after = { lines = H.lines(bufnr), errmsg = vim.v.errmsg, recorded = H.recorded }
    H.stop_all()
    return
  end
  if recorded.error then
    error('recordAcceptance failed: ' .. vim.inspect(recorded.error), 0)
  end
  local region_id = recorded.result.regionId

  local diag = H.wait_for('the ai-unreviewed diagnostic', function()
    for _, d in ipairs(H.ailedger_diagnostics(bufnr)) do
      if d.code == 'ai-unreviewed' and (d.data or {}).regionId == region_id then
        return d
      end
    end
  end)
  steps.diagnostic = diag

  -- :AiLedgerProvenance on the accepted line.
  local provenance
  ailedger.provenance({ bufnr = bufnr, line1 = row, on_done = function(err, regions, lines, winid)
    provenance = { err = err, regions = regions, lines = lines, float = winid ~= nil }
  end })
  steps.provenance = H.wait_for(':AiLedgerProvenance', function() return provenance end)

  -- :AiLedgerUnreviewed and :AiLedgerUnreviewed!
  local buffer_list, workspace_list
  ailedger.unreviewed({ bufnr = bufnr, on_done = function(err, items) buffer_list = { err = err, items = items } end })
  steps.unreviewed = H.wait_for(':AiLedgerUnreviewed', function() return buffer_list end)
  steps.unreviewed.qflist = vim.fn.getqflist({ title = 1, size = 1 })
  ailedger.unreviewed({ bufnr = bufnr, workspace = true, on_done = function(err, items)
    workspace_list = { err = err, items = items }
  end })
  steps.unreviewed_workspace = H.wait_for(':AiLedgerUnreviewed!', function() return workspace_list end)

  -- :AiLedgerReview on the accepted line.
  vim.cmd.stopinsert()
  H.settle(2)
  local reviewed
  ailedger.review({ bufnr = bufnr, line1 = row, note = 'looks right', on_done = function(err, result, ids)
    reviewed = { err = err, result = result, ids = ids }
  end })
  steps.review = H.wait_for(':AiLedgerReview', function() return reviewed end)
  H.wait_for('the ailedger diagnostics to clear', function()
    return #H.ailedger_diagnostics(bufnr) == 0
  end)
  steps.final_lines = H.lines(bufnr)
  steps.current_buffer_is_code = vim.api.nvim_get_current_buf() == bufnr

  -- :checkhealth ailedger with the AI language server running (in a new tab).
  vim.cmd('checkhealth ailedger')
  steps.health = H.wait_for(':checkhealth ailedger', function()
    local lines = H.lines(0)
    return table.concat(lines, '\n'):find('Agents outside the editor', 1, true) and lines or nil
  end)
  H.stop_all()
end)
