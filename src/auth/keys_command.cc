#include "auth/keys_command.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "auth/api_key.h"

namespace protogate::auth {
namespace {

constexpr char kUsage[] =
    "usage: protogate keys create --id ID [--client-id CLIENT] [--scopes a,b,...]\n"
    "  Prints a new API key (once: only its hash is kept) and the entry to add\n"
    "  under auth.api_keys.keys in the gateway config.\n";

struct CreateFlags {
  std::string id;
  std::string client_id;
  std::vector<std::string> scopes;
};

bool ValidId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// "--name=value" or "--name value".
bool TakeFlag(const std::vector<std::string>& args, size_t& i, absl::string_view name,
              std::string* value) {
  const std::string& arg = args[i];
  const std::string prefix = absl::StrCat("--", name);
  if (arg == prefix && i + 1 < args.size()) {
    *value = args[++i];
    return true;
  }
  if (absl::StartsWith(arg, prefix + "=")) {
    *value = arg.substr(prefix.size() + 1);
    return true;
  }
  return false;
}

bool ParseCreateFlags(const std::vector<std::string>& args, CreateFlags& flags, std::ostream& err) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string scopes;
    if (TakeFlag(args, i, "id", &flags.id) || TakeFlag(args, i, "client-id", &flags.client_id)) {
      continue;
    }
    if (TakeFlag(args, i, "scopes", &scopes)) {
      flags.scopes = absl::StrSplit(scopes, ',', absl::SkipWhitespace());
      continue;
    }
    err << "protogate keys: unknown argument \"" << args[i] << "\"\n" << kUsage;
    return false;
  }
  if (!ValidId(flags.id)) {
    err << "protogate keys: --id is required: 1-64 letters, digits, '-', '_'\n" << kUsage;
    return false;
  }
  if (flags.client_id.empty()) flags.client_id = flags.id;
  return true;
}

}  // namespace

int RunKeysCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "create") {
    const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
    (help ? out : err) << kUsage;
    return help ? 0 : 2;
  }
  CreateFlags flags;
  if (!ParseCreateFlags(args, flags, err)) return 2;
  auto key = NewApiKey(flags.id);
  auto hash = key.ok() ? HashApiKey(*key) : key.status();
  if (!hash.ok()) {
    err << "protogate keys: " << hash.status().message() << "\n";
    return 1;
  }
  out << "API key (shown once; give it to the client, do not store it):\n  " << *key << "\n\n"
      << "Add under auth.api_keys.keys:\n"
      << "  - id: " << flags.id << "\n"
      << "    hash: \"" << *hash << "\"\n"
      << "    client_id: " << flags.client_id << "\n"
      << "    scopes: [" << absl::StrJoin(flags.scopes, ", ") << "]\n";
  return 0;
}

}  // namespace protogate::auth
