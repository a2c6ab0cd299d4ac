#include "gateway/graphql_endpoint.h"

#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "auth/token_cache.h"
#include "common/status_macros.h"
#include "gateway/graphql_schema.h"
#include "nlohmann/json.hpp"

namespace protogate::gateway {
namespace {

namespace gpb = google::protobuf;
using TrustedDocuments = absl::flat_hash_map<std::string, std::string>;

std::chrono::milliseconds TimeoutOf(const config::UpstreamConfig& upstream,
                                    const gpb::MethodDescriptor& method) {
  auto it = upstream.method_timeouts.find(method.name());
  return it == upstream.method_timeouts.end() ? upstream.timeout : it->second;
}

absl::StatusOr<GraphqlMethod> MethodCall(const Snapshot& snapshot,
                                         const gpb::MethodDescriptor& method) {
  const config::GatewayConfig& config = snapshot.config;
  const std::string& service = method.service()->full_name();
  const config::UpstreamConfig* upstream = nullptr;
  for (const config::UpstreamConfig& candidate : config.upstreams) {
    if (candidate.service == service) upstream = &candidate;
  }
  if (upstream == nullptr) return absl::InternalError(absl::StrCat(service, " has no upstream"));
  ASSIGN_OR_RETURN(
      transcode::RequestTranscoder request,
      transcode::RequestTranscoder::Create(snapshot.registry, *method.input_type(), "*",
                                           {.max_json_depth = config.transcoding.max_json_depth}));
  return GraphqlMethod{.service = service,
                       .method_path = absl::StrCat("/", service, "/", method.name()),
                       .timeout = TimeoutOf(*upstream, method),
                       .stub = snapshot.channels->StubFor(service),
                       .policy = &snapshot.auth->PolicyFor(method.full_name()),
                       .request = std::move(request)};
}

std::string Sha256Hex(absl::string_view text) {
  return absl::BytesToHexString(auth::DigestOf(text));
}

// graphql.trusted_documents: {"<sha256 hex>" or "sha256:<hex>": "<document>"},
// each key the SHA-256 of its document.
absl::StatusOr<TrustedDocuments> ReadTrustedDocuments(const std::string& path) {
  auto problem = [&](absl::string_view text) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": graphql.trusted_documents: ", text));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return problem("cannot read the file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) {
    return problem("expected a JSON object {\"<sha256 hex>\": \"<document>\", ...}");
  }
  TrustedDocuments documents;
  for (const auto& [key, document] : manifest.items()) {
    absl::string_view hash = key;
    absl::ConsumePrefix(&hash, "sha256:");
    if (!document.is_string()) return problem(absl::StrCat(key, ": the document is not a string"));
    const std::string actual = Sha256Hex(document.get_ref<const std::string&>());
    if (hash != actual) {
      return problem(absl::StrCat(key, ": is not the SHA-256 of its document (", actual, ")"));
    }
    documents.emplace(actual, document.get<std::string>());
  }
  return documents;
}

// One schema per distinct set of methods a profile may use (and
// introspection setting): profiles that see the same API share a view.
absl::Status BuildProfileViews(const Snapshot& snapshot,
                               const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods,
                               GraphqlEndpoint& endpoint) {
  const views::ClientProfiles& clients = *snapshot.clients;
  const config::GraphqlConfig& config = snapshot.config.graphql;
  absl::flat_hash_map<std::string, std::shared_ptr<const GraphqlView>> built;
  for (int profile = views::kUnrecognised; profile < clients.size(); ++profile) {
    for (const bool verified : {false, true}) {
      auto allowed = [&](const gpb::MethodDescriptor& method) {
        return clients.AllowsMethod(profile, verified, method.full_name());
      };
      graphql::ExecutionLimits limits = endpoint.whole.limits;
      limits.introspection = clients.GraphqlIntrospection(profile).value_or(config.introspection);
      const std::string& trusted_file = clients.GraphqlTrustedDocuments(profile);
      std::string signature = absl::StrCat(limits.introspection ? "i" : "-", trusted_file, "\n");
      for (const auto& [method, call] : endpoint.methods) signature += allowed(*method) ? '1' : '0';
      auto [it, fresh] = built.try_emplace(signature);
      if (fresh) {
        auto schema = BuildGraphqlSchema(snapshot.config, *snapshot.registry, get_methods, allowed);
        if (absl::IsNotFound(schema.status())) {
          it->second = nullptr;  // no Query field: the endpoint is not there for this caller
        } else if (!schema.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(schema.status().message(),
                                                         " (in client profile ",
                                                         clients.Name(profile), "'s schema)"));
        } else {
          std::shared_ptr<const TrustedDocuments> trusted = endpoint.whole.trusted;
          if (!trusted_file.empty()) {
            auto read = ReadTrustedDocuments(trusted_file);
            if (!read.ok()) {
              return absl::InvalidArgumentError(absl::StrCat(
                  read.status().message(), " (client profile ", clients.Name(profile), ")"));
            }
            trusted = std::make_shared<const TrustedDocuments>(*std::move(read));
          }
          it->second = std::make_shared<const GraphqlView>(
              GraphqlView{.schema = *std::move(schema),
                          .documents = std::make_shared<graphql::DocumentCache>(
                              static_cast<size_t>(config.plan_cache_size)),
                          .limits = limits,
                          .trusted = std::move(trusted)});
        }
      }
      endpoint.views.push_back(it->second);
    }
  }
  return absl::OkStatus();
}

}  // namespace

