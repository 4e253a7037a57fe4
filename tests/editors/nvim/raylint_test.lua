-- Drives headless Neovim (Debian's 0.7.2, or 0.11 and later) through raylint's diagnostic →
-- quick fix (or fix all) → save.
-- Run by tests/editors/test_neovim.py as
--   nvim --headless -n -i NONE --noplugin -u raylint_test.lua FILE.py
-- from the workspace folder, with its settings in the environment:
--   RAYLINT_PYTHON       the interpreter to run the server with, in place of the README's `python`
--   RAYLINT_SNIPPETS     JSON list of Lua files to source first, as an init.lua would: the
--                        README's client setup for this Neovim (0.7: vim.lsp.start_client,
--                        0.11+: vim.lsp.config + vim.lsp.enable), and for "fixall" its
--                        fix-all-on-save
--   RAYLINT_MODE         "quickfix" (apply the preferred quick fix at RAYLINT_LINE through
--                        vim.lsp.buf.code_action(), or `gra` in 0.11+, then :wall) or "fixall" (:write, which
--                        fixes all, then :wall for the callers the fixes changed elsewhere)
--   RAYLINT_LINE         1-based line of the diagnostic to fix (quickfix)
--   RAYLINT_RESULT       where to write what happened, as JSON, for the test to check
--   RAYLINT_WAIT_MS      how long each wait may take
-- Exits 0 (`qall!`) when every step worked, 1 (`cquit 1`) otherwise.

local modern = vim.fn.has("nvim-0.11") == 1

-- The README's snippets run as they are, except that the server runs with the tests'
-- interpreter and a debounce of 0.
local function test_cmd(cmd)
  cmd = vim.deepcopy(cmd)
  if cmd[1] == "python" then
    cmd[1] = os.getenv("RAYLINT_PYTHON")
  end
  return cmd
end
local start_client = vim.lsp.start_client
vim.lsp.start_client = function(config)
  if config.name == "raylint" then
    config.cmd = test_cmd(config.cmd)
    config.settings = vim.tbl_deep_extend("force", config.settings or {}, { raylint = { debounce = 0 } })
  end
  return start_client(config)
end
-- from the start, so that the log has the client's initialization
if modern then
  vim.lsp.log.set_level("debug")
else
  vim.lsp.set_log_level("debug")
end
for _, snippet in ipairs(vim.fn.json_decode(os.getenv("RAYLINT_SNIPPETS"))) do
  dofile(snippet)
end
local config = modern and vim.lsp.config.raylint
if config then
  -- the snippet's vim.lsp.config("raylint", ...), amended the way a later call would amend it
  -- (vim.lsp.enable resolves the configuration when a buffer opens, after this)
  vim.lsp.config("raylint", { cmd = test_cmd(config.cmd), settings = { raylint = { debounce = 0 } } })
end

local result = { steps = {}, diagnostics = {}, actions = {} }
local wait_ms = tonumber(os.getenv("RAYLINT_WAIT_MS") or "30000")

local function step(message)
  table.insert(result.steps, string.format("%.2f %s", (vim.uv or vim.loop).hrtime() / 1e9, message))
end

