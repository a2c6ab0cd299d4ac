#include "graphql/executor.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aggregate/reference.h"
#include "common/json_text.h"
#include "graphql/field_collection.h"
#include "graphql/input_values.h"
#include "graphql/introspection.h"
#include "graphql/join_calls.h"
#include "graphql/mask_paths.h"
#include "graphql/parser.h"
#include "graphql/result_printer.h"
#include "graphql/validator.h"

namespace protogate::graphql {
namespace {

Prepared Refused(Failure failure, std::vector<Error> errors) {
  Prepared prepared;
  prepared.failure = failure;
  prepared.errors = std::move(errors);
  return prepared;
}

Prepared Refused(Failure failure, std::string message, std::vector<Location> locations = {}) {
  return Refused(failure,
                 {Error{.message = std::move(message), .locations = std::move(locations)}});
}

// §6.1 GetOperation.
const Operation* FindOperation(const Document& document, const std::string& name,
                               std::string* problem) {
  if (name.empty()) {
    if (document.operations.size() == 1) return &document.operations[0];
    *problem = "Must provide operation name if query contains multiple operations.";
    return nullptr;
  }
  for (const Operation& operation : document.operations) {
    if (operation.name == name) return &operation;
  }
  *problem = absl::StrCat("Unknown operation named \"", name, "\".");
  return nullptr;
}

// The deepest nesting of selection sets under `set`, fragments expanded
// (each fragment's depth computed once, so shared fragments cost nothing).
class DepthMeter {
 public:
  explicit DepthMeter(const Document& document) {
    for (const Fragment& fragment : document.fragments) fragments_[fragment.name] = &fragment;
  }

  int Depth(const std::vector<Selection>& set) {
    int deepest = 0;
    for (const Selection& selection : set) {
      switch (selection.kind) {
        case Selection::Kind::kField:
          deepest =
              std::max(deepest, selection.selections.empty() ? 1 : 1 + Depth(selection.selections));
          break;
        case Selection::Kind::kInlineFragment:
          deepest = std::max(deepest, Depth(selection.selections));
          break;
        case Selection::Kind::kFragmentSpread:
          deepest = std::max(deepest, FragmentDepth(selection.name));
          break;
      }
    }
    return deepest;
  }

 private:
  int FragmentDepth(const std::string& name) {
    auto known = memo_.find(name);
    if (known != memo_.end()) return known->second;
    auto it = fragments_.find(name);
    if (it == fragments_.end()) return 0;
    memo_[name] = 0;  // a cycle (validation refuses them) adds nothing
    const int depth = Depth(it->second->selections);
    memo_[name] = depth;
    return depth;
  }

