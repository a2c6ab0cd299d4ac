#pragma once

// Early-return helpers for absl::Status / absl::StatusOr, in the style of
// Abseil and gRPC internals.
//
// Example:
//   ASSIGN_OR_RETURN(HttpTemplate tmpl, HttpTemplate::Parse(text));
//   RETURN_IF_ERROR(builder.Add("GET", tmpl, 0));

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PROTOGATE_CONCAT_INNER_(a, b) a##b
#define PROTOGATE_CONCAT_(a, b) PROTOGATE_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)          \
  do {                                 \
    ::absl::Status _status = (expr);   \
    if (!_status.ok()) return _status; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(PROTOGATE_CONCAT_(_status_or_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
