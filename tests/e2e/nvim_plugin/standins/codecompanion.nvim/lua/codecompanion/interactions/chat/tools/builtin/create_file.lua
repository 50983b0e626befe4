-- Stand-in for tools/builtin/create_file.lua run by the orchestrator (test
-- only): ToolStarted {bufnr, id, tool = "create_file", args = {filepath,
-- content}}; fails when the file exists; else writes it on disk
-- (files.write_to_path), fires FileEdited {path = vim.fs.normalize(filepath),
-- tool = "create_file"}, then ToolFinished.
local utils = require('codecompanion.utils')

local M = { name = 'create_file' }

function M.run(chat, args, on_done)
  local id = math.random(10000000)
  utils.fire('ToolStarted', { bufnr = chat.bufnr, id = id, tool = M.name, args = args })
  local filepath = vim.fs.normalize(args.filepath)
  local status = 'error'
  if not vim.uv.fs_stat(filepath) then
    vim.fn.writefile(vim.split(args.content or '', '\n', { plain = true }), filepath)
    utils.fire('FileEdited', { path = filepath, tool = M.name })
    status = 'success'
  end
  utils.fire('ToolFinished', { bufnr = chat.bufnr, id = id, name = M.name, args = args })
  on_done(status)
end

return M
