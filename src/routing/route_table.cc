#include "routing/route_table.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "routing/percent_encoding.h"

namespace protogate::routing {
namespace {

struct Route {
  int id = -1;
  std::string description;
  std::vector<TemplateVariable> variables;
  int segment_count = 0;
  bool ends_with_multi_wildcard = false;
};

// A route ending at a trie node, selected by the path's verb.
struct RouteEnd {
  std::string verb;
  int route = -1;  // index into the table's routes
};

struct Node {
  absl::flat_hash_map<std::string, int> literals;
  int single_wildcard = -1;  // child for `*`
  int multi_wildcard = -1;   // child for a trailing `**`; it only holds ends
  std::vector<RouteEnd> ends;
};

// A request path split on '/', with each segment also percent-decoded. Views
// point into the request path or into `buffer`, which is sized once up front
// so that the views stay valid.
struct SplitPath {
  absl::InlinedVector<absl::string_view, 12> raw;
  absl::InlinedVector<absl::string_view, 12> decoded;
  absl::string_view verb;  // decoded; empty when not splitting a verb
  std::string buffer;
};

absl::string_view Decode(absl::string_view raw, std::string& buffer) {
  if (raw.find('%') == absl::string_view::npos) return raw;
  const size_t start = buffer.size();
  AppendPercentDecoded(raw, &buffer);
  return absl::string_view(buffer).substr(start);
}

// `path` must start with '/' and be validly encoded. With `split_verb`, the
// text after the last ':' of the last segment becomes the verb.
void Split(absl::string_view path, bool split_verb, SplitPath& out) {
  out.raw.clear();
  out.decoded.clear();
  out.verb = {};
  out.buffer.clear();
  if (path.find('%') != absl::string_view::npos) out.buffer.reserve(path.size());
  absl::string_view rest = path.substr(1);
  if (rest.empty()) return;  // "/" has no segments
  while (true) {
    const size_t slash = rest.find('/');
    out.raw.push_back(rest.substr(0, slash));
    if (slash == absl::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (split_verb) {
    absl::string_view& last = out.raw.back();
    const size_t colon = last.rfind(':');
    out.verb = Decode(last.substr(colon + 1), out.buffer);
    last = last.substr(0, colon);
  }
  for (absl::string_view raw : out.raw) out.decoded.push_back(Decode(raw, out.buffer));
}

// The routes of one HTTP method.
class MethodTrie {
 public:
  MethodTrie() : nodes_(1) {}

  // Returns the index of the route already holding this shape, or -1 after
  // inserting `route`.
  int Insert(const HttpTemplate& tmpl, int route) {
    int node = 0;
    for (const TemplateSegment& segment : tmpl.segments()) node = Child(node, segment);
    for (const RouteEnd& end : nodes_[node].ends) {
      if (end.verb == tmpl.verb()) return end.route;
    }
    nodes_[node].ends.push_back({tmpl.verb(), route});
    if (!tmpl.verb().empty()) verbs_.insert(tmpl.verb());
    return -1;
  }

  bool HasVerb(absl::string_view verb) const { return verbs_.contains(verb); }

  // The best route for `path`, or -1.
  int Find(const SplitPath& path) const { return Walk(0, 0, path); }

 private:
  int Child(int node, const TemplateSegment& segment) {
    int* slot = nullptr;
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        slot = &nodes_[node].literals.try_emplace(segment.literal, -1).first->second;
        break;
      case TemplateSegment::Kind::kSingleWildcard:
        slot = &nodes_[node].single_wildcard;
        break;
      case TemplateSegment::Kind::kMultiWildcard:
        slot = &nodes_[node].multi_wildcard;
        break;
    }
    if (*slot >= 0) return *slot;
    // Set the slot before growing nodes_: emplace_back moves the node it lives in.
    const int child = static_cast<int>(nodes_.size());
    *slot = child;
    nodes_.emplace_back();
    return child;
  }

  static int FindEnd(const Node& node, absl::string_view verb) {
    for (const RouteEnd& end : node.ends) {
      if (end.verb == verb) return end.route;
    }
    return -1;
  }

  // Depth-first in precedence order (literal, `*`, `**`), so a literal branch
  // that fails deeper falls back to the wildcards. Each node is reached by
  // one path only, so this visits every node at most once.
  int Walk(int node_index, size_t i, const SplitPath& path) const {
    const Node& node = nodes_[node_index];
    if (i == path.raw.size()) {
      if (int route = FindEnd(node, path.verb); route >= 0) return route;
    } else {
      if (!node.literals.empty()) {
        auto it = node.literals.find(path.decoded[i]);
        if (it != node.literals.end()) {
          if (int route = Walk(it->second, i + 1, path); route >= 0) return route;
        }
      }
      if (node.single_wildcard >= 0 && !path.raw[i].empty()) {
        if (int route = Walk(node.single_wildcard, i + 1, path); route >= 0) return route;
      }
    }
    if (node.multi_wildcard >= 0) return FindEnd(nodes_[node.multi_wildcard], path.verb);
    return -1;
  }

  std::vector<Node> nodes_;
  absl::flat_hash_set<std::string> verbs_;
};

std::string Shape(const HttpTemplate& tmpl) {
  if (tmpl.segments().empty()) return "/";
  std::string out;
  const size_t last = tmpl.segments().size() - 1;
  for (size_t i = 0; i <= last; ++i) {
    const TemplateSegment& segment = tmpl.segments()[i];
    out.push_back('/');
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        out += EncodeLiteral(segment.literal, i == last);
        break;
      case TemplateSegment::Kind::kSingleWildcard:
        out.push_back('*');
        break;
      case TemplateSegment::Kind::kMultiWildcard:
        out += "**";
        break;
    }
  }
  if (!tmpl.verb().empty()) absl::StrAppend(&out, ":", EncodeLiteral(tmpl.verb(), true));
  return out;
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

absl::Status ValidateMethod(absl::string_view method) {
  if (method.empty()) return absl::InvalidArgumentError("the HTTP method is empty");
  if (!std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid HTTP method \"", absl::CHexEscape(method), "\""));
  }
  return absl::OkStatus();
}

VariableBinding Bind(const Route& route, const TemplateVariable& variable, const SplitPath& path) {
  VariableBinding binding;
  binding.field_path = variable.field_path;
  if (!variable.multi_segment) {
    binding.value = std::string(path.decoded[variable.start_segment]);
    return binding;
  }
  // A variable ending in `**` covers the rest of the path, however long.
  const bool to_end = route.ends_with_multi_wildcard && variable.end_segment == route.segment_count;
  const size_t end = to_end ? path.raw.size() : static_cast<size_t>(variable.end_segment);
  for (size_t i = variable.start_segment; i < end; ++i) {
    if (i > static_cast<size_t>(variable.start_segment)) binding.value.push_back('/');
    AppendPartiallyDecoded(path.raw[i], &binding.value);
  }
  return binding;
}

}  // namespace

