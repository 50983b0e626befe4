--- What one edit did to a buffer, found by comparing its lines before and
--- after: the single contiguous change that turns one into the other.
---
--- Pure (no editor state): plugins that insert text themselves (copilot.lua,
--- copilot.vim, windsurf.nvim, supermaven-nvim) are captured by snapshotting
--- the lines before their accept and diffing after it; chat and agent plugins
--- (codecompanion.nvim, avante.nvim) that edit several places at once by
--- M.hunks.
---
--- Positions are 0-based; columns are byte offsets into the line.
local M = {}

--- @class ailedger.diff.Pos
--- @field row integer
--- @field col integer

--- @class ailedger.diff.Change
--- @field start ailedger.diff.Pos where the change begins (same in both snapshots)
--- @field old_end ailedger.diff.Pos end of the replaced text, in `before`
--- @field new_end ailedger.diff.Pos end of the inserted text, in `after`
--- @field text string the inserted text ("\n" between lines)
--- @field removed string the replaced text

--- Byte offset in the "\n"-joined lines -> position.
--- @param lines string[]
--- @param offset integer
--- @return ailedger.diff.Pos
function M.pos_of(lines, offset)
  local row = 0
  for i, line in ipairs(lines) do
    if offset <= #line or i == #lines then
      return { row = row, col = offset }
    end
    offset = offset - #line - 1
    row = row + 1
  end
  return { row = 0, col = 0 }
end

--- Position -> byte offset in the "\n"-joined lines.
--- @param lines string[]
--- @param pos ailedger.diff.Pos
--- @return integer
function M.offset_of(lines, pos)
  local offset = 0
  for i = 1, math.min(pos.row, #lines) do
    offset = offset + #lines[i] + 1
  end
  return offset + pos.col
end

--- Length of the common prefix of a and b, at most `limit`, skipping whole
--- equal lines first (cheap on long buffers).
local function common_prefix(before, after, a, b, limit)
  local p = 0
  for i = 1, math.min(#before, #after) - 1 do
    if before[i] ~= after[i] or p + #before[i] + 1 > limit then
      break
    end
    p = p + #before[i] + 1
  end
  while p < limit and a:byte(p + 1) == b:byte(p + 1) do
    p = p + 1
  end
  return p
end

--- Length of the common suffix of a and b, at most `limit`, starting from
--- `known` bytes already known to match.
local function common_suffix(before, after, a, b, limit, known)
  local s = known or 0
  if s == 0 then
    local nb, na = #before, #after
    while nb > 1 and na > 1 and before[nb] == after[na] and s + #before[nb] + 1 <= limit do
      s = s + #before[nb] + 1
      nb, na = nb - 1, na - 1
    end
  end
  while s < limit and a:byte(#a - s) == b:byte(#b - s) do
    s = s + 1
  end
  return s
end

--- The change between two snapshots of a buffer's lines, or nil when they are equal.
---
--- An insertion into repeated text is ambiguous ("aa" -> "aaa"); `hint`, where
--- the insertion is expected (the cursor before the accept), picks among the
--- equally small answers. Without it the change starts as late as possible.
--- @param before string[]
--- @param after string[]
--- @param hint? ailedger.diff.Pos
--- @return ailedger.diff.Change?
function M.change(before, after, hint)
  local a = table.concat(before, '\n')
  local b = table.concat(after, '\n')
  if a == b then
    return nil
  end
  local n = math.min(#a, #b)
  local p = common_prefix(before, after, a, b, n)
  local s = common_suffix(before, after, a, b, n - p)
  if hint then
    local h = M.offset_of(before, hint)
    if h >= 0 and h < p then
      -- Moving the start back to h is as good iff the suffix grows by as much.
      local s2 = common_suffix(before, after, a, b, n - h, s)
      if s2 - s == p - h then
        p, s = h, s2
      end
    end
  end
  return {
    start = M.pos_of(before, p),
    old_end = M.pos_of(before, #a - s),
    new_end = M.pos_of(after, #b - s),
    text = b:sub(p + 1, #b - s),
    removed = a:sub(p + 1, #a - s),
  }
end

--- Every separate change between two snapshots (an agent that edits three
--- functions makes three), each found by M.change on the lines around one
--- hunk of a line diff. Positions of `start` and `new_end` are in `after`.
--- @param before string[]
--- @param after string[]
--- @return ailedger.diff.Change[]
function M.hunks(before, after)
  local a = table.concat(before, '\n') .. '\n'
  local b = table.concat(after, '\n') .. '\n'
  if a == b then
    return {}
  end
  local line_diff = (vim.text and vim.text.diff) or vim.diff
  local out = {}
  for _, h in ipairs(line_diff(a, b, { result_type = 'indices' })) do
    -- (start, count) per side, 1-based; count 0 means "after line start".
    -- Take one unchanged line of context on each side, so that M.change sees
    -- where the line breaks go.
    local function span(lines, start, count)
      local first = math.max(1, count == 0 and start or start - 1)
      local last = math.min(#lines, start + math.max(count, 1))
      return first, vim.list_slice(lines, first, last)
    end
    local _, old = span(before, h[1], h[2])
    local first, new = span(after, h[3], h[4])
    local c = M.change(old, new)
    if c then
      local row = first - 1
      c.start = { row = c.start.row + row, col = c.start.col }
      c.new_end = { row = c.new_end.row + row, col = c.new_end.col }
      c.old_end = nil -- (in the slice of `before`: not meaningful to callers)
      out[#out + 1] = c
    end
  end
  return out
end

return M