  absl::flat_hash_map<std::string, const Fragment*> fragments_;
  absl::flat_hash_map<std::string, int> memo_;
};

int CountAliases(const std::vector<Selection>& set) {
  int count = 0;
  for (const Selection& selection : set) {
    if (!selection.alias.empty()) ++count;
    count += CountAliases(selection.selections);
  }
  return count;
}

bool AsksIntrospection(const std::vector<Selection>& set) {
  return std::any_of(set.begin(), set.end(), [](const Selection& s) {
    return (s.kind == Selection::Kind::kField && (s.name == "__schema" || s.name == "__type")) ||
           AsksIntrospection(s.selections);
  });
}

// The join fields `fields` select on `type` and under it, fragments
// expanded; counting stops past `limit`.
void CountJoinFields(const Schema& schema, const FieldCollector& collector, const SchemaType& type,
                     const std::vector<CollectedField>& fields, int limit, int* count) {
  for (const CollectedField& selected : fields) {
    if (*count > limit) return;
    const SchemaField* field = schema.FindField(type, selected.first().name);
    if (field == nullptr) continue;
    if (field->join != nullptr) ++*count;
    const TypeRef* named = &field->type;
    while (named->kind != TypeRef::Kind::kNamed) named = &named->of[0];
    const SchemaType* object = schema.FindType(named->name);
    if (object != nullptr && object->kind == SchemaType::Kind::kObject && !object->introspection) {
      CountJoinFields(schema, collector, *object, collector.SubFields(selected), limit, count);
    }
  }
}

std::optional<Error> CheckLimits(const Schema& schema, const Document& document,
                                 const Operation& operation, const Json& variables,
                                 const ExecutionLimits& limits, int* join_fields) {
  DepthMeter meter(document);
  if (meter.Depth(operation.selections) > limits.max_depth) {
    return Error{.message = absl::StrCat("The operation is nested deeper than the gateway allows (",
                                         limits.max_depth, " levels)."),
                 .locations = {operation.location}};
  }
  int aliases = 0;
  for (const Operation& op : document.operations) aliases += CountAliases(op.selections);
  for (const Fragment& fragment : document.fragments) aliases += CountAliases(fragment.selections);
  if (aliases > limits.max_aliases) {
    return Error{.message = absl::StrCat("The document uses ", aliases,
                                         " aliases; the gateway allows ", limits.max_aliases, ".")};
  }
  FieldCollector collector(document, variables);
  const std::vector<Selection>* root = &operation.selections;
  const std::vector<CollectedField> root_fields = collector.Collect({&root, 1});
  const size_t roots = root_fields.size();
  if (roots > static_cast<size_t>(limits.max_root_fields)) {
    return Error{
        .message = absl::StrCat("The operation selects ", roots,
                                " root fields; the gateway allows ", limits.max_root_fields, "."),
        .locations = {operation.location}};
  }
  const SchemaType* root_type =
      operation.type == Operation::Type::kMutation ? schema.mutation() : schema.query();
  if (schema.has_joins() && root_type != nullptr) {
    int calls = 0;
    for (const CollectedField& selected : root_fields) {
      const SchemaField* field = schema.FindField(*root_type, selected.first().name);
      if (field != nullptr && field->method != nullptr) ++calls;
    }
    CountJoinFields(schema, collector, *root_type, root_fields, limits.max_calls, join_fields);
    if (calls + *join_fields > limits.max_calls) {
      return Error{.message = absl::StrCat("The operation needs more than ", limits.max_calls,
                                           " internal calls (each root and join field counts "
                                           "once); the gateway allows ",
                                           limits.max_calls, "."),
                   .locations = {operation.location}};
    }
  }
  bool introspection = AsksIntrospection(operation.selections);
  for (const Fragment& fragment : document.fragments) {
    introspection = introspection || AsksIntrospection(fragment.selections);
  }
  if (introspection && !limits.introspection) {
    return Error{.message =
                     "Introspection is turned off on this gateway: the document asks for "
                     "__schema or __type.",
                 .locations = {operation.location}};
  }
  return std::nullopt;
}

void AppendPath(const std::vector<PathElement>& path, std::string* out) {
  out->append("[");
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (const auto* key = std::get_if<std::string>(&path[i])) {
      out->append(common::JsonQuoted(*key));
    } else {
      absl::StrAppend(out, std::get<int>(path[i]));
    }
  }
  out->append("]");
}

void AppendError(const Error& error, std::string* out) {
  absl::StrAppend(out, "{\"message\":", common::JsonQuoted(error.message));
  if (!error.locations.empty()) {
    out->append(",\"locations\":[");
    for (size_t i = 0; i < error.locations.size(); ++i) {
      absl::StrAppend(out, i > 0 ? "," : "", "{\"line\":", error.locations[i].line,
                      ",\"column\":", error.locations[i].column, "}");
    }
    out->append("]");
  }
  if (!error.path.empty()) {
    out->append(",\"path\":");
    AppendPath(error.path, out);
  }
  if (!error.extensions.empty()) absl::StrAppend(out, ",\"extensions\":{", error.extensions, "}");
  out->append("}");
}

void AppendErrors(const std::vector<Error>& errors, std::string* out) {
  out->append("\"errors\":[");
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendError(errors[i], out);
  }
  out->append("]");
}

// One root field of the operation and, once it is known, its answer.
struct RootSlot {
  CollectedField selected;
  const SchemaField* field = nullptr;  // nullptr: __typename
  std::optional<CallReply> reply{};
  std::optional<Error> error{};  // refused before any call (its arguments)
};

