-- wrk script for tools/bench: POSTs one JSON body, read once from the file
-- named by BENCH_BODY_FILE (tools/bench writes it from protogate-loadgen
-- --print_request_json, so the HTTP and the direct gRPC runs send the same
-- request).
local path = os.getenv("BENCH_BODY_FILE")
local file = assert(io.open(path, "rb"), "cannot open BENCH_BODY_FILE " .. tostring(path))
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = "application/json"
file:close()
