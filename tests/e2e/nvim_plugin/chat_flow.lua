-- Chat and agent plugins through the ailedger plugin's integrations:
-- stand-ins for codecompanion.nvim (standins/codecompanion.nvim) and
-- avante.nvim (standins/avante.nvim) apply edits the way the real plugins do
-- and fire their events; the user accepts (or rejects) with the plugins'
-- own keys or answers; the integration records what landed.
--
-- CONFIG keys (besides harness.lua's): cmd (ailedger), plugin =
-- "codecompanion" | "avante", dir (the repository).
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))
local config, steps = H.config, H.result.steps

local function path(name)
  return vim.fs.joinpath(config.dir, name)
end

--- Wait until `n` acceptances were answered by the server; return them.
local function recorded(n, what)
  return H.wait_for(('%d recorded acceptance(s) (%s)'):format(n, what), function()
    if #H.recorded < n then
      return nil
    end
    for i = 1, n do
      if not (H.recorded[i].result or H.recorded[i].error) then
        return nil
      end
    end
    return true
  end)
end

--- Open a file in the current window and wait for the ailedger client.
local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(path(name)))
  local bufnr = vim.api.nvim_get_current_buf()
  H.client('ailedger', bufnr)
  return bufnr
end

local function press(keys)
  H.type(keys)
end

-- codecompanion.nvim -------------------------------------------------------

