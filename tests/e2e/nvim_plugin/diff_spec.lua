-- Unit tests of client-neovim/lua/ailedger/diff.lua (pure Lua), run in
-- headless Neovim: nvim --headless --clean -u NONE -l diff_spec.lua PLUGIN_DIR RESULT.json
-- Writes {passed, failed = [{name, error}]} and exits 0 when all pass.
local plugin_dir, result_file = _G.arg[1], _G.arg[2]
vim.opt.runtimepath:prepend(plugin_dir)
local diff = require('ailedger.diff')

local cases = {}
local function case(name, fn)
  cases[#cases + 1] = { name = name, fn = fn }
end

local function eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(('%s: expected %s, got %s'):format(what or 'value', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function P(row, col)
  return { row = row, col = col }
end

--- Apply a change to `before` the way a buffer would, to check it explains `after`.
local function apply(before, change)
  local text = table.concat(before, '\n')
  local s, e = diff.offset_of(before, change.start), diff.offset_of(before, change.old_end)
  return vim.split(text:sub(1, s) .. change.text .. text:sub(e + 1), '\n', { plain = true })
end

case('equal snapshots: no change', function()
  eq(nil, diff.change({ 'a', 'b' }, { 'a', 'b' }))
  eq(nil, diff.change({ '' }, { '' }))
end)

case('insertion inside a line', function()
  local c = diff.change({ 'x = os.pa', 'y' }, { 'x = os.path', 'y' })
  eq(P(0, 9), c.start, 'start'); eq(P(0, 11), c.new_end, 'new_end'); eq(P(0, 9), c.old_end, 'old_end')
  eq('th', c.text); eq('', c.removed)
end)

case('insertion at the end of the buffer', function()
  local c = diff.change({ 'a', 'def disc' }, { 'a', 'def discount():' })
  eq(P(1, 8), c.start); eq(P(1, 15), c.new_end); eq('ount():', c.text)
end)

case('multi-line insertion in the middle of a line', function()
  local before = { 'import os', 'y = max(', '', 'end' }
  local after = { 'import os', 'y = max(a, b)', 'z = y + 1', '', 'end' }
  local c = diff.change(before, after)
  eq(P(1, 8), c.start); eq(P(2, 9), c.new_end); eq('a, b)\nz = y + 1', c.text); eq('', c.removed)
  eq(after, apply(before, c))
end)

case('whole lines inserted', function()
  local before = { 'a', 'b' }
  local after = { 'a', 'x', 'y', 'b' }
  local c = diff.change(before, after)
  eq(P(1, 0), c.start); eq(P(3, 0), c.new_end); eq('x\ny\n', c.text)
  eq(after, apply(before, c))
  eq('', c.removed)
end)

case('replacement: deleted text and inserted text', function()
  local before = { 'y = max(|)' }
  local after = { 'y = max(a, b)' }
  local c = diff.change(before, after)
  eq(P(0, 8), c.start); eq(P(0, 9), c.old_end); eq(P(0, 12), c.new_end)
  eq('a, b', c.text); eq('|', c.removed)
end)

case('multi-byte text: columns are bytes', function()
  local c = diff.change({ '# ' }, { '# 🙂 ü' })
  eq(P(0, 2), c.start); eq(P(0, 2 + 4 + 1 + 2), c.new_end); eq('🙂 ü', c.text)
end)

case('ambiguous insertion: the hint (cursor) decides', function()
  -- "aa" -> "aaa": the "a" may have gone in at 0, 1 or 2.
  local late = diff.change({ 'aa' }, { 'aaa' })
  eq(P(0, 2), late.start, 'without a hint: as late as possible')
  local at0 = diff.change({ 'aa' }, { 'aaa' }, P(0, 0))
  eq(P(0, 0), at0.start); eq(P(0, 1), at0.new_end); eq('a', at0.text)
  local at1 = diff.change({ 'aa' }, { 'aaa' }, P(0, 1))
  eq(P(0, 1), at1.start)
end)

case('repeated line inserted: the hint picks the cursor line', function()
  local before = { 'x', '', 'x' }
  local after = { 'x', '', 'x', '', 'x' }
  local c = diff.change(before, after, P(1, 0))
  eq(P(1, 0), c.start); eq(after, apply(before, c)); eq('', c.removed)
end)

case('a hint that would make the change bigger is ignored', function()
  local c = diff.change({ 'abc' }, { 'abXc' }, P(0, 0))
  eq(P(0, 2), c.start); eq('X', c.text); eq('', c.removed)
end)

case('deleting text only: empty insertion', function()
  local c = diff.change({ 'abc', 'def' }, { 'abc' })
  eq('', c.text); eq('\ndef', c.removed)
end)

case('empty buffer gets text', function()
  local c = diff.change({ '' }, { 'hello', 'world' })
  eq(P(0, 0), c.start); eq(P(1, 5), c.new_end); eq('hello\nworld', c.text)
end)

case('pos_of and offset_of are inverse', function()
  local lines = { 'ab', '', 'cde' }
  for offset = 0, #table.concat(lines, '\n') do
    eq(offset, diff.offset_of(lines, diff.pos_of(lines, offset)), 'offset ' .. offset)
  end
  eq(P(2, 3), diff.pos_of(lines, 7))
end)

case('long buffers: change found past many equal lines, both ends', function()
  local before, after = {}, {}
  for i = 1, 5000 do
    before[i] = 'line ' .. i
    after[i] = 'line ' .. i
  end
  after[2500] = 'line 2500 -- AI'
  local c = diff.change(before, after)
  eq(P(2499, 9), c.start); eq(' -- AI', c.text)
end)

case('random edits: the change always explains the result', function()
  math.randomseed(42)
  local alphabet = { 'a', 'b', '\n', 'ü', ' ' }
  local function random_text(n)
    local t = {}
    for i = 1, n do
      t[i] = alphabet[math.random(#alphabet)]
    end
    return table.concat(t)
  end
  for _ = 1, 500 do
    local base = random_text(math.random(0, 20))
    local s = math.random(0, #base)
    local e = math.random(s, math.min(#base, s + 3))
    local inserted = random_text(math.random(0, 6))
    local before = vim.split(base, '\n', { plain = true })
    local after = vim.split(base:sub(1, s) .. inserted .. base:sub(e + 1), '\n', { plain = true })
    local c = diff.change(before, after)
    if c then
      eq(after, apply(before, c), 'apply(change)')
      if #c.text + #c.removed > #inserted + (e - s) then
        error('change is not minimal: ' .. vim.inspect(c))
      end
    else
      eq(before, after, 'no change')
    end
  end
end)

-- diff.hunks: every separate change, positions in `after`.

--- The text of `lines` between two positions.
local function between(lines, s, e)
  local text = table.concat(lines, '\n')
  return text:sub(diff.offset_of(lines, s) + 1, diff.offset_of(lines, e))
end

local function texts(before, after)
  local out = {}
  for _, c in ipairs(diff.hunks(before, after)) do
    eq(c.text, between(after, c.start, c.new_end), 'text at its range in after')
    out[#out + 1] = { c.text, c.start.row, c.start.col, c.new_end.row, c.new_end.col }
  end
  return out
end

case('hunks: equal snapshots give none', function()
  eq({}, diff.hunks({ 'a', 'b' }, { 'a', 'b' }))
end)

case('hunks: two separate edits are two ranges', function()
  local before = { 'import os', '', 'def total(p, q):', '    return p * q' }
  local after = { 'import os', 'import math', '', 'def total(p, q):', '    # 🙂', '    return round(p * q)' }
  eq({ { 'import math\n', 1, 0, 2, 0 }, { '# 🙂\n    return round(p * q)', 4, 4, 5, 23 } }, texts(before, after))
end)

case('hunks: lines added at the top and at the end', function()
  eq({ { 'a\n', 0, 0, 1, 0 }, { '\nz', 2, 1, 3, 1 } }, texts({ 'b', 'c' }, { 'a', 'b', 'c', 'z' }))
end)

case('hunks: a new file is one range over all of it', function()
  eq({ { 'x = 1\ny = 2', 0, 0, 1, 5 } }, texts({ '' }, { 'x = 1', 'y = 2' }))
end)

case('hunks: a deletion has no text; a replacement keeps only what differs', function()
  local hunks = diff.hunks({ 'a', 'b', 'c' }, { 'a', 'c' })
  eq(1, #hunks); eq('', hunks[1].text)
  eq({ { 'X', 1, 2, 1, 3 } }, texts({ 'a', 'b = 1', 'c' }, { 'a', 'b X 1', 'c' }))
end)

case('hunks: random edits in two places are both found, each exactly', function()
  math.randomseed(7)
  for _ = 1, 200 do
    local base = {}
    for i = 1, 12 do
      base[i] = ('line %d'):format(i)
    end
    local after = vim.deepcopy(base)
    local i, j = math.random(1, 5), math.random(8, 12)
    after[j] = after[j] .. ' + tail'
    table.insert(after, i, 'new ' .. i)
    local got = texts(base, after)
    eq(2, #got, 'two hunks')
  end
end)

local result = { passed = 0, failed = {} }
for _, c in ipairs(cases) do
  local ok, err = pcall(c.fn)
  if ok then
    result.passed = result.passed + 1
  else
    table.insert(result.failed, { name = c.name, error = tostring(err) })
  end
end
local f = assert(io.open(result_file, 'w'))
f:write(vim.json.encode(result))
f:close()
os.exit(#result.failed == 0 and 0 or 1)