struct RouteTable::Impl {
  absl::flat_hash_map<std::string, MethodTrie> methods;
  // Filled by Build(), when `methods` stops changing.
  std::vector<std::pair<std::string, const MethodTrie*>> sorted_methods;
  std::vector<Route> routes;

  // The route index matching `path` under `trie`, or -1. `path` is scratch.
  int Find(const MethodTrie& trie, absl::string_view raw_path, SplitPath& path) const {
    const size_t slash = raw_path.rfind('/');
    const size_t colon = raw_path.rfind(':');
    // Only a verb some template uses can match, so skip the verb attempt otherwise.
    if (colon != absl::string_view::npos && colon > slash && colon + 1 < raw_path.size() &&
        trie.HasVerb(Decode(raw_path.substr(colon + 1), path.buffer))) {
      Split(raw_path, /*split_verb=*/true, path);
      if (int route = trie.Find(path); route >= 0) return route;
    }
    Split(raw_path, /*split_verb=*/false, path);
    return trie.Find(path);
  }
};

struct RouteTable::Builder::State {
  std::unique_ptr<RouteTable::Impl> impl = std::make_unique<RouteTable::Impl>();
  absl::Status first_error;
};

RouteTable::Builder::Builder() : state_(std::make_unique<State>()) {}
RouteTable::Builder::~Builder() = default;
RouteTable::Builder::Builder(Builder&&) noexcept = default;
RouteTable::Builder& RouteTable::Builder::operator=(Builder&&) noexcept = default;

