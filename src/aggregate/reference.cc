#include "aggregate/reference.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace protogate::aggregate {
namespace {

bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

absl::Status Invalid(absl::string_view text, absl::string_view problem, size_t offset) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid reference \"", text, "\": ", problem, " at offset ", offset));
}

// Reads a name starting at `pos`; returns its end.
size_t NameEnd(absl::string_view text, size_t pos) {
  while (pos < text.size() && IsNameChar(text[pos])) ++pos;
  return pos;
}

absl::StatusOr<size_t> ParseBracket(absl::string_view text, size_t pos, PathStep& step) {
  const size_t close = text.find(']', pos);
  if (close == absl::string_view::npos) return Invalid(text, "unclosed '['", pos);
  const absl::string_view inside = text.substr(pos + 1, close - pos - 1);
  if (inside == "*") {
    step.kind = PathStep::Kind::kEach;
  } else if (!inside.empty() && std::all_of(inside.begin(), inside.end(), absl::ascii_isdigit) &&
             absl::SimpleAtoi(inside, &step.index)) {
    step.kind = PathStep::Kind::kIndex;
  } else {
    return Invalid(text, "expected [*] or [<index>]", pos);
  }
  return close + 1;
}

}  // namespace

bool Reference::projects() const {
  return std::any_of(steps.begin(), steps.end(),
                     [](const PathStep& s) { return s.kind == PathStep::Kind::kEach; });
}

std::string Reference::DottedRest() const {
  std::vector<absl::string_view> names;
  for (const PathStep& step : steps) names.push_back(step.name);
  return absl::StrJoin(names, ".");
}

bool IsReference(const Json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return !text.empty() && text[0] == '$' && (text.size() < 2 || text[1] != '$');
}

Json UnescapeLiterals(const Json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() >= 2 && text[0] == '$' && text[1] == '$') return text.substr(1);
    return value;
  }
  if (!value.is_structured()) return value;
  Json out = value.is_array() ? Json::array() : Json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (value.is_array()) {
      out.push_back(UnescapeLiterals(*it));
    } else {
      out[it.key()] = UnescapeLiterals(*it);
    }
  }
  return out;
}

absl::StatusOr<Reference> ParseReference(absl::string_view text) {
  Reference ref;
  ref.text = std::string(text);
  if (text.empty() || text[0] != '$') return Invalid(text, "expected '$'", 0);
  size_t pos = NameEnd(text, 1);
  if (pos == 1) return Invalid(text, "expected a root name (path, query, body, a call, ...)", 1);
  ref.root = std::string(text.substr(1, pos - 1));
  while (pos < text.size()) {
    PathStep step;
    if (text[pos] == '.') {
      const size_t end = NameEnd(text, pos + 1);
      if (end == pos + 1) return Invalid(text, "empty field name", pos + 1);
      step.name = std::string(text.substr(pos + 1, end - pos - 1));
      pos = end;
    } else if (text[pos] == '[') {
      auto end = ParseBracket(text, pos, step);
      if (!end.ok()) return end.status();
      pos = *end;
    } else {
      return Invalid(text, absl::StrCat("unexpected '", text.substr(pos, 1), "'"), pos);
    }
    ref.steps.push_back(std::move(step));
  }
  return ref;
}

std::optional<Json> Resolve(const Json& value, absl::Span<const PathStep> steps) {
  const Json* current = &value;
  for (size_t i = 0; i < steps.size(); ++i) {
    const PathStep& step = steps[i];
    switch (step.kind) {
      case PathStep::Kind::kField: {
        if (!current->is_object()) return std::nullopt;
        auto it = current->find(step.name);
        if (it == current->end()) return std::nullopt;
        current = &*it;
        break;
      }
      case PathStep::Kind::kIndex:
        if (!current->is_array() || step.index >= current->size()) return std::nullopt;
        current = &(*current)[step.index];
        break;
      case PathStep::Kind::kEach: {
        if (!current->is_array()) return std::nullopt;
        const absl::Span<const PathStep> rest = steps.subspan(i + 1);
        const bool nested = std::any_of(rest.begin(), rest.end(), [](const PathStep& s) {
          return s.kind == PathStep::Kind::kEach;
        });
        Json out = Json::array();
        for (const Json& element : *current) {
          std::optional<Json> found = Resolve(element, rest);
          if (!found) continue;
          // A nested projection already made a list: flatten it into ours.
          if (nested && found->is_array()) {
            for (Json& inner : *found) out.push_back(std::move(inner));
          } else {
            out.push_back(*std::move(found));
          }
        }
        return out;
      }
    }
  }
  return *current;
}

std::string LowerCamel(absl::string_view name) {
  std::string out;
  bool upper = false;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? absl::ascii_toupper(c) : c;
    upper = false;
  }
  return out;
}

void Erase(Json& value, absl::Span<const PathStep> steps) {
  if (steps.empty()) return;
  const PathStep& step = steps.front();
  switch (step.kind) {
    case PathStep::Kind::kField: {
      if (!value.is_object()) return;
      auto it = value.find(step.name);
      if (it == value.end()) it = value.find(LowerCamel(step.name));
      if (it == value.end()) return;
      if (steps.size() == 1) {
        value.erase(it);
      } else {
        Erase(*it, steps.subspan(1));
      }
      return;
    }
    case PathStep::Kind::kIndex:
      if (!value.is_array() || step.index >= value.size()) return;
      if (steps.size() == 1) {
        value.erase(step.index);
      } else {
        Erase(value[step.index], steps.subspan(1));
      }
      return;
    case PathStep::Kind::kEach:
      if (!value.is_array()) return;
      if (steps.size() == 1) {
        value = Json::array();
        return;
      }
      for (Json& element : value) Erase(element, steps.subspan(1));
      return;
  }
}

std::string StepsToString(absl::Span<const PathStep> steps) {
  std::string out;
  for (const PathStep& step : steps) {
    switch (step.kind) {
      case PathStep::Kind::kField:
        if (!out.empty()) out += '.';
        out += step.name;
        break;
      case PathStep::Kind::kEach:
        out += "[*]";
        break;
      case PathStep::Kind::kIndex:
        absl::StrAppend(&out, "[", step.index, "]");
        break;
    }
  }
  return out;
}

}  // namespace protogate::aggregate
