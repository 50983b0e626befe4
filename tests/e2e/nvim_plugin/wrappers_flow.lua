-- AI plugins with their own accept functions, through the ailedger plugin's
-- wrappers: stand-ins for copilot.lua, copilot.vim, windsurf.nvim and
-- supermaven-nvim (standins/PLUGIN) show a suggestion, the user presses the
-- plugin's own keys, and the wrapper records what landed.
--
-- CONFIG keys (besides harness.lua's): cmd (ailedger), file,
-- plugin = "copilot.lua" | "copilot.vim" | "windsurf.nvim" | "supermaven-nvim", ailedger = "real" | "missing".
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))
local config, steps = H.config, H.result.steps

--- Wait until `n` acceptances were sent (or given up on); return them.
local function recorded(n)
  return H.wait_for(('%d recorded acceptance(s)'):format(n), function()
    if #H.recorded < n then
      return nil
    end
    for i = 1, n do
      local r = H.recorded[i]
      if config.ailedger == 'real' and not (r.result or r.error) then
        return nil
      end
    end
    return vim.deepcopy(H.recorded)
  end)
end

local function snapshot(bufnr)
  return { lines = H.lines(bufnr), cursor = vim.api.nvim_win_get_cursor(0), mode = vim.api.nvim_get_mode().mode }
end

local function copilot_lua(bufnr)
  local suggestion = require('copilot.suggestion')
  -- Line 2 (0-based 1), typed "x = os.pa"; Copilot sends the whole line from column 0.
  suggestion._set({
    text = "x = os.path.join('a', 'b')  # 🙂 ü",
    range = { start = { line = 1, character = 0 }, ['end'] = { line = 1, character = 9 } },
  })
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  H.type('<M-w>') -- accept_word, mapped by function reference
  H.wait_for('accept_word to insert', function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end)
  steps.after_word = snapshot(bufnr)
  recorded(1)
  H.type('<M-l>') -- accept, mapped through the module table
  H.wait_for('accept to insert', function()
    return vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1] == "x = os.path.join('a', 'b')  # 🙂 ü"
  end)
  steps.after_accept = snapshot(bufnr)
  recorded(2)
  -- Nothing shown: accept_word does nothing; nothing is recorded.
  H.type('<M-w>')
  H.settle(10)
  steps.after_nothing = snapshot(bufnr)
end

local function copilot_vim(bufnr)
  -- Line 2 (0-based 1), typed "y = max("; copilot.vim's text is what goes at the cursor.
  vim.fn['copilot#SetSuggestionForTest']('a, b)\nz = y + 1  # 🙂', 0, 0)
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  H.type('<Tab>')
  H.wait_for('copilot#Accept to insert', function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick and vim.api.nvim_get_current_line() == 'z = y + 1  # 🙂'
  end)
  steps.after_accept = snapshot(bufnr)
  recorded(1)
  -- Nothing shown: <Tab> inserts a tab, as copilot.vim's fallback; nothing is recorded.
  H.type('<Tab>')
  H.settle(10)
  steps.after_nothing = snapshot(bufnr)
end

--- Press keys for an accept that changes the buffer; wait for the change and its record.
local function accept(bufnr, keys, n, what)
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  H.type(keys)
  H.wait_for(what .. ' to insert', function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end)
  return recorded(n)
end

local LINE = "x = os.path.join('a', 'b')  # 🙂 ü"

