#pragma once

// Typed, position-aware reading of a YAML tree, for the config loader.
//
// YamlReader turns yaml-cpp's exceptions and every type or value problem into
// InvalidArgument "<source>:<line>:<col>: <field path>: <problem>", with 1-based
// line and column. It never throws. Mappings are read against a list of valid
// keys: an unknown or repeated key is an error, so a typo cannot pass silently.
//
// Example:
//   YamlReader reader("gateway.yaml");
//   ASSIGN_OR_RETURN(YamlField root, reader.ParseDocument(text));
//   ASSIGN_OR_RETURN(YamlMap top, reader.ReadMap(root, {"listen", "threads"}));
//   if (const YamlField* f = top.Find("threads")) {
//     ASSIGN_OR_RETURN(int threads, reader.ReadInt(*f, 0, 256));
//   }
//
// A YamlReader holds only the source name; it is immutable and thread-safe.
// YamlFields share the (reference-counted) tree they came from.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "yaml-cpp/yaml.h"

namespace protogate::config {

// A node together with what an error about it needs.
struct YamlField {
  YAML::Node value;
  YAML::Node key;    // the key it was found under; undefined for the root and list items
  std::string path;  // "upstreams[1].timeout"; empty for the root
};

// The entries of a mapping in file order; keys are scalars and unique.
class YamlMap {
 public:
  struct Entry {
    std::string key;
    YamlField field;
  };

  // The entry for `key`, or nullptr when the key is absent.
  const YamlField* Find(absl::string_view key) const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  friend class YamlReader;
  std::vector<Entry> entries_;
};

class YamlReader {
 public:
  explicit YamlReader(absl::string_view source_name) : source_name_(source_name) {}

  // The file being read, as given: paths in it are resolved next to it.
  const std::string& source_name() const { return source_name_; }

  // Parses text that holds exactly one YAML document. Syntax errors carry
  // yaml-cpp's position; an empty document (or only comments) is "empty config".
  absl::StatusOr<YamlField> ParseDocument(absl::string_view text) const;

  // InvalidArgument "<source>:<line>:<col>: <path>: <problem>". The position is
  // the value's, or its key's when the value is empty (yaml-cpp puts an empty
  // value at the start of the next line).
  absl::Status Error(const YamlField& field, absl::string_view problem) const;

  // "<source>:<line>:<col>" of `node` (just the source when it has no position).
  std::string Where(const YAML::Node& node) const;

  // "<path>.<key>: missing required key (<hint>)", at the mapping's position.
  absl::Status Missing(const YamlField& map, absl::string_view key, absl::string_view hint) const;

  // The same shape at a yaml-cpp position (0-based; a null mark reads as 1:1).
  absl::Status ErrorAt(const YAML::Mark& mark, absl::string_view path,
                       absl::string_view problem) const;

  // A mapping whose keys must all be in `valid_keys`. An empty value (null)
  // reads as an empty mapping, so a section with everything commented out
  // means "all defaults".
  absl::StatusOr<YamlMap> ReadMap(const YamlField& field,
                                  absl::Span<const absl::string_view> valid_keys) const;

  // A mapping with free-form (but scalar and unique) keys.
  absl::StatusOr<YamlMap> ReadAnyMap(const YamlField& field) const;

  // A list; `what` names its items in errors ("host:port addresses").
  absl::StatusOr<std::vector<YamlField>> ReadList(const YamlField& field,
                                                  absl::string_view what) const;

  // Scalars. A string accepts plain and quoted text; a bool or an integer must
  // be plain ("true", not "'true'"). Bools are true/false (YAML 1.2), not yes/no.
  absl::StatusOr<std::string> ReadString(const YamlField& field) const;
  absl::StatusOr<bool> ReadBool(const YamlField& field) const;
  absl::StatusOr<int> ReadInt(const YamlField& field, int min, int max) const;
  absl::StatusOr<std::chrono::milliseconds> ReadDuration(const YamlField& field,
                                                         std::chrono::milliseconds min) const;
  absl::StatusOr<size_t> ReadSize(const YamlField& field, size_t min) const;

  // One of `choices`, returned as its index.
  absl::StatusOr<size_t> ReadChoice(const YamlField& field,
                                    absl::Span<const absl::string_view> choices) const;

 private:
  absl::StatusOr<std::string> ReadScalarText(const YamlField& field,
                                             absl::string_view expected) const;
  absl::StatusOr<std::string> ReadPlainScalarText(const YamlField& field,
                                                  absl::string_view expected) const;
  absl::StatusOr<YamlMap> ReadEntries(const YamlField& field,
                                      absl::Span<const absl::string_view> valid_keys,
                                      bool any_key) const;

  std::string source_name_;
};

}  // namespace protogate::config
