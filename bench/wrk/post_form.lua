-- POST a form to the same URL on every request. BENCH_BODY is the form body; "{seq}" in it is
-- replaced by a number that grows with every request, so each save is newer than the last
-- (Déclic keeps the newest answer by sequence number). BENCH_COOKIE and BENCH_CSRF are sent as
-- the browser's cookie and htmx's CSRF header.
local body = os.getenv("BENCH_BODY") or ""
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_CSRF")
local counter = 0
local base = os.time() * 1000000

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
if cookie then wrk.headers["Cookie"] = cookie end
if token then wrk.headers["X-CSRF-Token"] = token end

request = function()
  counter = counter + 1
  local text = string.gsub(body, "{seq}", tostring(base + counter))
  return wrk.format(nil, nil, nil, text)
end
