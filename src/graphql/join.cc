#include "graphql/join.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aggregate/request_template.h"
#include "aggregate/request_writer.h"
#include "aggregate/value_type.h"
#include "common/status_macros.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;
using aggregate::SourceRef;
using aggregate::ValueType;

// A field of `message` named in the config (proto or JSON name).
absl::StatusOr<const gpb::FieldDescriptor*> ConfigField(const JoinSpec& spec,
                                                        const gpb::Descriptor& message,
                                                        const std::string& key,
                                                        const std::string& name) {
  const gpb::FieldDescriptor* field = aggregate::FindField(message, name);
  if (field == nullptr) {
    return JoinError(spec, absl::StrCat(key, ": no field \"", name, "\" in ", message.full_name()));
  }
  return field;
}

// Binds the references of a join's templates: $parent, $args, and $keys
// where a batch request allows it.
class JoinReferences {
 public:
  JoinReferences(const gpb::Descriptor& parent, const std::vector<std::string>& arguments,
                 std::optional<ValueType> keys, std::vector<std::string>* parent_paths)
      : parent_(parent), arguments_(arguments), keys_(keys), parent_paths_(*parent_paths) {}

  absl::StatusOr<SourceRef> operator()(const aggregate::Json& value,
                                       const std::string& where) const {
    const std::string& text = value.get_ref<const std::string&>();
    auto parsed = aggregate::ParseReference(text);
    if (!parsed.ok()) return Problem(where, parsed.status().message());
    SourceRef ref;
    ref.text = text;
    ref.steps = parsed->steps;
    if (parsed->root == "parent") {
      ref.root = SourceRef::Root::kItem;
      auto type = aggregate::WalkPath(ValueType::OfMessage(parent_), ref.steps, false);
      if (!type.ok()) return Problem(where, absl::StrCat(text, ": ", type.status().message()));
      ref.type = *type;
      parent_paths_.push_back(ProtoPath(ref.steps));
      return ref;
    }
    if (parsed->root == "args") {
      if (ref.steps.size() != 1 || ref.steps[0].kind != aggregate::PathStep::Kind::kField ||
          std::find(arguments_.begin(), arguments_.end(), ref.steps[0].name) == arguments_.end()) {
        return Problem(where, absl::StrCat(text, ": expected $args.<name> of a declared argument (",
                                           arguments_.empty() ? std::string("none declared")
                                                              : absl::StrJoin(arguments_, ", "),
                                           ")"));
      }
      ref.root = SourceRef::Root::kBody;
      return ref;  // dynamic: the request decides
    }
    if (parsed->root == "keys" && keys_) {
      if (!ref.steps.empty()) return Problem(where, absl::StrCat(text, ": expected $keys"));
      ref.root = SourceRef::Root::kItems;
      ref.type = *keys_;
      return ref;
    }
    return Problem(where, absl::StrCat(text, ": unknown root (roots: $parent, $args",
                                       keys_ ? ", $keys" : "", ")"));
  }

 private:
  static absl::Status Problem(const std::string& where, absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
  }

  static std::string ProtoPath(const std::vector<aggregate::PathStep>& steps) {
    std::vector<std::string> names;
    for (const aggregate::PathStep& step : steps) {
      if (step.kind != aggregate::PathStep::Kind::kField) continue;
      names.push_back(step.field != nullptr ? step.field->name() : step.name);
      if (step.field == nullptr) break;  // inside a Struct or a map: the field holds it all
    }
    return absl::StrJoin(names, ".");
  }

  const gpb::Descriptor& parent_;
  const std::vector<std::string>& arguments_;
  std::optional<ValueType> keys_;
  std::vector<std::string>& parent_paths_;
};

absl::StatusOr<aggregate::ValueTemplate> CompileTemplate(const JoinSpec& spec,
                                                         const aggregate::Json& request,
                                                         const gpb::Descriptor& type,
                                                         const JoinReferences& references,
                                                         const transcode::TypeRegistry& registry,
                                                         const std::string& where) {
  auto tmpl = aggregate::CompileRequestTemplate(request, type, references, where);
  if (!tmpl.ok()) return JoinError(spec, tmpl.status().message());
  // A literal the field does not take is a config error, found here.
  if (absl::Status status = aggregate::PrepareRequestLiterals(*tmpl, type, registry);
      !status.ok()) {
    return JoinError(spec, absl::StrCat(where, ": ", status.message()));
  }
  return tmpl;
}

}  // namespace

absl::Status JoinError(const JoinSpec& spec, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(spec.where, spec.where.empty() ? "" : ": ",
                                                 "graphql.joins.", spec.type, ".", spec.field, ": ",
                                                 problem));
}

