-- A browser-like mix for wrk: 9 GETs of / for each POST of a 1 KiB body, which the harness's nginx backends answer
-- with `return 200` before reading it (issue 17). wrk counts a connection the proxy closed under it as a read error.
local get, post
local n = 0
-- Formatted in init, once wrk has set the Host header from the URL (at load time it is not there yet).
init = function(args)
  get = wrk.format("GET", "/")
  post = wrk.format("POST", "/", {["Content-Type"] = "application/octet-stream"}, string.rep("p", 1024))
end
request = function()
  n = n + 1
  if n % 10 == 0 then
    return post
  end
  return get
end
