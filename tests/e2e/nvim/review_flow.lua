-- The review flow in a real Neovim, as a user of ailedger would live it:
-- an AI suggestion lands in a buffer, the client records the acceptance, the
-- "unreviewed" diagnostic appears, the quickfix "Mark AI-generated code as
-- reviewed" runs, and the diagnostic goes away.
--
-- Run: nvim --headless --clean -u NONE -l review_flow.lua CONFIG.json
-- CONFIG: { cmd = {...}, file = "/abs/path.py", result = "/abs/out.json",
--           timeout_ms = 30000, log_level = "warn",
--           position_encodings = {"utf-16"} -- optional; Neovim offers utf-8 first }
-- Writes RESULT (what it saw at each step) and exits 0 when every step held,
-- 1 otherwise. Every wait has a deadline taken from one overall budget, so a
-- hang fails fast instead of blocking the test run.

local REVIEW_TITLE = 'Mark AI-generated code as reviewed'
local REVIEW_COMMAND = 'ailedger.markReviewed'

local config_file = assert(_G.arg[1], 'usage: nvim -l review_flow.lua CONFIG.json')
-- luanil: a JSON null must read as nil, not as the truthy vim.NIL.
local config = vim.json.decode(table.concat(vim.fn.readfile(config_file), '\n'),
  { luanil = { object = true, array = true } })
local started = vim.uv.hrtime()
local deadline = started + (config.timeout_ms or 30000) * 1e6
local result = { ok = false, nvim = tostring(vim.version()), steps = {} }

local function elapsed_ms()
  return math.floor((vim.uv.hrtime() - started) / 1e6)
end

local function write_result()
  result.elapsed_ms = elapsed_ms()
  local f = assert(io.open(config.result, 'w'))
  f:write(vim.json.encode(result))
  f:close()
end

-- Backstop for a wait that never returns to Lua (it should not happen: every
-- wait below is bounded). Runs in a fast callback: plain file I/O and exit only.
local backstop = vim.uv.new_timer()
backstop:start((config.timeout_ms or 30000) + 5000, 0, function()
  result.error = 'backstop: the script did not finish in time'
  pcall(write_result)
  os.exit(3)
end)

local function remaining_ms()
  return math.max(0, math.floor((deadline - vim.uv.hrtime()) / 1e6))
end

--- Wait for `cond` to return a truthy value, or fail naming `what`.
local function wait_for(what, cond)
  local value
  local ok = vim.wait(remaining_ms(), function()
    value = cond()
    return value ~= nil and value ~= false
  end, 10)
  if not ok then
    error(('timed out after %d ms waiting for %s'):format(elapsed_ms(), what), 0)
  end
  return value
end

--- Send a request and wait for its response; returns err, result.
local function request(client, method, params, bufnr)
  local response
  local sent = client:request(method, params, function(err, res)
    response = { err = err, result = res }
  end, bufnr)
  if not sent then
    error(('could not send %s: the client has shut down'):format(method), 0)
  end
  wait_for('the response to ' .. method, function() return response end)
  return response.err, response.result
end