class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(std::shared_ptr<const Schema> schema,
            std::shared_ptr<const aggregate::ValuePrinter> values, Prepared prepared,
            const ExecutionLimits& limits, Caller caller, std::function<void(ExecutionResult)> done)
      : schema_(std::move(schema)),
        values_(std::move(values)),
        prepared_(std::move(prepared)),
        collector_(*prepared_.document, prepared_.variables),
        caller_(std::move(caller)),
        done_(std::move(done)) {
    if (prepared_.join_fields > 0) {
      joins_.emplace(
          *schema_, collector_, *values_, prepared_.variables,
          JoinLimits{.max_calls = limits.max_calls, .concurrency = limits.join_concurrency},
          caller_, [this]() -> std::shared_ptr<void> { return shared_from_this(); },
          [this] { Settle(); }, &calls_);
    }
  }

  void Start() {
    const Operation& operation = *prepared_.operation;
    serial_ = operation.type == Operation::Type::kMutation;
    root_ = serial_ ? schema_->mutation() : schema_->query();
    const std::vector<Selection>* set = &operation.selections;
    for (CollectedField& selected : collector_.Collect({&set, 1})) {
      RootSlot slot{.selected = std::move(selected)};
      const std::string& name = slot.selected.first().name;
      if (name != "__typename") slot.field = schema_->FindField(*root_, name);
      slots_.push_back(std::move(slot));
    }
    unanswered_ = slots_.size();
    if (serial_) {
      StartSlot(0);
    } else {
      // Every query field is in flight before the first answer is handled.
      for (size_t i = 0; i < slots_.size(); ++i) StartSlot(i);
    }
    Settle();
  }

 private:
  bool NeedsCall(const RootSlot& slot) const {
    return slot.field != nullptr && slot.field->method != nullptr;
  }

  void StartSlot(size_t index) {
    if (index >= slots_.size()) return;
    started_ = index + 1;
    RootSlot& slot = slots_[index];
    if (!NeedsCall(slot)) {
      Answered(index);
      return Settle();
    }
    auto request =
        RequestJson(*schema_, *slot.field, slot.selected.first().arguments, prepared_.variables);
    if (!request.ok()) {
      slot.error = Error{.message = std::string(request.status().message()),
                         .locations = {slot.selected.first().location},
                         .path = {*slot.selected.response_key}};
      Answered(index);
      return Settle();
    }
    if (slot.field->read_mask != nullptr) FillReadMask(slot, *request);
    ++calls_;
    caller_({.method = slot.field->method, .request = common::JsonText(*request)},
            [self = shared_from_this(), index](CallReply reply) {
              self->slots_[index].reply = std::move(reply);
              self->Answered(index);
              self->Settle();
            });
  }

  void FillReadMask(const RootSlot& slot, Json& request) const {
    const SchemaType* type = ObjectType(*schema_, slot.field->type);
    if (type == nullptr) return;
    MaskPaths paths(*schema_, collector_, MaskPaths::Names::kJson);
    if (slot.field->read_mask_scope != nullptr) {
      paths.AddScoped(*type, collector_.SubFields(slot.selected), *slot.field->read_mask_scope);
    } else {
      paths.Add(*type, collector_.SubFields(slot.selected), "");
    }
    if (!paths.empty()) request[slot.field->read_mask->json_name()] = paths.Text();
  }

  // A root field is answered: its join fields start.
  void Answered(size_t index) {
    --unanswered_;
    const RootSlot& slot = slots_[index];
    if (!joins_ || !slot.reply || !slot.reply->status.ok()) return;
    if (const SchemaType* type = ObjectType(*schema_, slot.field->type)) {
      if (slot.reply->response.kind() == aggregate::Value::Kind::kMessage) {
        joins_->Walk(*type, slot.reply->response, collector_.SubFields(slot.selected));
      }
    }
  }

  // Goes on when nothing is in flight: the next mutation field, or the end.
  void Settle() {
    if (finished_ || (joins_ && !joins_->idle())) return;
    if (serial_ && started_ < slots_.size() && unanswered_ == slots_.size() - started_) {
      return StartSlot(started_);
    }
    if (unanswered_ == 0) Finish();
  }

  void Finish() {
    finished_ = true;
    std::vector<Error> errors;
    std::string data = "{";
    ResultPrinter printer(*schema_, *values_, collector_, joins_ ? &*joins_ : nullptr, &errors);
    bool null_data = false;
    for (size_t i = 0; i < slots_.size() && !null_data; ++i) {
      if (i > 0) data.push_back(',');
      null_data = !AppendSlot(slots_[i], printer, errors, &data);
    }
    data.push_back('}');
    std::string body = "{";
    if (!errors.empty()) {
      AppendErrors(errors, &body);
      body.push_back(',');
    }
    absl::StrAppend(&body, "\"data\":", null_data ? "null" : data, "}");
    const int failed = failed_ + (joins_ ? joins_->failed_calls() : 0);
    done_(ExecutionResult{.body = std::move(body), .calls = calls_, .failed_calls = failed});
  }

  // False when the field is non-null and ended null (the data is null).
  bool AppendSlot(const RootSlot& slot, ResultPrinter& printer, std::vector<Error>& errors,
                  std::string* out) {
    const std::string& key = *slot.selected.response_key;
    AppendQuotedName(key, out);
    out->push_back(':');
    const std::string& name = slot.selected.first().name;
    std::vector<PathElement> path = {key};
    if (name == "__typename") {
      AppendQuotedName(root_->name, out);
      return true;
    }
    if (name == "__schema" || name == "__type") {
      return Introspect(*schema_, collector_, slot.selected, prepared_.variables, path, &errors,
                        out);
    }
    if (slot.error) {
      errors.push_back(*slot.error);
      out->append("null");
      return true;
    }
    if (slot.field == nullptr || !slot.reply) {
      out->append("null");
      return true;
    }
    const CallReply& reply = *slot.reply;
    if (!reply.status.ok()) {
      ++failed_;
      errors.push_back(
          CallError(reply.status, reply.details, slot.selected.first().location, path));
      out->append("null");
      return true;
    }
    return printer.Field(*slot.field, slot.field->type, reply.response, slot.selected, path, out);
  }

  std::shared_ptr<const Schema> schema_;
  std::shared_ptr<const aggregate::ValuePrinter> values_;
  Prepared prepared_;
  FieldCollector collector_;
  Caller caller_;
  std::function<void(ExecutionResult)> done_;
  std::optional<JoinCalls> joins_;
  const SchemaType* root_ = nullptr;
  std::vector<RootSlot> slots_;
  bool serial_ = false;
  size_t started_ = 0;     // root fields started
  size_t unanswered_ = 0;  // root fields not answered yet
  bool finished_ = false;
  int calls_ = 0;
  int failed_ = 0;
};

}  // namespace