absl::StatusOr<JoinTarget> JoinTargetOf(const JoinSpec& spec) {
  if (spec.batch) {
    if (spec.method != nullptr) {
      return JoinError(spec, "set either method (one call per parent) or batch, not both");
    }
    const JoinBatchSpec& batch = *spec.batch;
    if (batch.method == nullptr) return JoinError(spec, "batch.method is missing");
    const gpb::Descriptor& response = *batch.method->output_type();
    ASSIGN_OR_RETURN(const gpb::FieldDescriptor* list,
                     ConfigField(spec, response, "batch.response", batch.response));
    if (!list->is_repeated() || list->is_map() || list->message_type() == nullptr) {
      return JoinError(spec, absl::StrCat("batch.response: ", list->full_name(),
                                          " is not a repeated message field"));
    }
    ASSIGN_OR_RETURN(const gpb::FieldDescriptor* match,
                     ConfigField(spec, *list->message_type(), "batch.match", batch.match));
    if (match->is_repeated() || match->message_type() != nullptr) {
      return JoinError(spec,
                       absl::StrCat("batch.match: ", match->full_name(), " is not a scalar field"));
    }
    return JoinTarget{.message = list->message_type()};
  }
  if (spec.method == nullptr) return JoinError(spec, "method (or batch) is missing");
  const gpb::Descriptor& response = *spec.method->output_type();
  if (spec.result.empty()) return JoinTarget{.message = &response};
  ASSIGN_OR_RETURN(const gpb::FieldDescriptor* result,
                   ConfigField(spec, response, "result", spec.result));
  return JoinTarget{.message = &response, .result = result};
}

namespace {

// Where the join's read mask goes and what its paths start with: the field
// of the response that holds what the join shows (`shown`; null: the whole
// response), unless the mask is read relative to another field.
void SetReadMask(const JoinSpec& spec, const gpb::FieldDescriptor* shown, Join& join) {
  if (spec.read_mask == nullptr) return;
  const aggregate::Json& request = spec.batch ? spec.batch->request : spec.request;
  for (auto it = request.begin(); request.is_object() && it != request.end(); ++it) {
    if (it.key() == spec.read_mask->name() || it.key() == spec.read_mask->json_name()) return;
  }
  if (spec.read_mask_scope != nullptr) {
    if (spec.read_mask_scope != shown) return;  // paths the service would misread
    join.mask_prefix.clear();
  } else if (shown != nullptr) {
    join.mask_prefix = shown->name() + ".";
  }
  join.read_mask = spec.read_mask;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Join>> CompileJoin(const JoinSpec& spec,
                                                  const gpb::Descriptor& parent,
                                                  const std::vector<std::string>& argument_names,
                                                  const transcode::TypeRegistry& registry) {
  ASSIGN_OR_RETURN(JoinTarget target, JoinTargetOf(spec));
  auto join = std::make_unique<Join>();
  join->name = absl::StrCat(spec.type, ".", spec.field);
  if (!spec.batch) {
    JoinReferences references(parent, argument_names, std::nullopt, &join->parent_paths);
    join->method = spec.method;
    ASSIGN_OR_RETURN(join->request, CompileTemplate(spec, spec.request, *spec.method->input_type(),
                                                    references, registry, "request"));
    join->result = target.result;
    SetReadMask(spec, target.result, *join);
    return join;
  }
  const JoinBatchSpec& batch = *spec.batch;
  Join::Batch compiled;
  compiled.method = batch.method;
  compiled.max_keys = batch.max_keys;
  compiled.response = aggregate::FindField(*batch.method->output_type(), batch.response);
  compiled.match = aggregate::FindField(*target.message, batch.match);
  JoinReferences key_references(parent, {}, std::nullopt, &join->parent_paths);
  if (!aggregate::IsReference(aggregate::Json(batch.key))) {
    return JoinError(spec, "batch.key: expected a reference into the parent, e.g. $parent.id");
  }
  auto key = key_references(aggregate::Json(batch.key), "batch.key");
  if (!key.ok()) return JoinError(spec, key.status().message());
  if (key->root != SourceRef::Root::kItem || key->type.kind != ValueType::Kind::kScalar ||
      key->type.list) {
    return JoinError(spec, absl::StrCat("batch.key: ", batch.key, " is ", key->type.Describe(),
                                        ", not one scalar of the parent"));
  }
  if (key->type.scalar != compiled.match->cpp_type()) {
    return JoinError(spec, absl::StrCat("batch.key: ", batch.key, " is ", key->type.Describe(),
                                        " but batch.match ", compiled.match->full_name(), " is ",
                                        ValueType::OfField(*compiled.match).Describe()));
  }
  compiled.key = *std::move(key);
  JoinReferences references(parent, argument_names, compiled.key.type.AsList(),
                            &join->parent_paths);
  ASSIGN_OR_RETURN(compiled.request,
                   CompileTemplate(spec, batch.request, *batch.method->input_type(), references,
                                   registry, "batch.request"));
  SetReadMask(spec, compiled.response, *join);
  join->batch = std::move(compiled);
  return join;
}

}  // namespace protogate::graphql
