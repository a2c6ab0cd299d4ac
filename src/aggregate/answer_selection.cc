#include "aggregate/answer_selection.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "transcode/field_mask.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;
using transcode::FieldPath;
using transcode::FieldSelection;

constexpr absl::string_view kErrorsKey = "errors";

absl::Status Error(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("fields: ", what));
}

std::string Joined(absl::string_view prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, ".", name);
}

absl::Status NoSubFields(const FieldPath& node, const std::string& path) {
  const std::string below = node.in_parens ? path + "(" : Joined(path, node.sub.front().name);
  return Error(absl::StrCat("\"", node.name, "\" has no sub-fields at \"", below, "\""));
}

absl::StatusOr<std::shared_ptr<const AnswerSelection>> SelectObject(
    const std::vector<FieldPath>& paths, const ValueTemplate& level, bool top,
    const std::string& prefix);

// The paths below a key that holds a call's message, or a list of them:
// `*` after a list is optional.
absl::StatusOr<std::shared_ptr<const FieldSelection>> SelectMessage(const FieldPath& node,
                                                                    const ValueType& type,
                                                                    const std::string& path) {
  std::vector<FieldPath> below;
  bool whole = false;
  for (const FieldPath& child : node.sub) {
    if (child.name != "*") {
      below.push_back(child);
      continue;
    }
    if (!type.list) {
      return Error(
          absl::StrCat("\"*\" follows no repeated or map field at \"", Joined(path, "*"), "\""));
    }
    for (const FieldPath& after : child.sub) {
      if (after.name == "*") {
        return Error(absl::StrCat("\"*\" follows no repeated or map field at \"",
                                  Joined(path, "*.*"), "\""));
      }
    }
    whole = whole || child.whole;
    below.insert(below.end(), child.sub.begin(), child.sub.end());
  }
  if (whole || below.empty()) return nullptr;
  return transcode::SelectFields(below, *type.message, nullptr, path);
}

// One key of a level: whole, or narrowed below.
absl::StatusOr<AnswerSelection::Key> SelectKey(const FieldPath& node, size_t index,
                                               const ValueTemplate& value,
                                               const std::string& path) {
  AnswerSelection::Key key{.field = index};
  if (node.whole || node.sub.empty()) return key;  // a whole key wins over its parts
  if (value.kind == ValueTemplate::Kind::kObject) {
    ASSIGN_OR_RETURN(key.object, SelectObject(node.sub, value, /*top=*/false, path));
    return key;
  }
  const ValueType& type = value.ref.type;
  if (value.kind != ValueTemplate::Kind::kReference || type.kind != ValueType::Kind::kMessage) {
    return NoSubFields(node, path);
  }
  ASSIGN_OR_RETURN(key.message, SelectMessage(node, type, path));
  return key;
}

// The node of `at` (or of its "*" node, for a list's elements) a drop step
// names, by its name as written or its lowerCamel form.
const FieldPath* Named(const std::vector<FieldPath>& at, absl::string_view name) {
  for (const FieldPath& node : at) {
    if (node.name == name || LowerCamel(node.name) == LowerCamel(name)) return &node;
  }
  for (const FieldPath& node : at) {
    if (node.name == "*") return Named(node.sub, name);
  }
  return nullptr;
}

// What the level's `$drop` removes is no field of the answer: a path that
// names it (or goes on inside it) is refused as unknown.
absl::Status CheckDropped(const std::vector<FieldPath>& paths, const ValueTemplate& level,
                          const std::string& prefix) {
  for (const std::vector<PathStep>& drop : level.drops) {
    const std::vector<FieldPath>* at = &paths;
    const FieldPath* node = nullptr;
    std::string path = prefix;
    for (const PathStep& step : drop) {
      if (step.kind != PathStep::Kind::kField) continue;
      node = Named(*at, step.name);
      if (node == nullptr) break;
      path = Joined(path, node->name);
      at = &node->sub;
    }
    if (node != nullptr) {
      return Error(absl::StrCat("no field \"", node->name, "\" at \"", path, "\""));
    }
  }
  return absl::OkStatus();
}