const GraphqlView* GraphqlEndpoint::ViewFor(int profile, bool verified) const {
  if (views.empty()) return &whole;
  const size_t index = static_cast<size_t>(profile + 1) * 2 + (verified ? 1 : 0);
  return index < views.size() ? views[index].get() : nullptr;
}

absl::Status ResolveDocument(const GraphqlView& view, graphql::GraphqlRequest& request) {
  if (view.trusted == nullptr) {
    if (!request.query.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "this gateway has no trusted documents to look a documentId up in: send the query");
  }
  if (request.query.empty()) {
    auto it = view.trusted->find(request.document_id);
    if (it == view.trusted->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no trusted document sha256:", request.document_id));
    }
    request.query = it->second;
    return absl::OkStatus();
  }
  const std::string hash = Sha256Hex(request.query);
  if (!request.document_id.empty() && request.document_id != hash) {
    return absl::InvalidArgumentError(
        absl::StrCat("the query is not the document sha256:", request.document_id));
  }
  if (!view.trusted->contains(hash)) {
    return absl::PermissionDeniedError(
        absl::StrCat("this gateway runs trusted documents only, and the query (sha256:", hash,
                     ") is not one of them"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const GraphqlEndpoint>> BuildGraphqlEndpoint(
    const Snapshot& snapshot,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods) {
  const config::GraphqlConfig& config = snapshot.config.graphql;
  auto endpoint = std::make_shared<GraphqlEndpoint>();
  ASSIGN_OR_RETURN(endpoint->whole.schema,
                   BuildGraphqlSchema(snapshot.config, *snapshot.registry, get_methods));
  auto values =
      std::make_shared<aggregate::ValuePrinter>(snapshot.registry, transcode::JsonOutputOptions{});
  std::vector<GatewayMetrics::CallName> calls;
  // Each method once, named for its first field (a root field, or a join:
  // "Order.user").
  auto add_method = [&](const gpb::MethodDescriptor& method,
                        const std::string& name) -> absl::Status {
    if (endpoint->methods.contains(&method)) return absl::OkStatus();
    ASSIGN_OR_RETURN(GraphqlMethod call, MethodCall(snapshot, method));
    call.metrics_index = calls.size();
    calls.push_back({.call = name, .method_path = call.method_path});
    values->Prepare(*method.output_type());
    endpoint->methods.emplace(&method, std::move(call));
    return absl::OkStatus();
  };
  for (const auto& type : endpoint->whole.schema->types()) {
    if (type->kind != graphql::SchemaType::Kind::kObject) continue;
    for (const graphql::SchemaField& field : type->fields) {
      if (field.method != nullptr) RETURN_IF_ERROR(add_method(*field.method, field.name));
      if (field.join != nullptr)
        RETURN_IF_ERROR(add_method(field.join->called(), field.join->name));
    }
  }
  endpoint->values = std::move(values);
  endpoint->whole.limits = {.max_tokens = config.max_tokens,
                            .max_depth = config.max_depth,
                            .max_aliases = config.max_aliases,
                            .max_root_fields = config.max_root_fields,
                            .introspection = config.introspection,
                            .max_calls = config.max_calls,
                            .join_concurrency = config.join_concurrency};
  endpoint->timeout = config.timeout;
  endpoint->whole.documents =
      std::make_shared<graphql::DocumentCache>(static_cast<size_t>(config.plan_cache_size));
  if (!snapshot.clients->empty()) {
    RETURN_IF_ERROR(BuildProfileViews(snapshot, get_methods, *endpoint));
  }
  if (!config.trusted_documents.empty()) {
    ASSIGN_OR_RETURN(auto trusted, ReadTrustedDocuments(config.trusted_documents));
    endpoint->whole.trusted = std::make_shared<const TrustedDocuments>(std::move(trusted));
  }
  Route& route = endpoint->route;
  route.description = absl::StrCat("GraphQL (", config.path, ")");
  route.method_path = config.path;
  route.timeout = config.timeout;
  route.policy = &snapshot.auth->PolicyFor("");  // never consulted: see GraphqlEndpoint::route
  route.selector = absl::StrCat("graphql:", config.path);
  route.metrics = snapshot.metrics->ForCompositeRoute(route.selector, calls);
  return std::shared_ptr<const GraphqlEndpoint>(std::move(endpoint));
}

}  // namespace protogate::gateway
