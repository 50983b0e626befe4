--- Recording what a chat or agent plugin wrote into a file.
---
--- The integration snapshots the file before the plugin's edit (its "tool
--- started" / "request started" event) and, once the edit is accepted, diffs
--- the buffer against the snapshot and records each changed range with its
--- exact text (ailedger.record). A file the plugin edited on disk without a
--- buffer is opened (hidden) so the ailedger language server can check the
--- text; recording waits for the server to attach to it.
---
--- Everything here runs after the edit already happened and never raises:
--- recording can fail, the plugin's edit cannot.
local diff = require('ailedger.diff')
local record = require('ailedger.record')

local M = {}

--- How long to wait for the server to attach to a buffer opened for recording.
M.ATTACH_TIMEOUT_MS = 10000

--- An absolute, normalised path.
--- @param path string
function M.normalize(path)
  return vim.fs.normalize(vim.fn.fnamemodify(path, ':p'))
end

--- The loaded buffer showing `path`, if any.
--- @param path string
--- @return integer?
function M.buffer_of(path)
  local want = M.normalize(path)
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      local name = vim.api.nvim_buf_get_name(bufnr)
      if name ~= '' and M.normalize(name) == want then
        return bufnr
      end
    end
  end
end

--- @class ailedger.edits.Snapshot
--- @field path string absolute
--- @field lines string[] the buffer's lines, or the file's, or {""} for a file not there yet

--- The text of `path` now: its buffer's if loaded, else the file on disk,
--- else empty (a file the plugin is about to create).
--- @param path string
--- @return ailedger.edits.Snapshot
function M.snapshot(path)
  local abs = M.normalize(path)
  local bufnr = M.buffer_of(abs)
  local lines
  if bufnr then
    lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  elseif vim.uv.fs_stat(abs) then
    local ok, read = pcall(vim.fn.readfile, abs)
    lines = ok and read or {}
  end
  if not lines or #lines == 0 then
    lines = { '' }
  end
  return { path = abs, lines = lines }
end

--- A snapshot of a buffer (for plugins that name the buffer, not the file).
--- @param bufnr integer
--- @return ailedger.edits.Snapshot?
function M.snapshot_buffer(bufnr)
  if not (bufnr and vim.api.nvim_buf_is_valid(bufnr)) then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil -- a scratch buffer: nothing the ledger could follow
  end
  return { path = M.normalize(name), lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false) }
end

--- Run fn once the ailedger client is attached to bufnr (at once if it is),
--- or after ATTACH_TIMEOUT_MS anyway (record.lua then says it is not running).
local function when_attached(bufnr, fn)
  if record.client(bufnr) then
    return fn()
  end
  local done = false
  local function run()
    if not done then
      done = true
      fn()
    end
  end
  vim.api.nvim_create_autocmd('LspAttach', {
    buffer = bufnr,
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      if client and client.name == 'ailedger' then
        vim.schedule(run)
        return true -- delete this autocmd
      end
    end,
  })
  vim.defer_fn(run, M.ATTACH_TIMEOUT_MS)
end

--- Load a file into a hidden buffer. Scheduled by the caller: inside an
--- autocommand (the plugins' User events) Neovim runs no nested events, so
--- no FileType, and the language server would never attach.
local function load(path)
  local bufnr = vim.fn.bufadd(path)
  vim.fn.bufload(bufnr)
  vim.bo[bufnr].buflisted = true
  return bufnr
end

--- Record the changes between snap and the buffer's lines now.
local function record_changes(snap, bufnr, meta)
  local changes = vim.tbl_filter(function(c)
    return c.text ~= ''
  end, diff.hunks(snap.lines, vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)))
  if #changes == 0 then
    return
  end
  when_attached(bufnr, function()
    for _, c in ipairs(changes) do
      record.accepted({
        bufnr = bufnr, start = c.start, end_ = c.new_end, text = c.text,
        kind = meta.kind, tool = meta.tool, model = meta.model, prompt = meta.prompt,
      })
    end
  end)
end

--- Record every range that changed in the snapshot's file since it was
--- taken, each with its exact text: now for a file open in a buffer, after
--- loading it for a file the plugin wrote on disk. Never raises.
--- @param snap ailedger.edits.Snapshot
--- @param meta {kind: string, tool: table, model?: table, prompt?: string}
function M.record_since(snap, meta)
  local function run(fn)
    local ok, err = pcall(fn)
    if not ok then
      record.warn('internal error while recording an AI edit: ' .. tostring(err))
    end
  end
  run(function()
    local bufnr = M.buffer_of(snap.path)
    if bufnr then
      return record_changes(snap, bufnr, meta)
    end
    if vim.uv.fs_stat(snap.path) then
      vim.schedule(function()
        run(function()
          record_changes(snap, M.buffer_of(snap.path) or load(snap.path), meta)
        end)
      end)
    end
  end)
end

return M