// The merged message (by index into the level's merges) that has a member
// of this name, if any.
std::optional<size_t> MergeWith(const ValueTemplate& level, absl::string_view name) {
  for (size_t m = 0; m < level.merges.size(); ++m) {
    if (transcode::FindFieldByAnyName(*level.merges[m].type.message, name) != nullptr) return m;
  }
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const AnswerSelection>> SelectObject(
    const std::vector<FieldPath>& paths, const ValueTemplate& level, bool top,
    const std::string& prefix) {
  RETURN_IF_ERROR(CheckDropped(paths, level, prefix));
  std::vector<std::optional<AnswerSelection::Key>> keys(level.fields.size());
  std::vector<std::vector<FieldPath>> merged(level.merges.size());
  for (const FieldPath& node : paths) {
    const std::string path = Joined(prefix, node.name);
    if (node.name == "*") {
      return Error(absl::StrCat("\"*\" follows no repeated or map field at \"", path, "\""));
    }
    if (top && node.name == kErrorsKey) {
      if (!node.sub.empty()) return NoSubFields(node, path);
      continue;  // always kept
    }
    auto field = std::find_if(level.fields.begin(), level.fields.end(),
                              [&](const TemplateField& f) { return f.first == node.name; });
    if (field != level.fields.end()) {
      const size_t index = static_cast<size_t>(field - level.fields.begin());
      ASSIGN_OR_RETURN(keys[index], SelectKey(node, index, field->second, path));
      continue;
    }
    if (std::optional<size_t> merge = MergeWith(level, node.name)) {
      merged[*merge].push_back(node);
      continue;
    }
    return Error(absl::StrCat("no field \"", node.name, "\" at \"", path, "\""));
  }
  auto selection = std::make_shared<AnswerSelection>();
  for (std::optional<AnswerSelection::Key>& key : keys) {
    if (key) selection->keys.push_back(*std::move(key));
  }
  selection->merges.resize(level.merges.size());
  for (size_t m = 0; m < merged.size(); ++m) {
    if (merged[m].empty()) continue;
    ASSIGN_OR_RETURN(
        selection->merges[m],
        transcode::SelectFields(merged[m], *level.merges[m].type.message, nullptr, prefix));
  }
  return selection;
}

const AnswerSelection::Key* FindKey(const AnswerSelection& selection, size_t field) {
  for (const AnswerSelection::Key& key : selection.keys) {
    if (key.field == field) return &key;
  }
  return nullptr;
}

bool IsWhole(const AnswerSelection::Key& key) { return !key.object && !key.message; }

absl::StatusOr<std::shared_ptr<const AnswerSelection>> Narrow(const AnswerSelection& asked,
                                                              const AnswerSelection& view,
                                                              const ValueTemplate& level,
                                                              const std::string& prefix) {
  auto narrowed = std::make_shared<AnswerSelection>();
  for (const AnswerSelection::Key& key : asked.keys) {
    const TemplateField& field = level.fields[key.field];
    const std::string path = Joined(prefix, field.first);
    const AnswerSelection::Key* allowed = FindKey(view, key.field);
    if (allowed == nullptr) {
      return Error(absl::StrCat("no field \"", field.first, "\" at \"", path, "\""));
    }
    AnswerSelection::Key kept{.field = key.field};
    if (IsWhole(*allowed)) {
      kept = key;  // the view keeps it whole: the client narrows it
    } else if (IsWhole(key)) {
      kept = *allowed;  // the client asks for it whole: the view's part
    } else if (key.object) {
      ASSIGN_OR_RETURN(kept.object, Narrow(*key.object, *allowed->object, field.second, path));
    } else {
      ASSIGN_OR_RETURN(kept.message,
                       transcode::NarrowSelection(*key.message, *allowed->message, nullptr, path));
    }
    narrowed->keys.push_back(std::move(kept));
  }
  narrowed->merges.resize(asked.merges.size());
  for (size_t m = 0; m < asked.merges.size(); ++m) {
    if (!asked.merges[m]) continue;
    if (!view.merges[m]) {
      const std::string name = asked.merges[m]->members.front().field->name();
      return Error(absl::StrCat("no field \"", name, "\" at \"", Joined(prefix, name), "\""));
    }
    ASSIGN_OR_RETURN(narrowed->merges[m], transcode::NarrowSelection(
                                              *asked.merges[m], *view.merges[m], nullptr, prefix));
  }
  return narrowed;
}

// The plan's answer with only what `selection` keeps: keys left out,
// references and merges carrying what is kept of their messages.
ValueTemplate Narrowed(const ValueTemplate& level, const AnswerSelection& selection) {
  ValueTemplate out;
  out.kind = level.kind;
  out.drops = level.drops;
  for (const AnswerSelection::Key& key : selection.keys) {
    TemplateField field = level.fields[key.field];
    if (key.object) {
      field.second = Narrowed(field.second, *key.object);
    } else if (key.message) {
      field.second.ref.selection = key.message;
    }
    out.fields.push_back(std::move(field));
  }
  for (size_t m = 0; m < selection.merges.size() && m < level.merges.size(); ++m) {
    if (!selection.merges[m]) continue;
    SourceRef merge = level.merges[m];
    merge.selection = selection.merges[m];
    out.merges.push_back(std::move(merge));
  }
  return out;
}

// What is read of one call's output.
struct Reads {
  bool whole = false;
  std::vector<std::string> paths;  // proto paths
};

// The proto path a reference reads of its call's output (the batch
// response's results field first, for a batch), and what it keeps below.
void AddReads(const PlanCall& call, const SourceRef& ref, Reads& reads) {
  std::vector<std::string> names;
  for (const PathStep& step : call.batch_response) {
    if (step.field != nullptr) names.push_back(step.field->name());
  }
  bool stopped = false;  // a step without a descriptor: inside a map or a Struct
  for (const PathStep& step : ref.steps) {
    if (step.kind != PathStep::Kind::kField) continue;  // [*] and [N] are no field
    if (step.field == nullptr) {
      stopped = true;
      break;
    }
    names.push_back(step.field->name());
  }
  const std::string path = absl::StrJoin(names, ".");
  if (!stopped && ref.selection) {
    for (std::string& kept :
         transcode::ProtoPaths(*ref.selection, path.empty() ? "" : path + ".")) {
      reads.paths.push_back(std::move(kept));
    }
    return;
  }
  if (path.empty()) {
    reads.whole = true;
  } else {
    reads.paths.push_back(path);
  }
}

// Sorted, each once, none inside another.
CallMask MaskOf(const PlanCall& call, Reads reads) {
  CallMask mask;
  if (reads.whole || reads.paths.empty()) return mask;
  std::sort(reads.paths.begin(), reads.paths.end());
  std::vector<std::string> kept;
  for (std::string& path : reads.paths) {
    if (!kept.empty() && (path == kept.back() || absl::StartsWith(path, kept.back() + "."))) {
      continue;
    }
    kept.push_back(std::move(path));
  }
  mask.paths = absl::StrJoin(kept, ",");
  if (call.read_mask != nullptr)
    mask.request_field = transcode::FieldMaskField(call.read_mask->number(), kept);
  return mask;
}

// The calls `start` names and every call they need, transitively.
std::vector<bool> Closure(const CompositePlan& plan, std::vector<bool> start) {
  std::vector<int> pending;
  for (size_t i = 0; i < start.size(); ++i) {
    if (start[i]) pending.push_back(static_cast<int>(i));
  }
  while (!pending.empty()) {
    const int call = pending.back();
    pending.pop_back();
    for (int dep : plan.calls()[static_cast<size_t>(call)].dependencies) {
      if (!start[static_cast<size_t>(dep)]) {
        start[static_cast<size_t>(dep)] = true;
        pending.push_back(dep);
      }
    }
  }
  return start;
}

std::vector<bool> CallsRead(const CompositePlan& plan, const ValueTemplate& response) {
  std::vector<bool> read(plan.calls().size(), false);
  ForEachReference(response, [&](const SourceRef& ref) {
    if (ref.root == SourceRef::Root::kCall) read[static_cast<size_t>(ref.call)] = true;
  });
  return read;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AnswerSelection>> ParseAnswerSelection(
    absl::string_view text, const CompositePlan& plan) {
  ASSIGN_OR_RETURN(const std::vector<FieldPath> paths, transcode::ParseFieldPaths(text));
  return SelectObject(paths, plan.response(), /*top=*/true, "");
}

absl::StatusOr<std::shared_ptr<const AnswerSelection>> NarrowAnswerSelection(
    const AnswerSelection& asked, const AnswerSelection& view, const CompositePlan& plan) {
  return Narrow(asked, view, plan.response(), "");
}

std::shared_ptr<const SelectedPlan> SelectCalls(const CompositePlan& plan,
                                                const AnswerSelection* selection) {
  auto selected = std::make_shared<SelectedPlan>();
  selected->response =
      selection != nullptr ? Narrowed(plan.response(), *selection) : plan.response();
  const size_t count = plan.calls().size();
  // Made: what the kept answer reads, and every call the whole answer never
  // reads; then what those need.
  const std::vector<bool> read_by_whole = Closure(plan, CallsRead(plan, plan.response()));
  std::vector<bool> roots = CallsRead(plan, selected->response);
  for (size_t i = 0; i < count; ++i) roots[i] = roots[i] || !read_by_whole[i];
  selected->made = Closure(plan, std::move(roots));

  std::vector<Reads> reads(count);
  auto add = [&](const SourceRef& ref) {
    if (ref.root != SourceRef::Root::kCall) return;
    const size_t call = static_cast<size_t>(ref.call);
    AddReads(plan.calls()[call], ref, reads[call]);
  };
  ForEachReference(selected->response, add);
  for (size_t i = 0; i < count; ++i) {
    if (!selected->made[i]) continue;
    const PlanCall& call = plan.calls()[i];
    ForEachReference(call.request, add);
    if (call.for_each) add(*call.for_each);
  }
  for (size_t i = 0; i < count; ++i) {
    // A call the answer never reads (made for its own sake) keeps its whole output.
    if (!read_by_whole[i]) reads[i].whole = true;
    selected->masks.push_back(MaskOf(plan.calls()[i], std::move(reads[i])));
  }
  return selected;
}

}  // namespace protogate::aggregate
