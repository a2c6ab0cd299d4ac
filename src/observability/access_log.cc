#include "observability/access_log.h"

#include "absl/strings/str_cat.h"
#include "observability/log_text.h"

namespace protogate::observability {
namespace {

void AppendQuoted(absl::string_view name, absl::string_view value, std::string& out) {
  absl::StrAppend(&out, " ", name, "=\"");
  AppendLogEscaped(value, LogEscape::kQuoted, out);
  out.push_back('"');
}

}  // namespace

std::string FormatAccessLine(const AccessLogFields& fields) {
  std::string line = "access";
  AppendQuoted("method", fields.method, line);
  AppendQuoted("path", fields.path, line);
  absl::StrAppend(&line, " status=", fields.status, " upstream_code=", fields.upstream_code,
                  " duration_us=", absl::ToInt64Microseconds(fields.duration));
  AppendQuoted("request_id", fields.request_id, line);
  AppendQuoted("route", fields.route, line);
  AppendQuoted("remote", fields.remote, line);
  if (!fields.calls.empty()) AppendQuoted("calls", fields.calls, line);
  if (!fields.client.empty()) AppendQuoted("client", fields.client, line);
  return line;
}

}  // namespace protogate::observability
