-- Stand-in for lua/avante/llm_tools/init.lua's process_tool_use(tools,
-- tool_use, opts): finds the tool by tool_use.name, calls
-- tool.func(tool_use.input, {session_ctx, on_log, on_complete, streaming,
-- tool_use_id}); the result comes back through opts.on_complete(result, err)
-- (asynchronous tools) or is returned (result, err).
local M = {}

local function handle_result(result, err)
  local result_str
  if type(result) == 'string' then
    result_str = result
  elseif result ~= nil then
    result_str = vim.json.encode(result)
  end
  return result_str, err
end

function M.process_tool_use(tools, tool_use, opts)
  local on_complete = opts.on_complete
  local tool = vim.iter(tools):find(function(t) return t.name == tool_use.name end)
  if tool == nil then
    return nil, 'This tool is not provided: ' .. vim.inspect(tool_use.name)
  end
  local result, err = tool.func(tool_use.input, {
    session_ctx = opts.session_ctx or {},
    on_log = function() end,
    on_complete = function(r, e)
      r, e = handle_result(r, e)
      if on_complete then
        on_complete(r, e)
      end
    end,
    streaming = opts.streaming,
    tool_use_id = opts.tool_use_id,
  })
  if result == nil and err == nil and on_complete then
    return
  end
  return handle_result(result, err)
end

return M
