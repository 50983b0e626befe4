-- Shared driver for the plugin's end-to-end scripts.
--
-- The scripts run with `nvim --headless --clean -u NONE -S SCRIPT` (not -l):
-- typed keys (nvim_feedkeys) are only processed by Neovim's main loop, so the
-- scenario runs as a coroutine that yields back to the loop while it waits.
-- Every wait has a deadline taken from one budget; a backstop timer writes
-- the result and exits if the script itself hangs.
--
-- CONFIG (JSON, path in $AILEDGER_NVIM_TEST): { plugin_dir, result,
--   timeout_ms, ... scenario keys }. RESULT: { ok, error, traceback, steps,
--   notifications, nvim }.
local H = {}

local config_file = assert(vim.env.AILEDGER_NVIM_TEST, '$AILEDGER_NVIM_TEST names the config file')
H.config = vim.json.decode(table.concat(vim.fn.readfile(config_file), '\n'),
  { luanil = { object = true, array = true } })
H.result = { ok = false, nvim = tostring(vim.version()), steps = {}, notifications = {} }

local started = vim.uv.hrtime()
local budget_ms = H.config.timeout_ms or 30000
local deadline = started + budget_ms * 1e6

function H.elapsed_ms()
  return math.floor((vim.uv.hrtime() - started) / 1e6)
end

local function write_result()
  H.result.elapsed_ms = H.elapsed_ms()
  local f = assert(io.open(H.config.result, 'w'))
  f:write(vim.json.encode(H.result))
  f:close()
end

local backstop = vim.uv.new_timer()
backstop:start(budget_ms + 5000, 0, function()
  H.result.error = 'backstop: the script did not finish in time'
  pcall(write_result)
  os.exit(3)
end)

-- Every notification, so a test can check what the user was told (and how often).
vim.notify = function(msg, level)
  table.insert(H.result.notifications, { msg = tostring(msg), level = level })
end

vim.o.swapfile = false
vim.opt.runtimepath:prepend(H.config.plugin_dir)
for _, dir in ipairs(H.config.extra_rtp or {}) do
  vim.opt.runtimepath:prepend(dir)
end

local co

local function finish(ok, err)
  backstop:stop()
  H.result.ok = ok
  if not ok then
    H.result.error = err
  end
  write_result()
  os.exit(ok and 0 or 1)
end

local function resume()
  local ok, err = coroutine.resume(co)
  if not ok then
    H.result.traceback = debug.traceback(co)
    finish(false, type(err) == 'string' and err or vim.inspect(err))
  elseif coroutine.status(co) == 'dead' then
    finish(true)
  end
end

--- Wait (yielding to the main loop) for cond() to be truthy; return its value.
function H.wait_for(what, cond, poll_ms)
  while true do
    local value = cond()
    if value ~= nil and value ~= false then
      return value
    end
    if vim.uv.hrtime() > deadline then
      error(('timed out after %d ms waiting for %s'):format(H.elapsed_ms(), what), 0)
    end
    vim.defer_fn(resume, poll_ms or 10)
    coroutine.yield()
  end
end

--- Let the main loop run `turns` times (type pending keys, run scheduled callbacks).
function H.settle(turns)
  for _ = 1, turns or 5 do
    vim.defer_fn(resume, 1)
    coroutine.yield()
  end
end

--- Send a request and wait for the response; returns err, result.
function H.request(client, method, params, bufnr)
  local response
  local sent = client:request(method, params, function(err, res)
    response = { err = err, result = res }
  end, bufnr)
  assert(sent, 'could not send ' .. method)
  H.wait_for('the response to ' .. method, function() return response end)
  return response.err, response.result
end

--- Type keys as a user would (mappings apply), then wait until typeahead is consumed.
function H.type(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mt', false)
  H.settle(3)
end

--- Wait for the named client to attach to bufnr and initialize.
function H.client(name, bufnr)
  return H.wait_for(('the %s client to attach'):format(name), function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = name })[1]
    return c and c.initialized and c or nil
  end)
end

function H.lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

--- Collect User AiLedgerRecorded events (one per acceptance the plugin sent or gave up on).
H.recorded = {}
vim.api.nvim_create_autocmd('User', {
  pattern = 'AiLedgerRecorded',
  callback = function(ev)
    local data = vim.deepcopy(ev.data or {})
    table.insert(H.recorded, data)
  end,
})

function H.ailedger_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'ailedger' then
      local lsp = (d.user_data or {}).lsp or {}
      out[#out + 1] = { code = d.code, lnum = d.lnum, col = d.col, severity = d.severity,
        lsp_range = lsp.range, data = lsp.data }
    end
  end
  return out
end

--- Stop every client and wait, so the server's last writes are done.
function H.stop_all()
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop()
  end
  H.wait_for('the clients to stop', function()
    for _, c in ipairs(vim.lsp.get_clients()) do
      if not c:is_stopped() then
        return false
      end
    end
    return true
  end)
end

--- Run main(H) as the scenario.
function H.run(main)
  co = coroutine.create(function()
    main(H)
  end)
  vim.schedule(resume)
end

return H
