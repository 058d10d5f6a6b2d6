-- Keep-alive load for the chaos run (wrk, one connection per thread, so each answer belongs to the
-- request sent last on that thread). Every request carries a unique marker in its query string,
-- which the sample app writes into its log line; the marker of every 2xx answer is written to
-- <okPrefix>-<thread>.ok with the second it came, so the run can check that each of those log lines
-- reached Graylog and find the longest time an app went without a 2xx answer.
-- Nothing is retried: a non-2xx answer is counted here, socket errors and timeouts by wrk.
-- Arguments: okPrefix markerPrefix pauseMillis

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  okFile = assert(io.open(args[1] .. "-" .. id .. ".ok", "w"))
  okFile:setvbuf("line")
  markerPrefix = args[2] .. "." .. id .. "."
  pause = tonumber(args[3])
  sent = 0
  non2xx = 0
end

function request()
  sent = sent + 1
  pending = markerPrefix .. sent
  return wrk.format("GET", "/?chaos=" .. pending)
end

function delay()
  return pause
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    okFile:write(pending, " ", os.time(), "\n")
  else
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xxTotal = 0
  for _, thread in ipairs(threads) do
    non2xxTotal = non2xxTotal + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format("CHAOS-LOAD answered=%d non2xx=%d connect=%d read=%d write=%d timeout=%d micros=%d\n",
    summary.requests, non2xxTotal, e.connect, e.read, e.write, e.timeout, summary.duration))
end
