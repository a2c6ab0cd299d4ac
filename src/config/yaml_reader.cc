#include "config/yaml_reader.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/value_parsers.h"
#include "yaml-cpp/eventhandler.h"

namespace protogate::config {
namespace {

// yaml-cpp tags a quoted scalar "!" and a plain one "?".
constexpr absl::string_view kQuotedTag = "!";

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return absl::StrCat(node.Tag() == kQuotedTag ? "the quoted string " : "",
                          QuoteForMessage(node.Scalar()));
    default:
      return "nothing (an empty value)";
  }
}

std::string ChildPath(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string UnknownKeyProblem(absl::string_view key,
                              absl::Span<const absl::string_view> valid_keys) {
  std::string problem = absl::StrCat("unknown key ", QuoteForMessage(key));
  // Long keys are not typos of ours; skip the quadratic comparison.
  if (key.size() <= 64) {
    for (absl::string_view valid : valid_keys) {
      const bool truncated = key.size() >= 3 && absl::StartsWith(valid, key);
      if (truncated || EditDistance(key, valid) <= 2) {
        absl::StrAppend(&problem, ", did you mean \"", valid, "\"?");
        break;
      }
    }
  }
  absl::StrAppend(&problem, " (valid keys: ", absl::StrJoin(valid_keys, ", "), ")");
  return problem;
}

// yaml-cpp reports a tab in indentation as a puzzling "illegal map value";
// name the real cause when the failing line is indented with one.
std::string TabHint(absl::string_view text, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return "";
  for (int line = 0; line < mark.line; ++line) {
    const size_t newline = text.find('\n');
    if (newline == absl::string_view::npos) return "";
    text.remove_prefix(newline + 1);
  }
  const size_t indent_end = text.find_first_not_of(" \t");
  const absl::string_view indent = text.substr(0, indent_end);
  return absl::StrContains(indent, '\t') ? " (tabs are not allowed in YAML indentation)" : "";
}

// Records where documents start and ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark last = YAML::Mark::null_mark();
};

// Where a second document starts, if there is one. Not YAML::LoadAll: in
// yaml-cpp 0.7 it loops forever on a stray top-level ',' (found by fuzzing),
// so at most two documents are looked at. Throws YAML::Exception.
std::optional<YAML::Mark> SecondDocumentStart(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts)) {
    return std::nullopt;
  }
  return starts.last;
}

bool IsInteger(absl::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace

const YamlField* YamlMap::Find(absl::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry.field;
  }
  return nullptr;
}

absl::StatusOr<YamlField> YamlReader::ParseDocument(absl::string_view text) const {
  const std::string input(text);
  YAML::Node root;
  std::optional<YAML::Mark> second_document;
  try {
    root = YAML::Load(input);
    second_document = SecondDocumentStart(input);
  } catch (const YAML::Exception& e) {
    return ErrorAt(e.mark, "", absl::StrCat("invalid YAML: ", e.msg, TabHint(text, e.mark)));
  }
  if (second_document.has_value()) {
    return ErrorAt(*second_document, "",
                   "expected one YAML document, found more after it (a '---' separator or stray "
                   "content such as ',')");
  }
  if (root.IsNull()) {
    return ErrorAt(YAML::Mark::null_mark(), "",
                   "empty config (expected a mapping with at least descriptors and upstreams)");
  }
  return YamlField{root, YAML::Node(YAML::NodeType::Undefined), ""};
}

std::string YamlReader::Where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return source_name_;
  return absl::StrCat(source_name_, ":", mark.line + 1, ":", mark.column + 1);
}

absl::Status YamlReader::Error(const YamlField& field, absl::string_view problem) const {
  YAML::Mark mark = field.value.IsDefined() ? field.value.Mark() : YAML::Mark::null_mark();
  if ((mark.is_null() || field.value.IsNull()) && field.key.IsDefined()) mark = field.key.Mark();
  return ErrorAt(mark, field.path, problem);
}

absl::Status YamlReader::ErrorAt(const YAML::Mark& mark, absl::string_view path,
                                 absl::string_view problem) const {
  // Without a position (yaml-cpp has none for some errors) the start of the
  // file keeps the "<file>:<line>:<col>:" shape that tools and tests rely on.
  const int line = mark.is_null() ? 1 : mark.line + 1;
  const int column = mark.is_null() ? 1 : mark.column + 1;
  return absl::InvalidArgumentError(absl::StrCat(source_name_, ":", line, ":", column, ": ", path,
                                                 path.empty() ? "" : ": ", problem));
}

absl::Status YamlReader::Missing(const YamlField& map, absl::string_view key,
                                 absl::string_view hint) const {
  return ErrorAt(map.value.IsDefined() ? map.value.Mark() : YAML::Mark::null_mark(),
                 ChildPath(map.path, key), absl::StrCat("missing required key (", hint, ")"));
}

absl::StatusOr<YamlMap> YamlReader::ReadMap(const YamlField& field,
                                            absl::Span<const absl::string_view> valid_keys) const {
  return ReadEntries(field, valid_keys, /*any_key=*/false);
}

absl::StatusOr<YamlMap> YamlReader::ReadAnyMap(const YamlField& field) const {
  return ReadEntries(field, {}, /*any_key=*/true);
}

