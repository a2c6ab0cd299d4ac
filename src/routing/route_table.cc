#include "routing/route_table.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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

// Literal children are found by a linear scan while there are few of them
// (most nodes have one to three), which beats hashing the segment.
constexpr size_t kMaxScannedLiterals = 8;

struct Node {
  std::vector<std::pair<std::string, int>> literals;
  absl::flat_hash_map<std::string, size_t> literal_index;  // literal -> position in `literals`
  int single_wildcard = -1;                                // child for `*`
  int multi_wildcard = -1;  // child for a trailing `**`; it only holds ends
  std::vector<RouteEnd> ends;
};

// A request path split on '/', with each segment also percent-decoded. Views
// point into the request path or into `buffer_`, which is sized once up front
// so that the views stay valid. Typical paths fit the inline arrays, so
// splitting does not allocate.
class SplitPath {
 public:
  SplitPath() = default;
  SplitPath(const SplitPath&) = delete;
  SplitPath& operator=(const SplitPath&) = delete;

  // `path` must start with '/' and be validly encoded. With `split_verb`, the
  // text after the last ':' of the last segment becomes the verb.
  void Split(absl::string_view path, bool split_verb) {
    size_ = 0;
    verb_ = {};
    buffer_.clear();
    const char* const end = path.data() + path.size();
    const char* begin = path.data() + 1;
    if (begin == end) return;  // "/" has no segments
    // find() is memchr, faster than a loop over the bytes.
    const bool has_escapes = path.find('%') != absl::string_view::npos;
    if (has_escapes) buffer_.reserve(path.size());
    Allocate(1 + static_cast<size_t>(std::count(begin, end, '/')));
    for (const char* p = begin; p != end; ++p) {
      if (*p != '/') continue;
      raw_[size_++] = {begin, static_cast<size_t>(p - begin)};
      begin = p + 1;
    }
    raw_[size_++] = {begin, static_cast<size_t>(end - begin)};
    if (split_verb) {
      const absl::string_view last = raw_[size_ - 1].view();
      const size_t colon = last.rfind(':');
      verb_ = Decode(last.substr(colon + 1));
      raw_[size_ - 1] = Piece::Of(last.substr(0, colon));
    }
    if (!has_escapes) {
      decoded_ = raw_;
      return;
    }
    for (size_t i = 0; i < size_; ++i) decoded_[i] = Piece::Of(Decode(raw_[i].view()));
  }

  size_t size() const { return size_; }
  absl::string_view raw(size_t i) const { return raw_[i].view(); }
  absl::string_view decoded(size_t i) const { return decoded_[i].view(); }
  absl::string_view verb() const { return verb_; }  // decoded; empty without a verb

 private:
  static constexpr size_t kInlineSegments = 16;

  // Trivially constructible, unlike string_view, so the inline arrays cost
  // nothing until used.
  struct Piece {
    const char* data;
    size_t size;
    absl::string_view view() const { return absl::string_view(data, size); }
    static Piece Of(absl::string_view s) { return {s.data(), s.size()}; }
  };

  void Allocate(size_t count) {
    if (count <= kInlineSegments) {
      raw_ = raw_inline_;
      decoded_ = decoded_inline_;
      return;
    }
    raw_heap_.resize(count);
    decoded_heap_.resize(count);
    raw_ = raw_heap_.data();
    decoded_ = decoded_heap_.data();
  }

  absl::string_view Decode(absl::string_view raw) {
    if (std::find(raw.begin(), raw.end(), '%') == raw.end()) return raw;
    const size_t start = buffer_.size();
    AppendPercentDecoded(raw, &buffer_);
    return absl::string_view(buffer_).substr(start);
  }

  size_t size_ = 0;
  Piece* raw_ = nullptr;
  Piece* decoded_ = nullptr;
  absl::string_view verb_;
  std::string buffer_;
  Piece raw_inline_[kInlineSegments];
  Piece decoded_inline_[kInlineSegments];
  std::vector<Piece> raw_heap_;
  std::vector<Piece> decoded_heap_;
};