local function ailedger_diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'ailedger' then
      found[#found + 1] = d
    end
  end
  return found
end

local function describe(diags)
  return vim.tbl_map(function(d)
    local lsp = (d.user_data or {}).lsp or {}
    local ns = vim.diagnostic.get_namespace(d.namespace) or {}
    return {
      -- nvim.lsp.<name>.<id> holds pushed diagnostics, nvim.lsp.<name>.<id>.<identifier> pulled ones
      namespace = ns.name,
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      message = d.message, source = d.source, code = d.code, severity = d.severity,
      lsp_range = lsp.range, data = lsp.data,
    }
  end, diags)
end

local bufnr -- the buffer under test, once opened

local function main()
  vim.lsp.log.set_level(config.log_level or 'warn')
  result.lsp_log = vim.lsp.log.get_filename()

  local capabilities = nil
  if config.position_encodings then
    capabilities = { general = { positionEncodings = config.position_encodings } }
  end
  vim.lsp.config('ailedger', {
    cmd = config.cmd,
    filetypes = { 'python' },
    root_markers = { '.git' },
    capabilities = capabilities,
  })
  vim.lsp.enable('ailedger')

  -- 1. Open a Python file in the git repository; the client starts and attaches.
  vim.cmd.edit(vim.fn.fnameescape(config.file))
  bufnr = vim.api.nvim_get_current_buf()
  result.steps.open = { filetype = vim.bo[bufnr].filetype }
  local client = wait_for('the ailedger client to attach and initialize', function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'ailedger' })[1]
    return c and c.initialized and c or nil
  end)
  local caps = client.server_capabilities or {}
  result.steps.attach = {
    elapsed_ms = elapsed_ms(),
    root_dir = client.root_dir,
    offset_encoding = client.offset_encoding,
    server_info = client.server_info,
    code_action_provider = caps.codeActionProvider or false,
    execute_commands = vim.tbl_get(caps, 'executeCommandProvider', 'commands') or {},
    text_document_sync = caps.textDocumentSync,
  }

  -- 2. An AI suggestion is accepted: two lines land above `def total`. The
  --    last line has characters outside the BMP and non-ASCII, so UTF-16,
  --    UTF-8 and UTF-32 columns all differ there.
  local accepted = {
    'def discount(price, pct):',
    '    return price * (1 - pct / 100)  # 🙂 ünï',
  }
  local row = 2
  vim.api.nvim_buf_set_lines(bufnr, row, row, false, vim.list_extend(vim.deepcopy(accepted), { '' }))
  local text = table.concat(accepted, '\n')
  local last = accepted[#accepted]
  local range = {
    start = { line = row, character = 0 },
    ['end'] = { line = row + #accepted - 1, character = vim.str_utfindex(last, client.offset_encoding) },
  }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr), version = vim.lsp.util.buf_versions[bufnr] },
    range = range,
    text = text,
    kind = 'inline',
    tool = { name = 'nvim-e2e', version = '1.0.0' },
    model = { provider = 'example', id = 'stand-in-model', version = '2025-01-01' },
    prompt = vim.NIL,
    parameters = vim.NIL,
    sessionId = 'e2e-session',
    itemId = 'e2e-item-1',
  }
  -- Passing bufnr makes the client flush its pending didChange first.
  local err, accepted_result = request(client, 'ailedger/recordAcceptance', params, bufnr)
  result.steps.acceptance = { params = params, error = err, result = accepted_result, elapsed_ms = elapsed_ms() }
  if err then
    error('ailedger/recordAcceptance failed: ' .. vim.inspect(err), 0)
  end
  local region_id = type(accepted_result) == 'table' and accepted_result.regionId or nil
  if type(region_id) ~= 'string' or type(accepted_result.eventId) ~= 'string' then
    error('ailedger/recordAcceptance: expected {regionId, eventId}, got ' .. vim.inspect(accepted_result), 0)
  end

  -- 3. The "unreviewed" diagnostic appears over the accepted text.
  local diag = wait_for('an ai-unreviewed diagnostic for region ' .. region_id, function()
    for _, d in ipairs(ailedger_diagnostics(bufnr)) do
      local data = vim.tbl_get(d, 'user_data', 'lsp', 'data') or {}
      if d.code == 'ai-unreviewed' and data.regionId == region_id then
        return d
      end
    end
  end)
  result.steps.diagnostics_before = { elapsed_ms = elapsed_ms(), items = describe(ailedger_diagnostics(bufnr)) }

  -- 4. Ask for code actions at the diagnostic, as `vim.lsp.buf.code_action()` would.
  local lsp_diag = diag.user_data.lsp
  local cerr, actions = request(client, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }, bufnr)
  result.steps.code_actions = {
    error = cerr,
    titles = vim.tbl_map(function(a) return a.title end, actions or {}),
  }
  -- Messages from the server are handled in order, so by now every
  -- diagnostic it sent before answering is in place: a stable snapshot.
  result.steps.diagnostics_at_code_action = describe(ailedger_diagnostics(bufnr))
  if cerr then
    error('textDocument/codeAction failed: ' .. vim.inspect(cerr), 0)
  end
  local action
  for _, a in ipairs(actions or {}) do
    if a.title == REVIEW_TITLE then
      action = a
    end
  end
  if not action then
    error(('no code action titled %q among %s'):format(REVIEW_TITLE, vim.inspect(result.steps.code_actions.titles)), 0)
  end
  if not action.command and not action.edit and client:supports_method('codeAction/resolve', bufnr) then
    local rerr, resolved = request(client, 'codeAction/resolve', action, bufnr)
    if rerr then
      error('codeAction/resolve failed: ' .. vim.inspect(rerr), 0)
    end
    action = resolved
  end
  -- A bare Command is also a valid answer to textDocument/codeAction.
  local command = type(action.command) == 'table' and action.command
    or (type(action.command) == 'string' and action) or nil
  result.steps.action = { title = action.title, kind = action.kind, command = command }
  if not command then
    error('the review action carries no command: ' .. vim.inspect(action), 0)
  end

  -- 5. Run it the way Neovim does for a chosen action.
  local executed
  client:exec_cmd(command, { bufnr = bufnr }, function(xerr, xres)
    executed = { error = xerr, result = xres }
  end)
  wait_for('the response to ' .. REVIEW_COMMAND .. ' (is it in executeCommandProvider.commands?)',
    function() return executed end)
  result.steps.execute = vim.tbl_extend('force', executed, { elapsed_ms = elapsed_ms() })
  if executed.error then
    error(REVIEW_COMMAND .. ' failed: ' .. vim.inspect(executed.error), 0)
  end

  -- 6. The diagnostic goes away.
  wait_for('the ailedger diagnostics to clear', function()
    return #ailedger_diagnostics(bufnr) == 0
  end)
  result.steps.diagnostics_after = { elapsed_ms = elapsed_ms(), items = describe(ailedger_diagnostics(bufnr)) }

  -- 7. Shut the server down cleanly, so its last writes are done before the test reads the ledger.
  client:stop()
  wait_for('the ailedger client to stop', function() return client:is_stopped() end)
  result.steps.stopped = { elapsed_ms = elapsed_ms() }
end

local ok, err = xpcall(main, function(e)
  result.traceback = debug.traceback()
  return type(e) == 'string' and e or vim.inspect(e)
end)
result.ok = ok
if not ok then
  result.error = err
  if bufnr then
    result.diagnostics_at_failure = describe(ailedger_diagnostics(bufnr))
  end
end
backstop:stop()
write_result()
os.exit(ok and 0 or 1)
