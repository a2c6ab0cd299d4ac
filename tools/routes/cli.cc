#include "routes/cli.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "routes/generator.h"

namespace protogate::routes {
namespace {

constexpr char kUsage[] =
    "usage: protogate-routes [flags]                 generate (or --check) the outputs\n"
    "       protogate-routes diff OLD.json NEW.json  compare two route maps\n"
    "       protogate-routes diff OLD.graphql NEW.graphql  compare two GraphQL schemas\n"
    "flags:\n"
    "  -I DIR, --proto_path=DIR   include path, repeatable (/usr/include is always searched last)\n"
    "  --protos=DIR               compile every .proto under DIR (repeatable; required)\n"
    "  --rules=FILE               HTTP-rule YAML for methods without annotations (repeatable)\n"
    "  --default-routes           POST /<package>.<Service>/<Method> (body *) for methods with no "
    "rule\n"
    "  --config=FILE              gateway config: upstreams and auth policies in the route map,\n"
    "                             and every routed service must have an upstream\n"
    "  --out=DIR                  output folder (default gen)\n"
    "  --descriptor_set=FILE      default OUT/descriptor_set.pb\n"
    "  --route_map=FILE           default OUT/route_map.json\n"
    "  --openapi=FILE             default OUT/openapi.json\n"
    "  --schema=FILE              default OUT/schema.graphql (written when --config has graphql:)\n"
    "  --title=TEXT, --api_version=TEXT   OpenAPI info (default \"protogate API\", \"1\")\n"
    "  --client=NAME              also OUT/openapi.NAME.json: that client profile's routes and\n"
    "                             views (--config's clients:; \"default\" too), repeatable\n"
    "  --check                    write nothing; exit 1 when an output on disk is stale\n"
    "exit: 0 ok, 1 problems (invalid routes, stale outputs, breaking diff), 2 usage or I/O error\n";

struct Flags {
  GenerateOptions generate;
  std::string out_dir = "gen";
  std::optional<std::string> descriptor_set, route_map, openapi, schema;
  std::vector<std::string> clients;
  bool check = false;
};

// "--name=value", or "--name value" / "-I value" when `value_next` allows.
std::optional<std::string> ValueOf(const std::vector<std::string>& args, size_t& i,
                                   absl::string_view name) {
  const std::string& arg = args[i];
  if (absl::StartsWith(arg, absl::StrCat(name, "="))) return arg.substr(name.size() + 1);
  if (arg == name && i + 1 < args.size()) return args[++i];
  return std::nullopt;
}

bool ParseFlags(const std::vector<std::string>& args, Flags& flags, std::ostream& err) {
  GenerateOptions& g = flags.generate;
  for (size_t i = 0; i < args.size(); ++i) {
    if (auto v = ValueOf(args, i, "-I")) {
      g.compile.include_paths.push_back(*v);
    } else if (absl::StartsWith(args[i], "-I") && args[i].size() > 2) {
      g.compile.include_paths.push_back(args[i].substr(2));
    } else if (auto v = ValueOf(args, i, "--proto_path")) {
      g.compile.include_paths.push_back(*v);
    } else if (auto v = ValueOf(args, i, "--protos")) {
      g.compile.proto_dirs.push_back(*v);
    } else if (auto v = ValueOf(args, i, "--rules")) {
      g.rule_files.push_back(*v);
    } else if (args[i] == "--default-routes") {
      g.default_routes = true;
    } else if (auto v = ValueOf(args, i, "--config")) {
      g.config_path = *v;
    } else if (auto v = ValueOf(args, i, "--out")) {
      flags.out_dir = *v;
    } else if (auto v = ValueOf(args, i, "--descriptor_set")) {
      flags.descriptor_set = *v;
    } else if (auto v = ValueOf(args, i, "--route_map")) {
      flags.route_map = *v;
    } else if (auto v = ValueOf(args, i, "--openapi")) {
      flags.openapi = *v;
    } else if (auto v = ValueOf(args, i, "--schema")) {
      flags.schema = *v;
    } else if (auto v = ValueOf(args, i, "--title")) {
      g.openapi.title = *v;
    } else if (auto v = ValueOf(args, i, "--api_version")) {
      g.openapi.version = *v;
    } else if (auto v = ValueOf(args, i, "--client")) {
      flags.clients.push_back(*v);
    } else if (args[i] == "--check") {
      flags.check = true;
    } else {
      err << "protogate-routes: unknown or incomplete flag \"" << args[i] << "\"\n" << kUsage;
      return false;
    }
  }
  if (g.compile.proto_dirs.empty()) {
    err << "protogate-routes: --protos=DIR is required (the folder of protos to publish)\n"
        << kUsage;
    return false;
  }
  if (g.compile.include_paths.empty()) g.compile.include_paths.push_back(".");
  g.descriptor_set_path = flags.descriptor_set.value_or(flags.out_dir + "/descriptor_set.pb");
  g.route_map_path = flags.route_map.value_or(flags.out_dir + "/route_map.json");
  g.openapi_path = flags.openapi.value_or(flags.out_dir + "/openapi.json");
  g.schema_path = flags.schema.value_or(flags.out_dir + "/schema.graphql");
  for (const std::string& client : flags.clients) {
    g.client_openapi.push_back({client, absl::StrCat(flags.out_dir, "/openapi.", client, ".json")});
  }
  return true;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Both files read, or the exit code for the I/O problem.
std::optional<int> ReadBoth(const std::vector<std::string>& args, std::string (&texts)[2],
                            std::ostream& err) {
  for (int i = 0; i < 2; ++i) {
    const std::string& path = args[static_cast<size_t>(i) + 1];
    std::optional<std::string> text = ReadFile(path);
    if (!text) {
      err << "protogate-routes: " << path << ": cannot read\n";
      return kExitUsage;
    }
    texts[i] = *std::move(text);
  }
  return std::nullopt;
}

// Two route maps, or two GraphQL schemas (by the files' extension).
int RunDiff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 3) {
    err << "usage: protogate-routes diff OLD_ROUTE_MAP NEW_ROUTE_MAP\n"
           "       protogate-routes diff OLD_SCHEMA.graphql NEW_SCHEMA.graphql\n";
    return kExitUsage;
  }
  std::string texts[2];
  if (std::optional<int> failed = ReadBoth(args, texts, err)) return *failed;
  const bool schema = absl::EndsWith(args[1], ".graphql") || absl::EndsWith(args[2], ".graphql");
  auto diff = DiffVersions(schema, texts[0], args[1], texts[1], args[2]);
  if (!diff.ok()) {
    err << "protogate-routes: " << diff.status().message() << "\n";
    return kExitUsage;
  }
  out << diff->ToString();
  return diff->breaking() ? kExitProblems : kExitOk;
}

int RunGenerate(const Flags& flags, std::ostream& out, std::ostream& err) {
  Diagnostics diagnostics;
  auto generated = Generate(flags.generate, diagnostics);
  if (!generated.ok()) {
    for (const Diagnostic& d : diagnostics) err << d.ToString() << "\n";
    err << "protogate-routes: " << diagnostics.size() << " problem(s); "
        << generated.status().message() << "\n";
    return kExitProblems;
  }
  if (flags.check) {
    std::vector<std::string> stale = StaleFiles(*generated);
    for (const std::string& report : stale) err << report;
    if (!stale.empty()) {
      err << "protogate-routes: generated files are stale; regenerate them (tools/gen)\n";
      return kExitProblems;
    }
    out << "up to date: " << generated->route_count << " routes\n";
    return kExitOk;
  }
  absl::Status written = WriteGenerated(*generated);
  if (!written.ok()) {
    err << "protogate-routes: " << written.message() << "\n";
    return kExitUsage;
  }
  for (const GeneratedFile& file : generated->files) out << "wrote " << file.path << "\n";
  out << generated->route_count << " routes\n";
  return kExitOk;
}

}  // namespace

int RunRoutesCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << kUsage;
    return kExitOk;
  }
  if (!args.empty() && args[0] == "diff") return RunDiff(args, out, err);
  Flags flags;
  if (!ParseFlags(args, flags, err)) return kExitUsage;
  return RunGenerate(flags, out, err);
}

}  // namespace protogate::routes
