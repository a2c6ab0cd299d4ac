#pragma once

// Maps (HTTP method, request path) to a route id and the path-variable
// bindings, following google.api.http matching rules.
//
// Precedence: at each segment a literal beats `*`, and `*` beats `**`; a
// template with a custom verb only matches a path ending in that verb.
// Two templates under one HTTP method that would match exactly the same
// paths (same shape, whatever the variable names) conflict: Add() refuses
// the second, naming both routes, and Build() then fails with that error.
//
// Segments: `*` matches one non-empty segment; `**` matches zero or more
// segments (a `{path=**}` matching none binds ""). If the last segment has a
// ':', the text after the last one is first tried as a verb, then the whole
// segment is matched without a verb (so "/v1/files/a:b" can match
// "/v1/files/{name}"). An encoded ':' ("%3A") never starts a verb.
//
// Percent-decoding (spec): a single-segment variable's value is fully
// decoded ("%2F" -> "/"); a multi-segment variable's value keeps reserved
// characters (RFC 6570: ":/?#[]@!$&'()*+,;=") percent-encoded and decodes
// the rest. Literals are compared against the decoded segment. A path with
// an invalid escape ("%G1", "%2") matches nothing.
//
// Example:
//   RouteTable::Builder b;
//   b.Add("GET", *HttpTemplate::Parse("/v1/users/{user_id}"), 7, "GetUser");
//   RouteTable table = *b.Build();
//   table.Match("GET", "/v1/users/42")  -> {route_id: 7, bindings: [user_id = "42"]}
//   table.Match("POST", "/v1/users/42") -> NotFound; AllowedMethods(...) -> {"GET"}
//
// Immutable after Build; Match and AllowedMethods are safe from any thread.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "routing/http_template.h"

namespace protogate::routing {

struct VariableBinding {
  std::vector<std::string> field_path;
  std::string value;  // decoded as described above

  friend bool operator==(const VariableBinding&, const VariableBinding&) = default;
};

struct RouteMatch {
  int route_id = -1;
  std::vector<VariableBinding> bindings;
};

class RouteTable {
 public:
  class Builder {
   public:
    Builder();
    ~Builder();
    Builder(Builder&&) noexcept;
    Builder& operator=(Builder&&) noexcept;

    // `http_method` is upper case ("GET", "POST", custom kinds as given).
    // `description` names the route in conflict messages, e.g.
    // "demo.users.v1.UserService.GetUser (GET /v1/users/{user_id})".
    // Returns AlreadyExists naming both routes on a conflict, InvalidArgument
    // for a method that is not an HTTP token. After a failed Add the route is
    // not added, and Build() returns the first such error.
    absl::Status Add(absl::string_view http_method, const HttpTemplate& tmpl, int route_id,
                     absl::string_view description);

    absl::StatusOr<RouteTable> Build() &&;

   private:
    friend class RouteTable;
    struct State;
    std::unique_ptr<State> state_;
  };

  RouteTable();
  ~RouteTable();
  RouteTable(RouteTable&&) noexcept;
  RouteTable& operator=(RouteTable&&) noexcept;

  // `path` is the request target's path (no query string), still
  // percent-encoded. NotFound when no route matches this method and path.
  absl::StatusOr<RouteMatch> Match(absl::string_view http_method, absl::string_view path) const;

  // The methods (sorted, upper case) with a route matching `path`; used to
  // answer 405 with an Allow header. Empty means 404.
  std::vector<std::string> AllowedMethods(absl::string_view path) const;

  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace protogate::routing