// The verb a path may end with: the text after the last ':' of the last
// segment, still encoded; empty when there is none.
absl::string_view RawVerb(absl::string_view path) {
  for (size_t i = path.size(); i-- > 0;) {
    if (path[i] == '/') return {};
    if (path[i] == ':') return path.substr(i + 1);
  }
  return {};
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
        slot = &LiteralSlot(nodes_[node], segment.literal);
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

  static int& LiteralSlot(Node& node, const std::string& literal) {
    auto [it, inserted] = node.literal_index.try_emplace(literal, node.literals.size());
    if (inserted) node.literals.emplace_back(literal, -1);
    return node.literals[it->second].second;
  }

  // The literal child for `segment`, or -1.
  static int FindLiteral(const Node& node, absl::string_view segment) {
    if (node.literals.size() <= kMaxScannedLiterals) {
      for (const auto& [literal, child] : node.literals) {
        if (literal == segment) return child;
      }
      return -1;
    }
    auto it = node.literal_index.find(segment);
    return it == node.literal_index.end() ? -1 : node.literals[it->second].second;
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
    if (i == path.size()) {
      if (int route = FindEnd(node, path.verb()); route >= 0) return route;
    } else {
      if (int child = FindLiteral(node, path.decoded(i)); child >= 0) {
        if (int route = Walk(child, i + 1, path); route >= 0) return route;
      }
      if (node.single_wildcard >= 0 && !path.raw(i).empty()) {
        if (int route = Walk(node.single_wildcard, i + 1, path); route >= 0) return route;
      }
    }
    if (node.multi_wildcard >= 0) return FindEnd(nodes_[node.multi_wildcard], path.verb());
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
  if (!tmpl.verb().empty())
    absl::StrAppend(&out, ":", EncodeLiteral(tmpl.verb(), /*encode_colon=*/true));
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
    binding.value = std::string(path.decoded(variable.start_segment));
    return binding;
  }
  // A variable ending in `**` covers the rest of the path, however long.
  const bool to_end = route.ends_with_multi_wildcard && variable.end_segment == route.segment_count;
  const size_t end = to_end ? path.size() : static_cast<size_t>(variable.end_segment);
  for (size_t i = variable.start_segment; i < end; ++i) {
    if (i > static_cast<size_t>(variable.start_segment)) binding.value.push_back('/');
    AppendPartiallyDecoded(path.raw(i), &binding.value);
  }
  return binding;
}

bool IsKnownVerb(const MethodTrie& trie, absl::string_view raw_verb) {
  if (std::find(raw_verb.begin(), raw_verb.end(), '%') == raw_verb.end()) {
    return trie.HasVerb(raw_verb);
  }
  std::string verb;
  AppendPercentDecoded(raw_verb, &verb);
  return trie.HasVerb(verb);
}

// Match answers misses with shared statuses: copying one only bumps a
// reference count, where building one allocates.
const absl::Status& NoRouteStatus() {
  static const absl::Status* const status =
      new absl::Status(absl::NotFoundError("no route matches the method and path"));
  return *status;
}

}  // namespace

struct RouteTable::Impl {
  absl::flat_hash_map<std::string, MethodTrie> methods;
  // Filled by Build(), when `methods` stops changing.
  std::vector<std::pair<std::string, const MethodTrie*>> sorted_methods;
  std::vector<Route> routes;

  // The route index matching `path` under `trie`, or -1. `path` is scratch.
  int Find(const MethodTrie& trie, absl::string_view raw_path, SplitPath& path) const {
    // Only a verb some template uses can match, so skip the verb attempt otherwise.
    const absl::string_view verb = RawVerb(raw_path);
    if (!verb.empty() && IsKnownVerb(trie, verb)) {
      path.Split(raw_path, /*split_verb=*/true);
      if (int route = trie.Find(path); route >= 0) return route;
    }
    path.Split(raw_path, /*split_verb=*/false);
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
  if (impl_ == nullptr) return NoRouteStatus();
  auto trie = impl_->methods.find(http_method);
  if (trie == impl_->methods.end()) return NoRouteStatus();
  SplitPath split;
  const int index = impl_->Find(trie->second, path, split);
  if (index < 0) return NoRouteStatus();
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