absl::StatusOr<YamlMap> YamlReader::ReadEntries(const YamlField& field,
                                                absl::Span<const absl::string_view> valid_keys,
                                                bool any_key) const {
  YamlMap map;
  if (field.value.IsNull()) return map;
  if (!field.value.IsMap()) {
    return Error(field, absl::StrCat("expected a mapping, got ", Describe(field.value)));
  }
  for (auto it = field.value.begin(); it != field.value.end(); ++it) {
    const YamlField key_field{it->first, it->first, field.path};
    if (!it->first.IsScalar()) {
      return Error(key_field, absl::StrCat("expected a key name, got ", Describe(it->first)));
    }
    const std::string& key = it->first.Scalar();
    if (!any_key && std::find(valid_keys.begin(), valid_keys.end(), key) == valid_keys.end()) {
      return Error(key_field, UnknownKeyProblem(key, valid_keys));
    }
    if (map.Find(key) != nullptr) {
      return Error(YamlField{it->first, it->first, ChildPath(field.path, key)},
                   absl::StrCat("duplicate key ", QuoteForMessage(key)));
    }
    map.entries_.push_back({key, YamlField{it->second, it->first, ChildPath(field.path, key)}});
  }
  return map;
}

absl::StatusOr<std::vector<YamlField>> YamlReader::ReadList(const YamlField& field,
                                                            absl::string_view what) const {
  if (field.value.IsScalar()) {
    return Error(field, absl::StrCat("expected a list of ", what, ", got a single value ",
                                     Describe(field.value), " (write [",
                                     absl::CHexEscape(field.value.Scalar().substr(0, 64)),
                                     "] for a list of one)"));
  }
  if (!field.value.IsSequence()) {
    return Error(field, absl::StrCat("expected a list of ", what, ", got ", Describe(field.value)));
  }
  std::vector<YamlField> items;
  for (const YAML::Node& item : field.value) {
    items.push_back(YamlField{item, YAML::Node(YAML::NodeType::Undefined),
                              absl::StrCat(field.path, "[", items.size(), "]")});
  }
  return items;
}

absl::StatusOr<std::string> YamlReader::ReadScalarText(const YamlField& field,
                                                       absl::string_view expected) const {
  if (!field.value.IsScalar()) {
    return Error(field, absl::StrCat("expected ", expected, ", got ", Describe(field.value)));
  }
  return field.value.Scalar();
}

absl::StatusOr<std::string> YamlReader::ReadPlainScalarText(const YamlField& field,
                                                            absl::string_view expected) const {
  if (field.value.IsScalar() && field.value.Tag() == kQuotedTag) {
    return Error(field, absl::StrCat("expected ", expected, ", got ", Describe(field.value),
                                     " (remove the quotes)"));
  }
  return ReadScalarText(field, expected);
}

absl::StatusOr<std::string> YamlReader::ReadString(const YamlField& field) const {
  return ReadScalarText(field, "a string");
}

absl::StatusOr<bool> YamlReader::ReadBool(const YamlField& field) const {
  constexpr absl::string_view kExpected = "true or false";
  auto text = ReadPlainScalarText(field, kExpected);
  if (!text.ok()) return text.status();
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  return Error(field, absl::StrCat("expected true or false, got ", Describe(field.value)));
}

absl::StatusOr<int> YamlReader::ReadInt(const YamlField& field, int min, int max) const {
  const std::string expected = absl::StrCat("an integer in ", min, "..", max);
  auto text = ReadPlainScalarText(field, expected);
  if (!text.ok()) return text.status();
  int64_t value = 0;
  if (!IsInteger(*text)) {
    return Error(field, absl::StrCat("expected ", expected, ", got ", Describe(field.value)));
  }
  if (!absl::SimpleAtoi(*text, &value) || value < min || value > max) {
    return Error(
        field, absl::StrCat(QuoteForMessage(*text), " is out of range (expected ", expected, ")"));
  }
  return static_cast<int>(value);
}

absl::StatusOr<std::chrono::milliseconds> YamlReader::ReadDuration(
    const YamlField& field, std::chrono::milliseconds min) const {
  auto text = ReadScalarText(field, "a duration (e.g. 250ms, 5s, 1m, 1.5s)");
  if (!text.ok()) return text.status();
  auto duration = ParseDuration(*text);
  if (!duration.ok()) return Error(field, duration.status().message());
  if (*duration < min) {
    return Error(field, absl::StrCat("duration ", QuoteForMessage(*text),
                                     " is too short (at least ", min.count(), "ms)"));
  }
  return *duration;
}

absl::StatusOr<size_t> YamlReader::ReadSize(const YamlField& field, size_t min) const {
  auto text = ReadScalarText(field, "a size in bytes (e.g. 16384, 16KiB, 4MiB)");
  if (!text.ok()) return text.status();
  auto size = ParseByteSize(*text);
  if (!size.ok()) return Error(field, size.status().message());
  if (*size < min) {
    return Error(field, absl::StrCat("size ", QuoteForMessage(*text), " is too small (at least ",
                                     min, " bytes)"));
  }
  return *size;
}

absl::StatusOr<size_t> YamlReader::ReadChoice(const YamlField& field,
                                              absl::Span<const absl::string_view> choices) const {
  const std::string expected = absl::StrCat("one of ", absl::StrJoin(choices, ", "));
  auto text = ReadScalarText(field, expected);
  if (!text.ok()) return text.status();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (*text == choices[i]) return i;
  }
  return Error(field, absl::StrCat("expected ", expected, ", got ", Describe(field.value)));
}

}  // namespace protogate::config
