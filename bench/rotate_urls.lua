-- wrk script for bench/http_load.py: each connection's requests rotate through the URL list
-- in the file named by URLS_FILE (one path a line), each thread from its own offset, as
-- through the production HTTPS proxy (X-Forwarded-Proto). At the end it prints the count of
-- responses by status class and the latency percentiles in a line the driver parses.

local threads = {}

function setup(thread)
  thread:set("offset", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("URLS_FILE")) do
    if #line > 0 then table.insert(paths, line) end
  end
  index = offset % #paths
  s2, s3, s4, s5 = 0, 0, 0, 0
  headers = { ["X-Forwarded-Proto"] = "https", ["Accept"] = "text/html,application/json" }
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], headers)
end

function response(code, response_headers, body)
  if code < 300 then s2 = s2 + 1
  elseif code < 400 then s3 = s3 + 1
  elseif code < 500 then s4 = s4 + 1
  else s5 = s5 + 1 end
end

function done(summary, latency, requests)
  local c2, c3, c4, c5 = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c2 = c2 + thread:get("s2")
    c3 = c3 + thread:get("s3")
    c4 = c4 + thread:get("s4")
    c5 = c5 + thread:get("s5")
  end
  io.write(string.format("STATUS 2xx=%d 3xx=%d 4xx=%d 5xx=%d\n", c2, c3, c4, c5))
  io.write(string.format(
    "LATENCY_MS p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
  io.write(string.format(
    "TOTAL requests=%d seconds=%.2f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
