#pragma once

// The protogate-routes command line, callable in-process (tests) as well as
// from main.cc. Flags and exit codes are documented in tools/routes/README.md
// and in kUsage (cli.cc).
//
// Exit codes: 0 done (or current / no breaking change); 1 validation errors,
// stale outputs (--check) or a breaking change (diff); 2 bad usage or I/O.
//
// Example:
//   RunRoutesCli({"-I", "proto", "--protos", "proto/demo", "--check"}, std::cout, std::cerr);
//   RunRoutesCli({"diff", "old/route_map.json", "gen/route_map.json"}, std::cout, std::cerr);
//
// Not thread-safe (one run at a time per process is the expected use).

#include <ostream>
#include <string>
#include <vector>

namespace protogate::routes {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;

int RunRoutesCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace protogate::routes