absl::Status RouteTable::Builder::Add(absl::string_view http_method, const HttpTemplate& tmpl,
                                      int route_id, absl::string_view description) {
  if (state_ == nullptr) return absl::FailedPreconditionError("the builder was built or moved");
  absl::Status status = ValidateMethod(http_method);
  Impl& impl = *state_->impl;
  if (status.ok()) {
    const int index = static_cast<int>(impl.routes.size());
    const int existing = impl.methods[std::string(http_method)].Insert(tmpl, index);
    if (existing >= 0) {
      status = absl::AlreadyExistsError(absl::StrCat(
          "route ", description, " conflicts with route ", impl.routes[existing].description,
          ": both match ", http_method, " ", Shape(tmpl)));
    } else {
      const bool multi = !tmpl.segments().empty() &&
                         tmpl.segments().back().kind == TemplateSegment::Kind::kMultiWildcard;
      impl.routes.push_back({route_id, std::string(description), tmpl.variables(),
                             static_cast<int>(tmpl.segments().size()), multi});
    }
  }
  if (!status.ok() && state_->first_error.ok()) state_->first_error = status;
  return status;
}

absl::StatusOr<RouteTable> RouteTable::Builder::Build() && {
  if (state_ == nullptr) return absl::FailedPreconditionError("the builder was built or moved");
  std::unique_ptr<State> state = std::move(state_);
  if (!state->first_error.ok()) return state->first_error;
  for (const auto& [method, trie] : state->impl->methods) {
    state->impl->sorted_methods.emplace_back(method, &trie);
  }
  std::sort(state->impl->sorted_methods.begin(), state->impl->sorted_methods.end());
  RouteTable table;
  table.impl_ = std::move(state->impl);
  return table;
}

RouteTable::RouteTable() : impl_(std::make_unique<Impl>()) {}
RouteTable::~RouteTable() = default;
RouteTable::RouteTable(RouteTable&&) noexcept = default;
RouteTable& RouteTable::operator=(RouteTable&&) noexcept = default;

absl::StatusOr<RouteMatch> RouteTable::Match(absl::string_view http_method,
                                             absl::string_view path) const {
  if (path.empty() || path[0] != '/') {
    return absl::NotFoundError("the path does not start with '/'");
  }
  // A malformed escape cannot be decoded, so it cannot be compared to a literal.
  if (!IsValidPercentEncoding(path)) {
    return absl::NotFoundError("the path has an invalid percent-encoding");
  }
  if (impl_ == nullptr) return absl::NotFoundError("no route matches the method and path");
  auto trie = impl_->methods.find(http_method);
  if (trie == impl_->methods.end()) {
    return absl::NotFoundError("no route matches the method and path");
  }
  SplitPath split;
  const int index = impl_->Find(trie->second, path, split);
  if (index < 0) return absl::NotFoundError("no route matches the method and path");
  const Route& route = impl_->routes[index];
  RouteMatch match;
  match.route_id = route.id;
  match.bindings.reserve(route.variables.size());
  for (const TemplateVariable& variable : route.variables) {
    match.bindings.push_back(Bind(route, variable, split));
  }
  return match;
}

std::vector<std::string> RouteTable::AllowedMethods(absl::string_view path) const {
  std::vector<std::string> methods;
  if (impl_ == nullptr || path.empty() || path[0] != '/' || !IsValidPercentEncoding(path)) {
    return methods;
  }
  SplitPath split;
  for (const auto& [method, trie] : impl_->sorted_methods) {
    if (impl_->Find(*trie, path, split) >= 0) methods.push_back(method);
  }
  return methods;
}

size_t RouteTable::size() const { return impl_ == nullptr ? 0 : impl_->routes.size(); }

}  // namespace protogate::routing