local function finish(ok, err)
  result.ok = ok
  result.error = err
  local handle = io.open(os.getenv("RAYLINT_RESULT"), "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
  if ok then
    vim.cmd("qall!")
  else
    vim.cmd("cquit 1")
  end
end

local function check(condition, message)
  if not condition then
    error(message, 0)
  end
end

-- The buffer's diagnostics from the client, as the LSP diagnostics the server sent (what a
-- code action request's context takes).
local function lsp_diagnostics(buf, client_id)
  local all = {}
  if modern then
    -- 0.11 has no get_line_diagnostics: vim.diagnostic keeps the LSP diagnostic in
    -- user_data.lsp (vim.lsp.diagnostic.from reads it), in the client's push or pull namespace
    local namespaces = {
      [vim.lsp.diagnostic.get_namespace(client_id, false)] = true,
      [vim.lsp.diagnostic.get_namespace(client_id, true)] = true,
    }
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if namespaces[d.namespace] then
        table.insert(all, vim.lsp.diagnostic.from({ d })[1])
      end
    end
    table.sort(all, function(a, b)
      return a.range.start.line < b.range.start.line
    end)
    return all
  end
  for lnum = 0, vim.api.nvim_buf_line_count(buf) - 1 do
    for _, d in ipairs(vim.lsp.diagnostic.get_line_diagnostics(buf, lnum, {}, client_id)) do
      table.insert(all, d)
    end
  end
  return all
end

local function describe(diagnostics)
  local out = {}
  for _, d in ipairs(diagnostics) do
    table.insert(out, {
      line = d.range.start.line + 1,
      character = d.range.start.character,
      severity = d.severity,
      code = d.code,
      source = d.source,
      message = d.message,
    })
  end
  return out
end

local function main()
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "python", "the buffer's filetype is " .. vim.bo[buf].filetype .. ", not python")
  local mode = os.getenv("RAYLINT_MODE")

  -- the README's FileType autocmd started the server and attached this buffer to it
  local client_id
  vim.wait(wait_ms, function()
    if modern then
      local c = vim.lsp.get_clients({ bufnr = buf, name = "raylint" })[1]
      client_id = c and c.id
      return client_id ~= nil
    end
    for id, c in pairs(vim.lsp.buf_get_clients(buf)) do
      if c.name == "raylint" then
        client_id = id
      end
    end
    return client_id ~= nil
  end, 20)
  check(client_id, "no raylint client attached to the buffer")
  local client = vim.lsp.get_client_by_id(client_id)
  step("client " .. client_id .. " attached")
  local function stopped()
    if modern then
      return client:is_stopped()
    end
    return vim.lsp.client_is_stopped(client_id)
  end

  local got = vim.wait(wait_ms, function()
    return stopped() or #lsp_diagnostics(buf, client_id) > 0
  end, 20)
  check(not stopped(), "the server exited (see the LSP log)")
  check(got, "no diagnostics within " .. wait_ms .. " ms")
  local before = lsp_diagnostics(buf, client_id)
  result.diagnostics = describe(before)
  step(#before .. " diagnostics")
  if modern then
    local provider = client.server_capabilities.codeActionProvider
    result.resolve_provider = type(provider) == "table" and provider.resolveProvider or false
    result.settings = client.settings
    result.root_dir = client.root_dir
  else
    result.resolve_provider = type(client.resolved_capabilities.code_action) == "table"
      and client.resolved_capabilities.code_action.resolveProvider or false
    result.settings = client.config.settings
    result.root_dir = client.config.root_dir
  end

  if mode == "quickfix" then
    local line = tonumber(os.getenv("RAYLINT_LINE"))
    local target
    for _, d in ipairs(before) do
      if d.range.start.line == line - 1 and d.code == "RAY001" then
        target = d
      end
    end
    check(target, "no RAY001 diagnostic on line " .. line)
    -- What a user does: cursor on the squiggle, :lua vim.lsp.buf.code_action() (0.11+: gra),
    -- pick the preferred action in the menu (vim.ui.select, answered here as a user would).
    vim.api.nvim_win_set_cursor(0, { line, target.range.start.character })
    local picked
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        local action = item.action or item[2]
        table.insert(result.actions, { title = action.title, kind = action.kind, isPreferred = action.isPreferred or false })
        if action.isPreferred and picked == nil then
          picked = item
        end
      end
      result.picked = picked and (picked.action or picked[2]).title or nil
      on_choice(picked)
    end
    local tick = vim.api.nvim_buf_get_changedtick(buf)
    if modern then
      -- 0.11's default mapping for vim.lsp.buf.code_action(), typed as a user types it
      vim.api.nvim_feedkeys("gra", "mx", false)
    else
      vim.lsp.buf.code_action()
    end
    check(vim.wait(wait_ms, function()
      return result.picked ~= nil and vim.api.nvim_buf_get_changedtick(buf) ~= tick
    end, 20), "the preferred quick fix was not applied within " .. wait_ms .. " ms (offered: " .. vim.inspect(result.actions) .. ")")
    step("applied: " .. result.picked)
  end

  if mode == "fixall" then
    vim.cmd("write") -- the README's BufWritePre autocmd applies source.fixAll.raylint
    step("wrote the file")
  end
  -- the fix also rewrote the call sites in other files (opened, modified, not saved)
  result.modified = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.bo[b].modified then
      table.insert(result.modified, vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ":t"))
    end
  end
  vim.cmd("wall")
  step("wrote all files: " .. table.concat(result.modified, ", "))
  -- the server sees the change (incremental sync) and takes the fixed problem(s) back
  local expected = mode == "quickfix" and #before - 1 or 0
  local settled = vim.wait(wait_ms, function()
    return #lsp_diagnostics(buf, client_id) == expected
  end, 20)
  result.diagnostics_after = describe(lsp_diagnostics(buf, client_id))
  check(settled, "expected " .. expected .. " diagnostics after the fix, the editor has " .. #result.diagnostics_after)
  step("diagnostics after the fix: " .. #result.diagnostics_after)
  result.messages = vim.fn.execute("messages") -- deprecation warnings among them
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true, -- so that :write runs the fix-all snippet's BufWritePre autocmd
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    finish(ok, not ok and tostring(err) or nil)
  end,
})
