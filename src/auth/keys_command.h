#pragma once

// `protogate keys create --id ID [--client-id C] [--scopes a,b]`: makes a new
// API key, prints it once (it is not stored anywhere) and the config entry
// with its salted hash to paste under auth.api_keys.keys.
//
// Called from main with the arguments after "keys"; returns the exit code.
// Writes to the given streams (stdout/stderr in main, strings in tests).

#include <ostream>
#include <string>
#include <vector>

namespace protogate::auth {

int RunKeysCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace protogate::auth