local function codecompanion()
  local tool = require('codecompanion.interactions.chat.tools.builtin.insert_edit_into_file')
  local utils = require('codecompanion.utils')
  local chat = { bufnr = vim.api.nvim_create_buf(false, true) }
  -- The chat's request (http.lua fires RequestStarted with the adapter).
  utils.fire('RequestStarted', {
    bufnr = chat.bufnr, id = 1, interaction = 'chat',
    adapter = { name = 'copilot', formatted_name = 'Copilot', model = 'gpt-4.1' },
  })

  -- 1. The agent edits app.py (open in a buffer); the user views the diff and accepts with g2.
  local app = open('app.py')
  local status
  tool.run(chat, {
    filepath = path('app.py'), mode = 'append', explanation = 'round the total',
    edits = {
      { oldText = 'import os', newText = 'import os\nimport math', replaceAll = false },
      { oldText = '    return price * qty', newText = '    # 🙂 total, ünï\n    return round(price * qty, 2)', replaceAll = false },
    },
  }, { approve = true }, function(s) status = s end)
  H.wait_for('the review float', function() return vim.api.nvim_get_current_buf() == tool.review_buffer end)
  press('g2')
  H.wait_for('the edit to be applied', function() return status end)
  steps.agent_open = { status = status, lines = H.lines(app) }
  recorded(2, 'agent edit of an open file')

  -- 2. The agent edits util.py, not open in any buffer (written on disk).
  status = nil
  tool.run(chat, {
    filepath = path('util.py'), mode = 'append', explanation = 'add a helper',
    edits = { { oldText = 'def helper():\n    pass', newText = 'def helper():\n    return 42  # ü', replaceAll = false } },
  }, {}, function(s) status = s end)
  H.wait_for('the disk edit', function() return status end)
  recorded(3, 'agent edit of a file not open')
  steps.agent_disk = { status = status }

  -- 2b. The agent creates a file: all of it is recorded; creating it again fails and records nothing.
  local create = require('codecompanion.interactions.chat.tools.builtin.create_file')
  local created = {}
  for _ = 1, 2 do
    create.run(chat, { filepath = path('made.py'), content = 'def made():\n    return "ñ"' }, function(s)
      created[#created + 1] = s
    end)
  end
  recorded(4, 'created file')
  steps.created = created

  -- 3. The agent's edit is rejected with g3: nothing lands, nothing is recorded.
  vim.cmd.buffer(app)
  status = nil
  local before = H.lines(app)
  tool.run(chat, {
    filepath = path('app.py'), mode = 'append', explanation = 'no',
    edits = { { oldText = 'import math', newText = 'import sys', replaceAll = false } },
  }, { approve = true }, function(s) status = s end)
  H.wait_for('the review float', function() return vim.api.nvim_get_current_buf() == tool.review_buffer end)
  press('g3')
  H.wait_for('the rejection', function() return status end)
  steps.agent_rejected = { status = status, unchanged = vim.deep_equal(before, H.lines(app)) }

  -- 4. The inline assistant rewrites a selection of calc.py; its diff is accepted with g2.
  local Inline = require('codecompanion.interactions.inline')
  local calc = open('calc.py')
  local adapter = { name = 'anthropic', formatted_name = 'Anthropic', model = 'claude-sonnet-4' }
  local function inline(response, ctx)
    local i = Inline.new({ adapter = adapter, buffer_context = vim.tbl_extend('force', {
      bufnr = calc, winnr = vim.api.nvim_get_current_win(), start_col = 1, end_col = 0,
    }, ctx) })
    i:submit({}, response)
    return i
  end
  local tick = vim.api.nvim_buf_get_changedtick(calc)
  inline({ placement = 'replace', code = 'def scale(x, k=2):\n    return x * k' },
    { start_line = 1, end_line = 2, end_col = 99 })
  H.wait_for('the inline diff', function() return vim.api.nvim_buf_get_changedtick(calc) ~= tick end)
  steps.inline_pending = { lines = H.lines(calc), recorded = #H.recorded }
  H.settle(10)
  steps.inline_pending.recorded_after_settle = #H.recorded
  press('g2')
  recorded(5, 'inline diff accepted')

  -- 5. An inline diff rejected with g3: the buffer is restored, nothing is recorded.
  tick = vim.api.nvim_buf_get_changedtick(calc)
  local kept = H.lines(calc)
  inline({ placement = 'replace', code = 'def nope():\n    pass' }, { start_line = 1, end_line = 2, end_col = 99 })
  H.wait_for('the second inline diff', function() return vim.api.nvim_buf_get_changedtick(calc) ~= tick end)
  press('g3')
  H.wait_for('the restore', function() return vim.deep_equal(H.lines(calc), kept) end)

  -- 6. With diffs off, the inline assistant writes after the selection at once.
  require('codecompanion.config').display.diff.enabled = false
  inline({ placement = 'add', code = 'TAU = 6.28  # 🙂' }, { start_line = 2, end_line = 2 })
  recorded(6, 'inline written without a diff')
  steps.calc = H.lines(calc)

  -- 7. Versions before the "new diff" rewrite fire CodeCompanionDiffAccepted
  -- {diff, bufnr, id, accept} (providers/diff/inline.lua at 27a22245^) when
  -- the user accepts; the buffer already holds the new text.
  utils.fire('RequestStarted', { bufnr = calc, id = 7, interaction = 'inline',
    buffer_context = { bufnr = calc }, adapter = adapter })
  vim.api.nvim_buf_set_lines(calc, 0, 1, false, { 'def scale(x, k=2):  # legacy' })
  utils.fire('DiffAccepted', { diff = 'inline', bufnr = calc, id = 7, accept = true })
  recorded(7, 'legacy DiffAccepted')
end

-- avante.nvim --------------------------------------------------------------

local function avante()
  local app = open('app.py')
  require('avante').setup({})
  -- (lua/avante/llm.lua requires llm_tools when it loads; the sidebar then
  -- fires AvanteInputSubmitted for the user's request.)
  local LLMTools = require('avante.llm_tools')
  vim.api.nvim_exec_autocmds('User', { pattern = 'AvanteInputSubmitted', data = { request = 'round the total' } })
  local Helpers = require('avante.llm_tools.helpers')
  local tools = { require('avante.llm_tools.replace_in_file'), require('avante.llm_tools.create') }
  local session_ctx = {}

  local function call(tool_use)
    local done
    -- While the model is still generating, llm.lua calls the tools that
    -- support streaming with streaming = true; then the final call.
    if vim.iter(tools):find(function(t) return t.name == tool_use.name end).support_streaming then
      LLMTools.process_tool_use(tools, vim.tbl_extend('force', tool_use, { state = 'generating' }), {
        session_ctx = session_ctx, tool_use_id = tool_use.id, streaming = true, on_complete = function() end,
      })
    end
    local result, err = LLMTools.process_tool_use(tools, tool_use, {
      session_ctx = session_ctx, tool_use_id = tool_use.id,
      on_complete = function(r, e) done = { result = r, err = e } end,
    })
    if result ~= nil or err ~= nil then
      done = { result = result, err = err }
    end
    return function() return done end
  end

  -- 1. replace_in_file on app.py, accepted.
  local done = call({
    id = 'toolu_01', name = 'replace_in_file',
    input = { path = 'app.py', the_diff = table.concat({
      '------- SEARCH', '    return price * qty', '=======', '    # 🙂 ünï', '    return round(price * qty, 2)',
      '+++++++ REPLACE',
    }, '\n') },
  })
  H.wait_for('the confirm', function() return Helpers.pending end)
  steps.avante_pending = { recorded = #H.recorded }
  Helpers.answer(true)
  steps.replace = H.wait_for('replace_in_file to complete', done)
  recorded(1, 'replace_in_file accepted')

  -- 2. create: a new file, all of it.
  done = call({ id = 'toolu_02', name = 'create', input = { path = 'new_mod.py', file_text = 'def hello():\n    return "héllo"' } })
  H.wait_for('the confirm', function() return Helpers.pending end)
  Helpers.answer(true)
  steps.create = H.wait_for('create to complete', done)
  recorded(2, 'create accepted')

  -- 3. replace_in_file declined: the lines are restored, nothing is recorded.
  vim.cmd.buffer(app)
  local before = H.lines(app)
  done = call({
    id = 'toolu_03', name = 'replace_in_file',
    input = { path = 'app.py', the_diff = '------- SEARCH\nimport os\n=======\nimport sys\n+++++++ REPLACE' },
  })
  H.wait_for('the confirm', function() return Helpers.pending end)
  Helpers.answer(false, 'not now')
  steps.declined = H.wait_for('the declined call to complete', done)
  steps.declined.unchanged = vim.deep_equal(before, H.lines(app))

  -- 4. A call that fails (the old text is not there): nothing is recorded.
  steps.failed = H.wait_for('the failed call', call({
    id = 'toolu_04', name = 'replace_in_file',
    input = { path = 'app.py', the_diff = '------- SEARCH\nnot in the file\n=======\nx\n+++++++ REPLACE' },
  }))

  -- 5. Legacy mode: the sidebar applies a code block as a conflict; the user keeps "theirs".
  local Diff = require('avante.diff')
  local calc = open('calc.py')
  Diff.apply_snippet(calc, 1, 2, 'def scale(x, k=3):\n    return x * k  # 🙂')
  steps.conflict_lines = H.lines(calc)
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  Diff.choose('theirs')
  recorded(3, 'conflict resolved to theirs')
  steps.calc = H.lines(calc)
end

H.run(function()
  local ailedger = require('ailedger')
  ailedger.setup({ cmd = config.cmd })
  steps.wrapped = ailedger.wrapped
  if config.plugin == 'codecompanion' then
    require('codecompanion').setup({})
    codecompanion()
  else
    avante()
  end
  H.settle(10) -- nothing more arrives late (a rejected edit would show here)
  steps.recorded = vim.deepcopy(H.recorded)
  steps.errmsg = vim.v.errmsg
  H.stop_all()
end)