Prepared Prepare(const Schema& schema, const GraphqlRequest& request, const ExecutionLimits& limits,
                 DocumentCache* cache) {
  std::shared_ptr<const Document> document = cache ? cache->Find(request.query) : nullptr;
  if (document == nullptr) {
    auto parsed = Parse(request.query, {.max_tokens = static_cast<size_t>(limits.max_tokens)});
    if (!parsed.ok()) {
      std::vector<Location> where;
      if (auto location = ErrorLocation(parsed.status())) where.push_back(*location);
      return Refused(Failure::kSyntax, std::string(parsed.status().message()), std::move(where));
    }
    document = std::make_shared<const Document>(*std::move(parsed));
    if (std::vector<Error> invalid = Validate(*document, schema); !invalid.empty()) {
      return Refused(Failure::kValidation, std::move(invalid));
    }
    if (cache != nullptr) cache->Insert(request.query, document);
  }
  std::string problem;
  const Operation* operation = FindOperation(*document, request.operation_name, &problem);
  if (operation == nullptr) return Refused(Failure::kValidation, std::move(problem));
  CoercedVariables variables = CoerceVariables(schema, *operation, request.variables);
  if (!variables.errors.empty()) return Refused(Failure::kValidation, std::move(variables.errors));
  int join_fields = 0;
  if (auto over =
          CheckLimits(schema, *document, *operation, variables.values, limits, &join_fields)) {
    return Refused(Failure::kValidation, {*std::move(over)});
  }
  Prepared prepared;
  prepared.join_fields = join_fields;
  prepared.document = std::move(document);
  prepared.operation = operation;
  prepared.variables = std::move(variables.values);
  return prepared;
}

void Execute(std::shared_ptr<const Schema> schema,
             std::shared_ptr<const aggregate::ValuePrinter> values, Prepared prepared,
             const ExecutionLimits& limits, Caller caller,
             std::function<void(ExecutionResult)> done) {
  auto execution =
      std::make_shared<Execution>(std::move(schema), std::move(values), std::move(prepared), limits,
                                  std::move(caller), std::move(done));
  execution->Start();
}

std::string ErrorsBody(const std::vector<Error>& errors) {
  std::string body = "{";
  AppendErrors(errors, &body);
  body.push_back('}');
  return body;
}

}  // namespace protogate::graphql
