-- Stand-in for lua/avante/config.lua: `provider`, `providers[name].model`,
-- get_provider_config(name) and the diff mappings (real defaults: co / ct /
-- ca / cb / cc), as the real module exposes them.
local M = {
  mode = 'agentic',
  provider = 'claude',
  providers = { claude = { model = 'claude-sonnet-4-20250514' } },
  mappings = { diff = { ours = 'co', theirs = 'ct', all_theirs = 'ca', both = 'cb', cursor = 'cc' } },
}

function M.setup(opts)
  for k, v in pairs(vim.tbl_deep_extend('force', M, opts or {})) do
    M[k] = v
  end
end

function M.get_provider_config(provider_name)
  if M.providers[provider_name] == nil then
    error('Failed to find provider: ' .. provider_name, 2)
  end
  return vim.deepcopy(M.providers[provider_name])
end

return M
