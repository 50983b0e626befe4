-- Stand-in for the chat agent's tool run (test only), with the events and
-- data of lua/codecompanion/interactions/chat/tools/orchestrator.lua
-- (ToolStarted {bufnr, id, tool, args}; ToolFinished {bufnr, id, name, args})
-- and of tools/builtin/insert_edit_into_file/init.lua: args {filepath,
-- edits = {{oldText, newText, replaceAll}}, mode, explanation}; a file open
-- in a buffer is rewritten with nvim_buf_set_lines(0, -1) and `silent
-- write`, a file that is not is written on disk; then FileEdited {bufnr?,
-- line, path, tool = "insert_edit_into_file"}. When approval is required the
-- diff opens in a float whose "g2" applies and "g3" rejects
-- (tools/builtin/helpers/diff.lua, diff/keymaps.lua); a rejected edit
-- fires no FileEdited.
local utils = require('codecompanion.utils')
local api = vim.api

local M = { name = 'insert_edit_into_file' }

local function buffer_of(path)
  for _, b in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(b) and vim.fs.normalize(api.nvim_buf_get_name(b)) == vim.fs.normalize(path) then
      return b
    end
  end
end

local function first_changed_line(a, b)
  for i = 1, math.max(#a, #b) do
    if a[i] ~= b[i] then
      return i
    end
  end
  return 1
end

--- Run the tool as the orchestrator does.
--- @param chat {bufnr: integer}
--- @param args table the LLM's tool call arguments
--- @param opts {approve?: boolean} nil: no approval asked; true/false: the user's answer in the diff float
--- @param on_done fun(status: string)
function M.run(chat, args, opts, on_done)
  local id = math.random(10000000)
  utils.fire('ToolStarted', { bufnr = chat.bufnr, id = id, tool = M.name, args = args })
  local function finish(status)
    utils.fire('ToolFinished', { bufnr = chat.bufnr, id = id, name = M.name, args = args })
    on_done(status)
  end

  local bufnr = buffer_of(args.filepath)
  local content
  if bufnr then
    content = table.concat(api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  else
    content = table.concat(vim.fn.readfile(args.filepath), '\n')
  end
  local new = content
  for _, e in ipairs(args.edits) do
    local s, t = new:find(e.oldText, 1, true)
    if not s then
      return finish('error')
    end
    new = new:sub(1, s - 1) .. e.newText .. new:sub(t + 1)
  end
  local from_lines = vim.split(content, '\n', { plain = true })
  local to_lines = vim.split(new, '\n', { plain = true })

  local function apply()
    if bufnr then
      api.nvim_buf_set_lines(bufnr, 0, -1, false, to_lines)
      api.nvim_buf_call(bufnr, function() vim.cmd('silent write') end)
    else
      vim.fn.writefile(to_lines, args.filepath)
    end
    utils.fire('FileEdited', { bufnr = bufnr, line = first_changed_line(from_lines, to_lines),
      path = bufnr and api.nvim_buf_get_name(bufnr) or args.filepath, tool = M.name })
    finish('success')
  end
  if opts.approve == nil then
    return apply()
  end
  -- The review float: the proposed lines; g2 accepts, g3 rejects.
  local float = api.nvim_create_buf(false, true)
  api.nvim_buf_set_lines(float, 0, -1, false, to_lines)
  local win = api.nvim_open_win(float, true, { relative = 'editor', row = 1, col = 1, width = 60, height = 10 })
  local function close()
    pcall(api.nvim_win_close, win, true)
  end
  vim.keymap.set('n', 'g2', function() close(); apply() end, { buffer = float, nowait = true })
  vim.keymap.set('n', 'g3', function() close(); finish('error') end, { buffer = float, nowait = true })
  M.review_buffer = float
end

return M