local function windsurf(bufnr)
  local vt = require('codeium.virtual_text')
  -- Line 2 (0-based 1) starts at byte 10; typed "x = os.pa". The server's
  -- item replaces the line from its start (range.startOffset..endOffset, int64
  -- as JSON strings; deltaCursorOffset left out when 0, as protobuf JSON does).
  local function offer(typed, id)
    vt.handle_completions({ {
      completion = { completionId = id, text = LINE },
      range = { startOffset = '10', endOffset = tostring(10 + #typed),
        startPosition = { row = '1' }, endPosition = { row = '1', col = tostring(#typed) } },
      suffix = {},
      completionParts = { { type = 'COMPLETION_PART_TYPE_INLINE', text = LINE:sub(#typed + 1), prefix = typed,
        line = '1', offset = tostring(10 + #typed) } },
    } })
  end
  offer('x = os.pa', 'c-1')
  accept(bufnr, '<M-w>', 1, 'accept_next_word')
  steps.after_word = snapshot(bufnr)
  offer('x = os.path', 'c-2')
  accept(bufnr, '<Tab>', 2, 'accept')
  steps.after_accept = snapshot(bufnr)
  steps.server_told = vt.accepted
  -- Nothing shown: <Tab> is windsurf's fallback (a tab); nothing is recorded.
  H.type('<Tab>')
  H.settle(10)
  steps.after_nothing = snapshot(bufnr)
end

local function supermaven(bufnr)
  local preview = require('supermaven-nvim.completion_preview')
  -- Typed "x = os.pa"; supermaven's text is what goes at the cursor.
  preview._show(LINE:sub(#'x = os.pa' + 1), 0)
  accept(bufnr, '<C-j>', 1, 'on_accept_suggestion_word')
  steps.after_word = snapshot(bufnr)
  preview._show(LINE:sub(#'x = os.path' + 1), 0)
  accept(bufnr, '<Tab>', 2, 'on_accept_suggestion')
  steps.after_accept = snapshot(bufnr)
  -- Nothing shown: supermaven feeds a <Tab>; nothing is recorded.
  H.type('<Tab>')
  H.settle(10)
  steps.after_nothing = snapshot(bufnr)
end

H.run(function()
  if config.plugin == 'copilot.lua' then
    require('copilot.suggestion').setup({ accept = '<M-l>', accept_word = '<M-w>', accept_line = '<M-j>' })
  elseif config.plugin == 'windsurf.nvim' then
    require('codeium').setup({ virtual_text = { key_bindings = { accept = '<Tab>', accept_word = '<M-w>', accept_line = '<M-l>' } } })
  elseif config.plugin == 'supermaven-nvim' then
    require('supermaven-nvim').setup({ keymaps = { accept_suggestion = '<Tab>', accept_word = '<C-j>' } })
  else
    vim.cmd.runtime('plugin/copilot.vim')
  end
  -- After the AI plugin, as the README says, so its mappings are wrapped too.
  local ailedger = require('ailedger')
  ailedger.setup({ cmd = config.cmd })
  steps.wrapped = ailedger.wrapped
  steps.tab_map = vim.fn.maparg('<Tab>', 'i')

  vim.cmd.edit(vim.fn.fnameescape(config.file))
  local bufnr = vim.api.nvim_get_current_buf()
  if config.ailedger == 'real' then
    H.client('ailedger', bufnr)
  end
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  H.type(config.plugin == 'copilot.vim' and 'oy = max(' or 'ox = os.pa')
  H.wait_for('insert mode with the typed text', function()
    return vim.api.nvim_get_mode().mode == 'i' and vim.api.nvim_get_current_line():find('^[xy] = ') ~= nil
  end)
  steps.typed = snapshot(bufnr)

  local scenario = { ['copilot.lua'] = copilot_lua, ['copilot.vim'] = copilot_vim,
    ['windsurf.nvim'] = windsurf, ['supermaven-nvim'] = supermaven }
  scenario[config.plugin](bufnr)
  steps.recorded = vim.deepcopy(H.recorded)
  steps.errmsg = vim.v.errmsg

  if config.ailedger == 'real' then
    local ids = {}
    for _, r in ipairs(H.recorded) do
      if r.result then
        ids[r.result.regionId] = true
      end
    end
    -- What the server now holds for the buffer (windsurf retypes the line).
    local client = H.client('ailedger', bufnr)
    local err, regions = H.request(client, 'ailedger/regions', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }, bufnr)
    steps.regions = { err = err, result = regions }
    if config.plugin == 'windsurf.nvim' then
      -- windsurf's accept deletes the line up to the cursor and types it
      -- again (delete_range): the server sees the earlier partial accept
      -- deleted, so only regions it still holds get a diagnostic.
      ids = {}
      for _, r in ipairs(regions or {}) do
        ids[r.regionId] = true
      end
    end
    steps.diagnostics = H.wait_for('an ai-unreviewed diagnostic per acceptance', function()
      local found = H.ailedger_diagnostics(bufnr)
      local n = 0
      for _, d in ipairs(found) do
        if ids[(d.data or {}).regionId] then
          n = n + 1
        end
      end
      return n >= vim.tbl_count(ids) and found or nil
    end)
  end
  H.stop_all()
end)
