-- Stand-in for lua/avante/llm_tools/replace_in_file.lua (test only):
-- input {path, the_diff} with "------- SEARCH / ======= / +++++++ REPLACE"
-- blocks. While the model is still generating (opts.streaming) it only draws
-- extmarks; the final call writes the new lines into the buffer, asks
-- Helpers.confirm, then on yes `noautocmd write!` and on_complete(true, nil),
-- on no restores the original lines and on_complete(false, "User declined, ...").
local Helpers = require('avante.llm_tools.helpers')

local M = { name = 'replace_in_file', support_streaming = true }
local NAMESPACE = vim.api.nvim_create_namespace('avante-diff')

local function blocks(the_diff)
  local out, cur, side = {}, nil, nil
  for _, line in ipairs(vim.split(the_diff, '\n', { plain = true })) do
    if line:match('^%-%-%-%-%-%-%- SEARCH') then
      cur, side = { old = {}, new = {} }, 'old'
    elseif line:match('^=======') and cur then
      side = 'new'
    elseif line:match('^%+%+%+%+%+%+%+ REPLACE') and cur then
      out[#out + 1], cur = cur, nil
    elseif cur then
      table.insert(cur[side], line)
    end
  end
  return out
end

function M.func(input, opts)
  local on_complete = opts.on_complete
  if not on_complete then
    return false, 'on_complete not provided'
  end
  local abs_path = Helpers.get_abs_path(input.path)
  local bufnr, err = Helpers.get_bufnr(abs_path)
  if err then
    return false, err
  end
  local original_lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local lines = vim.deepcopy(original_lines)
  for _, b in ipairs(blocks(input.the_diff)) do
    local found
    for i = 1, #lines - #b.old + 1 do
      if vim.deep_equal(vim.list_slice(lines, i, i + #b.old - 1), b.old) then
        found = i
        break
      end
    end
    if not found then
      return false, 'Failed to find the old string:\n' .. table.concat(b.old, '\n')
    end
    if opts.streaming then
      vim.api.nvim_buf_set_extmark(bufnr, NAMESPACE, found - 1, 0, { virt_lines = { { { b.new[1] or '', 'DiffAdd' } } } })
    else
      lines = vim.list_extend(vim.list_extend(vim.list_slice(lines, 1, found - 1), b.new), vim.list_slice(lines, found + #b.old))
    end
  end
  if opts.streaming then
    return
  end
  vim.api.nvim_buf_clear_namespace(bufnr, NAMESPACE, 0, -1)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  Helpers.confirm('Are you sure you want to apply this modification?', function(ok, reason)
    if not ok then
      vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, original_lines)
      on_complete(false, 'User declined, reason: ' .. (reason or 'unknown'))
      return
    end
    vim.api.nvim_buf_call(bufnr, function() vim.cmd('noautocmd write!') end)
    on_complete(true, nil)
  end, { focus = true }, opts.session_ctx, M.name)
end

return M
