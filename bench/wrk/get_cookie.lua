-- GET the same URL on every request with the session cookie of a signed-in learner.
local cookie = os.getenv("BENCH_COOKIE")
if cookie then wrk.headers["Cookie"] = cookie end
