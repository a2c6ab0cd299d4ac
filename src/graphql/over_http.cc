#include "graphql/over_http.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "transcode/request_transcoder.h"
#include "transcode/strict_json.h"

namespace protogate::graphql {
namespace {

using Json = nlohmann::ordered_json;

struct MediaRange {
  std::string type;  // lowercase "type/subtype"
  double q = 1;
};

std::vector<MediaRange> ParseAccept(absl::string_view accept) {
  std::vector<MediaRange> ranges;
  for (absl::string_view item : absl::StrSplit(accept, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    MediaRange range{.type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]))};
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::ConsumePrefix(&param, "q=") || absl::ConsumePrefix(&param, "Q=")) {
        if (!absl::SimpleAtod(param, &range.q)) range.q = 0;
      }
    }
    if (!range.type.empty()) ranges.push_back(std::move(range));
  }
  return ranges;
}

// A member that must be a string or null; "" for null or absent.
absl::StatusOr<std::string> OptionalString(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" must be a string"));
  }
  return it->get<std::string>();
}

// A member that must be an object or null; {} for null or absent.
absl::StatusOr<Json> OptionalObject(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Json::object();
  if (!it->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" must be an object"));
  }
  return *it;
}

bool IsSha256Hex(absl::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

// documentId "sha256:<hex>", or extensions.persistedQuery.sha256Hash.
absl::StatusOr<std::string> DocumentId(const Json& body, const Json& extensions) {
  if (auto it = body.find("documentId"); it != body.end() && !it->is_null()) {
    std::string text = it->is_string() ? it->get<std::string>() : "";
    absl::string_view hex = text;
    if (!absl::ConsumePrefix(&hex, "sha256:") || !IsSha256Hex(hex)) {
      return absl::InvalidArgumentError(
          "\"documentId\" must be \"sha256:<64 lower-case hex digits>\"");
    }
    return std::string(hex);
  }
  auto persisted = extensions.find("persistedQuery");
  if (persisted == extensions.end() || !persisted->is_object()) return std::string();
  auto hash = persisted->find("sha256Hash");
  if (hash == persisted->end() || !hash->is_string() || !IsSha256Hex(hash->get<std::string>())) {
    return absl::InvalidArgumentError(
        "extensions.persistedQuery.sha256Hash must be 64 lower-case hex digits");
  }
  return hash->get<std::string>();
}

absl::StatusOr<GraphqlRequest> FromJson(const Json& body) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError("a GraphQL request is a JSON object with a \"query\"");
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "query" && key != "operationName" && key != "variables" && key != "extensions" &&
        key != "documentId") {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown member \"", key,
                       "\" (a GraphQL request has query, operationName, variables, extensions, "
                       "documentId)"));
    }
  }
  GraphqlRequest request;
  auto extensions = OptionalObject(body, "extensions");
  if (!extensions.ok()) return extensions.status();
  request.extensions = *std::move(extensions);
  auto document_id = DocumentId(body, request.extensions);
  if (!document_id.ok()) return document_id.status();
  request.document_id = *std::move(document_id);
  auto query = body.find("query");
  const bool has_query = query != body.end() && !query->is_null();
  if (has_query && !query->is_string()) {
    return absl::InvalidArgumentError("\"query\" must be a string holding a GraphQL document");
  }
  if (!has_query && request.document_id.empty()) {
    return absl::InvalidArgumentError(
        "\"query\" must be a string holding a GraphQL document (or documentId name a trusted "
        "document)");
  }
  if (has_query) request.query = query->get<std::string>();
  auto name = OptionalString(body, "operationName");
  if (!name.ok()) return name.status();
  request.operation_name = *std::move(name);
  auto variables = OptionalObject(body, "variables");
  if (!variables.ok()) return variables.status();
  request.variables = *std::move(variables);
  return request;
}

// Strict JSON (RFC 8259, each key once, bounded depth: the check every
// request body passes), then a tree.
absl::StatusOr<Json> ParseJson(absl::string_view text, absl::string_view what) {
  constexpr int kMaxDepth = 64;
  if (absl::Status strict =
          transcode::CheckStrictJson(text, transcode::JsonBodyShape::Any(), kMaxDepth);
      !strict.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", strict.message()));
  }
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not valid JSON"));
  }
  return json;
}

}  // namespace

std::string ContentTypeOf(MediaType type) {
  return type == MediaType::kGraphqlResponse ? absl::StrCat(kGraphqlResponseType, "; charset=utf-8")
                                             : std::string("application/json; charset=utf-8");
}

absl::StatusOr<MediaType> Negotiate(absl::string_view accept) {
  if (absl::StripAsciiWhitespace(accept).empty()) return MediaType::kJson;
  std::vector<MediaRange> ranges = ParseAccept(accept);
  double graphql = 0;
  double json = 0;
  for (const MediaRange& range : ranges) {
    if (range.type == kGraphqlResponseType) graphql = std::max(graphql, range.q);
    if (range.type == "application/json" || range.type == "application/*" || range.type == "*/*") {
      json = std::max(json, range.q);
    }
  }
  if (graphql > 0 && graphql >= json) return MediaType::kGraphqlResponse;
  if (json > 0) return MediaType::kJson;
  return absl::FailedPreconditionError(
      absl::StrCat("cannot answer in any type of Accept: the endpoint answers ",
                   kGraphqlResponseType, " or application/json"));
}

absl::StatusOr<GraphqlRequest> ReadPost(absl::string_view content_type, absl::string_view body) {
  // An absent header is a null view, which absl::StrSplit splits into no
  // parts at all: the type is taken apart by hand.
  const size_t semicolon = content_type.find(';');
  const std::string type =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(content_type.substr(0, semicolon)));
  const absl::string_view params = semicolon == absl::string_view::npos
                                       ? absl::string_view()
                                       : content_type.substr(semicolon + 1);
  bool charset_ok = true;
  for (absl::string_view part : absl::StrSplit(params, ';', absl::SkipEmpty())) {
    std::string param = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
    if (absl::StartsWith(param, "charset=")) {
      charset_ok = param == "charset=utf-8" || param == "charset=\"utf-8\"";
    }
  }
  if (type != "application/json" || !charset_ok) {
    return absl::UnimplementedError(absl::StrCat("unsupported Content-Type \"", content_type,
                                                 "\": a GraphQL POST is application/json (UTF-8)"));
  }
  auto json = ParseJson(body, "the request body");
  if (!json.ok()) return json.status();
  return FromJson(*json);
}

absl::StatusOr<GraphqlRequest> ReadGet(absl::string_view raw_query) {
  auto pairs = transcode::ParseQueryString(raw_query);
  if (!pairs.ok()) return pairs.status();
  Json body = Json::object();
  for (auto& [name, value] : *pairs) {
    if (body.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", name, "\" is given twice"));
    }
    if (name == "variables" || name == "extensions") {
      auto json = ParseJson(value, absl::StrCat("query parameter \"", name, "\""));
      if (!json.ok()) return json.status();
      body[name] = *std::move(json);
    } else {
      body[name] = std::move(value);
    }
  }
  return FromJson(body);
}

int StatusFor(MediaType type, Failure failure) {
  if (type == MediaType::kJson || failure == Failure::kNone) return 200;
  return failure == Failure::kSyntax ? 400 : 422;
}

}  // namespace protogate::graphql
