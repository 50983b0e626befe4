-- Stand-in for lua/codecompanion/interactions/inline/init.lua (test only).
-- Same flow as the real Inline: submit() fires RequestStarted (data from
-- http.lua: {adapter = {name, formatted_name, model}, bufnr, buffer_context,
-- interaction = "inline", id}) and InlineStarted; the response's done()
-- fires InlineFinished *before* writing, then in a scheduled callback
-- either writes the code (diff disabled) and reset()s, or shows the new
-- content in the buffer as an inline diff whose accept ("g2") calls
-- on_diff_accepted -> reset() and reject ("g3") restores the original lines
-- -> reset(). The response is handed to submit() instead of fetched.
local config = require('codecompanion.config')
local utils = require('codecompanion.utils')
local api = vim.api

local Inline = {}
Inline.__index = Inline

--- @param args {buffer_context: {bufnr, start_line, end_line, start_col, end_col, winnr}, adapter: table}
function Inline.new(args)
  return setmetatable({
    id = math.random(10000000),
    buffer_context = args.buffer_context,
    bufnr = args.buffer_context.bufnr,
    adapter = args.adapter,
    classification = { pos = {} },
  }, Inline)
end

--- (the real submit sends the prompt over HTTP; here the response is given)
--- @param response {placement: string, code: string}
function Inline:submit(_prompt, response)
  local opts = {
    bufnr = self.bufnr,
    buffer_context = self.buffer_context,
    interaction = 'inline',
    id = math.random(10000000),
    adapter = { name = self.adapter.name, formatted_name = self.adapter.formatted_name, model = self.adapter.model },
  }
  utils.fire('RequestStarted', opts)
  utils.fire('InlineStarted', opts)
  vim.schedule(function()
    self:done(vim.json.encode(response))
    opts.status = 'success'
    utils.fire('RequestFinished', opts)
    utils.fire('InlineStarted', opts) -- (http.lua fires user_args.event again at the end)
  end)
end

function Inline:done(output)
  utils.fire('InlineFinished')
  local json = vim.json.decode(output)
  local placement = json.placement
  vim.schedule(function()
    if not config.display.diff.enabled then
      self:place(placement)
      self:output(json.code)
      return self:reset()
    end
    local original = api.nvim_buf_get_lines(self.bufnr, 0, -1, true)
    self:start_diff({ original_content = original, new_content = self:get_new_content(original, json.code, placement) })
  end)
end

function Inline:reset()
  self.current_request = nil
end

function Inline:get_new_content(original, code, placement)
  local new_lines = vim.split(code, '\n')
  local ctx = self.buffer_context
  local result = vim.deepcopy(original)
  if placement == 'replace' then
    local before = vim.list_slice(result, 1, ctx.start_line - 1)
    local after = vim.list_slice(result, ctx.end_line + 1)
    local prefix = ctx.start_col > 0 and result[ctx.start_line]:sub(1, ctx.start_col - 1) or ''
    local suffix = result[ctx.end_line]:sub(ctx.end_col + 1)
    new_lines[1] = prefix .. new_lines[1]
    new_lines[#new_lines] = new_lines[#new_lines] .. suffix
    return vim.list_extend(vim.list_extend(before, new_lines), after)
  elseif placement == 'add' then
    local before = vim.list_slice(result, 1, ctx.end_line)
    return vim.list_extend(vim.list_extend(before, new_lines), vim.list_slice(result, ctx.end_line + 1))
  end
  error('stand-in: placement ' .. tostring(placement) .. ' not implemented')
end

--- (diff disabled: "add" writes after the selection, as the real place/output)
function Inline:place(placement)
  assert(placement == 'add', 'stand-in: only "add" without a diff')
  api.nvim_buf_set_lines(self.bufnr, self.buffer_context.end_line, self.buffer_context.end_line, false, { '' })
  self.classification.pos = { line = self.buffer_context.end_line + 1, col = 0, bufnr = self.bufnr }
end

function Inline:output(output)
  local pos = self.classification.pos
  local lines = vim.split(output, '\n')
  api.nvim_buf_set_text(pos.bufnr, pos.line - 1, pos.col, pos.line - 1, pos.col, { lines[1] })
  api.nvim_buf_set_lines(pos.bufnr, pos.line, pos.line, false, vim.list_slice(lines, 2))
end

--- The inline diff (diff/ui.lua with inline = true): the buffer shows the new
--- content; accept keeps it, reject restores the original.
function Inline:start_diff(args)
  self.original_content = args.original_content
  api.nvim_buf_set_lines(self.bufnr, 0, -1, false, args.new_content)
  local keymaps = config.interactions.shared.keymaps
  local function resolve(fn)
    return function()
      pcall(vim.keymap.del, 'n', keymaps.accept_change.modes.n, { buffer = self.bufnr })
      pcall(vim.keymap.del, 'n', keymaps.reject_change.modes.n, { buffer = self.bufnr })
      fn(self)
    end
  end
  vim.keymap.set('n', keymaps.accept_change.modes.n, resolve(Inline.on_diff_accepted), { buffer = self.bufnr, nowait = true })
  vim.keymap.set('n', keymaps.reject_change.modes.n, resolve(Inline.on_diff_rejected), { buffer = self.bufnr, nowait = true })
end

function Inline:on_diff_accepted()
  self.original_content = nil
  self:reset()
end

function Inline:on_diff_rejected()
  api.nvim_buf_set_lines(self.bufnr, 0, -1, false, self.original_content)
  self.original_content = nil
  self:reset()
end

return Inline
