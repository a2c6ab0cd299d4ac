#pragma once

// Runs a script under Node.js with Debian's graphql-js (node-graphql) on its
// module path, for tests that check the gateway's GraphQL against the
// reference implementation.
//
// Example:
//   if (!test::NodeGraphqlInstalled()) GTEST_SKIP() << "node-graphql is not installed";
//   std::string out = test::RunNode(dir + "/check.js " + dir + "/schema.graphql");

#include <cstdio>
#include <string>

namespace protogate::test {

inline bool NodeGraphqlInstalled() {
  FILE* f = std::fopen("/usr/share/nodejs/graphql/package.json", "r");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

// The script's stdout and stderr; `arguments` is "<script> <args...>".
inline std::string RunNode(const std::string& arguments) {
  const std::string command = "NODE_PATH=/usr/share/nodejs node " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "<popen failed>";
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  pclose(pipe);
  return output;
}

}  // namespace protogate::test
