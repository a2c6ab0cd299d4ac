#pragma once

// One access-log line per answer, from a plain struct of its fields:
//
//   access method="GET" path="/v1/users/1" status=200 upstream_code=0
//       duration_us=1234 request_id="9f2c…" route="/demo.users.v1.UserService/GetUser"
//       remote="127.0.0.1:53412" [calls="user:0:1.2ms,…"] [client="mobile"]
//
// (one line). Every value a client can influence (method, path, request id,
// route, remote address, call timings) is always between double quotes and
// escaped as observability/log_text.h's kQuoted: `"`, `\`, control bytes and
// invalid UTF-8 cannot end the value, so a client can never forge another
// field or a second line. Numbers are unquoted. An empty value is `""`.
//
// Thread-safety: a pure function.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace protogate::observability {

struct AccessLogFields {
  absl::string_view method = {};  // empty when the HTTP layer answered before parsing it
  absl::string_view path = {};
  int status = 0;
  int upstream_code = -1;  // -1: no upstream call was made
  absl::Duration duration = absl::ZeroDuration();
  absl::string_view request_id = {};
  absl::string_view route = {};  // the gRPC method path or composite; empty when unrouted
  absl::string_view remote = {};
  absl::string_view calls = {};   // composite call timings; the field is left out when empty
  absl::string_view client = {};  // the caller's profile; left out when no profiles are set
};

// The line, without a trailing newline.
std::string FormatAccessLine(const AccessLogFields& fields);

}  // namespace protogate::observability
