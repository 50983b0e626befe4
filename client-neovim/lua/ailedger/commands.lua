--- :AiLedgerReview, :AiLedgerProvenance, :AiLedgerUnreviewed.
---
--- Each is also a Lua function taking an `on_done` callback, so other
--- plugins (and the tests) can use them without parsing messages.
local record = require('ailedger.record')

local M = {}

M.REVIEW_COMMAND = 'ailedger.markReviewed'
M.REVIEW_TITLE = 'Mark AI-generated code as reviewed'
M.VERDICTS = { 'approved', 'approved-with-changes', 'rejected' }
--- Diagnostic codes of regions that need a review.
M.OPEN_CODES = { ['ai-unreviewed'] = true, ['ai-changed-after-review'] = true, ['ai-reopened'] = true }
--- Region statuses that need a review (ailedger/regions).
M.OPEN_STATUSES = { unreviewed = true, ['changed-after-review'] = true, reopened = true }

local function notify(msg, level)
  vim.notify('ailedger: ' .. msg, level or vim.log.levels.INFO)
end

local function resolve(bufnr)
  return (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
end

--- The buffer's regions from the server: callback(err?, regions).
--- @param bufnr integer
--- @param callback fun(err: string?, regions: table[])
function M.regions(bufnr, callback)
  bufnr = resolve(bufnr)
  local client = record.client(bufnr)
  if not client then
    callback('the ailedger language server is not running for this buffer', {})
    return
  end
  local sent = client:request('ailedger/regions', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } },
    function(err, result)
      callback(err and (err.message or vim.inspect(err)) or nil, type(result) == 'table' and result or {})
    end, bufnr)
  if not sent then
    callback('the ailedger language server has stopped', {})
  end
end

--- Regions touching lines first..last (0-based, inclusive).
local function touching(regions, first, last)
  return vim.tbl_filter(function(r)
    local range = r.range or {}
    local s, e = range.start, range['end']
    return s and e and s.line <= last and e.line >= first
  end, regions)
end

--- Mark the regions under the cursor (or touching lines line1..line2) reviewed.
--- @param opts {bufnr?: integer, line1?: integer, line2?: integer, verdict?: string, note?: string, on_done?: fun(err: string?, result: table?, region_ids: string[])}
function M.review(opts)
  opts = opts or {}
  local bufnr = resolve(opts.bufnr)
  local cursor = vim.api.nvim_win_get_cursor(0)[1]
  local first, last = (opts.line1 or cursor) - 1, (opts.line2 or opts.line1 or cursor) - 1
  local verdict = opts.verdict or 'approved'
  local done = opts.on_done or function() end
  M.regions(bufnr, function(err, regions)
    if err then
      notify(err, vim.log.levels.WARN)
      return done(err, nil, {})
    end
    local ids = {}
    for _, r in ipairs(touching(regions, first, last)) do
      if M.OPEN_STATUSES[r.status] then
        ids[#ids + 1] = r.regionId
      end
    end
    if #ids == 0 then
      notify('no AI-generated code to review here')
      return done(nil, nil, ids)
    end
    local client = record.client(bufnr)
    if not client then
      notify('the ailedger language server has stopped', vim.log.levels.WARN)
      return done('client stopped', nil, ids)
    end
    local argument = { regionIds = ids, verdict = verdict, note = opts.note }
    client:exec_cmd({ title = M.REVIEW_TITLE, command = M.REVIEW_COMMAND, arguments = { argument } },
      { bufnr = bufnr }, function(xerr, result)
        if xerr then
          local msg = xerr.message or vim.inspect(xerr)
          notify('review failed: ' .. msg, vim.log.levels.ERROR)
          return done(msg, nil, ids)
        end
        notify(('%s: %d region%s'):format(verdict, #ids, #ids == 1 and '' or 's'))
        done(nil, result, ids)
      end)
  end)
end

local function pct(fraction)
  return type(fraction) == 'number' and ('%d%%'):format(math.floor(fraction * 100 + 0.5)) or '?'
end

local function text_or(value, default)
  return (value ~= nil and value ~= vim.NIL) and tostring(value) or default
end

--- Markdown lines describing regions.
--- @param regions table[]
--- @return string[]
function M.describe(regions)
  local lines = {}
  for i, r in ipairs(regions) do
    local p = r.provenance or {}
    local tool, model = p.tool or {}, p.model or {}
    if i > 1 then
      lines[#lines + 1] = '---'
    end
    lines[#lines + 1] = ('**AI-generated code** (%s) `%s`'):format(text_or(r.status, '?'), text_or(r.regionId, '?'))
    lines[#lines + 1] = ('- lines %d-%d, %s still as the AI wrote it'):format(
      r.range.start.line + 1, r.range['end'].line + 1, pct(r.aiFraction))
    lines[#lines + 1] = ('- tool: %s %s'):format(text_or(tool.name, 'unknown'), text_or(tool.version, ''))
    local model_parts = vim.tbl_filter(function(v) return v ~= '' end,
      { text_or(model.provider, ''), text_or(model.id, ''), text_or(model.version, '') })
    lines[#lines + 1] = '- model: ' .. (#model_parts > 0 and table.concat(model_parts, ' / ') or 'unknown')
    lines[#lines + 1] = ('- accepted by %s at %s (%s)'):format(
      text_or(p.acceptedBy, 'unknown'), text_or(p.acceptedAt, '?'), text_or(p.kind, '?'))
    for _, review in ipairs(type(r.reviews) == 'table' and r.reviews or {}) do
      if type(review) == 'table' then
        lines[#lines + 1] = ('- reviewed: %s by %s at %s'):format(text_or(review.verdict, '?'),
          text_or(review.reviewer, '?'), text_or(review.reviewedAt or review.at, '?'))
      end
    end
  end
  return lines
end

--- Show the provenance of the AI regions under the cursor (or in a line range) in a float.
--- @param opts {bufnr?: integer, line1?: integer, line2?: integer, on_done?: fun(err: string?, regions: table[], lines: string[], winid: integer?)}
function M.provenance(opts)
  opts = opts or {}
  local bufnr = resolve(opts.bufnr)
  local cursor = vim.api.nvim_win_get_cursor(0)[1]
  local first, last = (opts.line1 or cursor) - 1, (opts.line2 or opts.line1 or cursor) - 1
  local done = opts.on_done or function() end
  M.regions(bufnr, function(err, regions)
    if err then
      notify(err, vim.log.levels.WARN)
      return done(err, {}, {})
    end
    local here = touching(regions, first, last)
    if #here == 0 then
      notify('no AI-generated code here')
      return done(nil, here, {})
    end
    local lines = M.describe(here)
    local _, winid = vim.lsp.util.open_floating_preview(lines, 'markdown', { focus_id = 'ailedger-provenance' })
    done(nil, here, lines, winid)
  end)
end

--- One quickfix entry per region (pushed and pulled copies of a diagnostic count once).
local function dedupe(items)
  local seen, out = {}, {}
  for _, item in ipairs(items) do
    local key = item.region_id or (item.filename .. ':' .. item.lnum .. ':' .. item.col)
    if not seen[key] then
      seen[key] = true
      item.region_id = nil
      out[#out + 1] = item
    end
  end
  return out
end

local function set_qflist(items, title, open)
  vim.fn.setqflist({}, ' ', { title = title, items = items })
  if open and #items > 0 then
    vim.cmd('botright copen')
    vim.cmd('wincmd p') -- stay in the code; :cc / :cnext jump
  end
end

--- Quickfix items from the diagnostics Neovim holds (bufnr nil: every buffer).
local function buffer_items(bufnr)
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'ailedger' and M.OPEN_CODES[d.code] then
      local data = vim.tbl_get(d, 'user_data', 'lsp', 'data') or {}
      items[#items + 1] = {
        bufnr = d.bufnr, filename = vim.api.nvim_buf_get_name(d.bufnr), lnum = d.lnum + 1, col = d.col + 1,
        end_lnum = (d.end_lnum or d.lnum) + 1, end_col = (d.end_col or d.col) + 1,
        text = d.message, type = 'W', region_id = data.regionId,
      }
    end
  end
  return items
end

local function sorted(items)
  table.sort(items, function(a, b)
    if a.filename ~= b.filename then
      return a.filename < b.filename
    end
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return dedupe(items)
end

--- Byte column of an LSP position in a file (loaded buffer, else the file on disk).
local function byte_col(fname, line, character, encoding, cache)
  local lines = cache[fname]
  if not lines then
    local bufnr = vim.fn.bufnr(fname)
    if bufnr ~= -1 and vim.api.nvim_buf_is_loaded(bufnr) then
      lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    else
      local ok, read = pcall(vim.fn.readfile, fname)
      lines = ok and read or {}
    end
    cache[fname] = lines
  end
  local text = lines[line + 1]
  if not text then
    return character
  end
  local ok, col = pcall(vim.str_byteindex, text, encoding, character, false)
  return ok and col or character
end

local function workspace_items(report, encoding)
  local items, cache = {}, {}
  for _, doc in ipairs(type(report) == 'table' and report.items or {}) do
    local fname = vim.uri_to_fname(doc.uri)
    for _, d in ipairs(doc.items or {}) do
      if d.source == 'ailedger' and M.OPEN_CODES[d.code] then
        local s, e = d.range.start, d.range['end']
        items[#items + 1] = {
          filename = fname,
          lnum = s.line + 1, col = byte_col(fname, s.line, s.character, encoding, cache) + 1,
          end_lnum = e.line + 1, end_col = byte_col(fname, e.line, e.character, encoding, cache) + 1,
          text = d.message, type = 'W', region_id = type(d.data) == 'table' and d.data.regionId or nil,
        }
      end
    end
  end
  return items
end

--- Fill the quickfix list with the buffer's unreviewed AI regions, or with
--- `workspace = true` those of every open buffer and of the files the server
--- reports through workspace/diagnostic.
--- @param opts {bufnr?: integer, workspace?: boolean, open?: boolean, on_done?: fun(err: string?, items: table[])}
function M.unreviewed(opts)
  opts = opts or {}
  local bufnr = resolve(opts.bufnr)
  local done = opts.on_done or function() end
  local open = opts.open ~= false
  if not opts.workspace then
    local items = sorted(buffer_items(bufnr))
    set_qflist(items, 'AI-generated code to review', open)
    if #items == 0 then
      notify('no unreviewed AI-generated code in this buffer')
    end
    return done(nil, items)
  end
  local client = record.client(bufnr) or vim.lsp.get_clients({ name = 'ailedger' })[1]
  if not client then
    notify('the ailedger language server is not running', vim.log.levels.WARN)
    return done('no ailedger client', {})
  end
  client:request('workspace/diagnostic', { previousResultIds = {} }, function(err, report)
    if err then
      local msg = err.message or vim.inspect(err)
      notify('workspace/diagnostic failed: ' .. msg, vim.log.levels.ERROR)
      return done(msg, {})
    end
    -- The server answers for files not open here; open ones come from their diagnostics.
    local items = sorted(vim.list_extend(buffer_items(nil), workspace_items(report, client.offset_encoding or 'utf-16')))
    set_qflist(items, 'AI-generated code to review (workspace)', open)
    if #items == 0 then
      notify('no unreviewed AI-generated code in the workspace')
    end
    done(nil, items)
  end, bufnr)
end

--- Create the user commands.
function M.create()
  vim.api.nvim_create_user_command('AiLedgerReview', function(c)
    local verdict, note = c.fargs[1], nil
    if verdict and not vim.list_contains(M.VERDICTS, verdict) then
      verdict, note = nil, c.args
    elseif verdict then
      note = vim.trim(c.args:sub(#verdict + 1))
    end
    M.review({
      line1 = c.range > 0 and c.line1 or nil, line2 = c.range > 0 and c.line2 or nil,
      verdict = verdict, note = note ~= '' and note or nil,
    })
  end, {
    range = true, nargs = '*',
    complete = function(lead)
      return vim.tbl_filter(function(v) return v:find(lead, 1, true) == 1 end, M.VERDICTS)
    end,
    desc = 'ailedger: mark the AI-generated code under the cursor (or in the range) reviewed: [verdict] [note]',
  })
  vim.api.nvim_create_user_command('AiLedgerProvenance', function(c)
    M.provenance({ line1 = c.range > 0 and c.line1 or nil, line2 = c.range > 0 and c.line2 or nil })
  end, { range = true, desc = 'ailedger: who and what wrote the AI-generated code here' })
  vim.api.nvim_create_user_command('AiLedgerUnreviewed', function(c)
    M.unreviewed({ workspace = c.bang })
  end, { bang = true, desc = 'ailedger: quickfix list of unreviewed AI-generated code (! for the workspace)' })
end

return M
