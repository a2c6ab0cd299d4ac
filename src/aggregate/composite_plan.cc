#include "aggregate/composite_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aggregate/answer_selection.h"
#include "aggregate/request_template.h"
#include "aggregate/request_writer.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "transcode/field_mask.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

constexpr absl::string_view kReservedRoots[] = {"path", "query", "body", "auth", "item", "items"};
constexpr absl::string_view kErrorsKey = "errors";

bool IsIdentifier(absl::string_view text) {
  if (text.empty() || absl::ascii_isdigit(text[0])) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

bool IsReservedRoot(absl::string_view name) {
  return std::find(std::begin(kReservedRoots), std::end(kReservedRoots), name) !=
         std::end(kReservedRoots);
}

std::string Join(const std::string& path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

// Which roots a reference may use where it appears.
struct Scope {
  bool item = false;   // inside a for_each call's request
  bool items = false;  // inside a batch request
  ValueType item_type;
  std::vector<int>* dependencies = nullptr;  // collects calls used; null: none allowed
};

// The request's FieldMask field of that name, if it has one.
const gpb::FieldDescriptor* ReadMaskField(const gpb::Descriptor& request, const std::string& name) {
  const gpb::FieldDescriptor* field = name.empty() ? nullptr : request.FindFieldByName(name);
  return field != nullptr && transcode::IsFieldMask(*field) ? field : nullptr;
}

bool SetsField(const ValueTemplate& request, const gpb::FieldDescriptor& field) {
  return std::any_of(request.fields.begin(), request.fields.end(), [&](const TemplateField& f) {
    return f.second.target == &field || f.first == field.name() || f.first == field.json_name();
  });
}

}  // namespace

// Builds one plan; the error context ("<where>: composite ...: call ...: ")
// is added by the caller of each step so that each check states only its
// own problem.
class PlanBuilder {
 public:
  PlanBuilder(const CompositeSpec& spec, const PlanEnvironment& env) : spec_(spec), env_(env) {}

  absl::StatusOr<std::shared_ptr<const CompositePlan>> Build() {
    plan_ = std::shared_ptr<CompositePlan>(new CompositePlan());
    plan_->name_ = spec_.SelectorName();
    plan_->description_ = absl::StrCat("composite ", plan_->name_, " (", spec_.http_method, " ",
                                       spec_.path_template, ") at ", spec_.where);
    plan_->http_method_ = spec_.http_method;
    plan_->timeout_ = spec_.timeout;
    plan_->registry_ = env_.registry;
    plan_->output_ = env_.output;
    plan_->printer_ = std::make_shared<ValuePrinter>(env_.registry, env_.output);
    plan_->max_json_depth_ = env_.max_json_depth;
    RETURN_IF_ERROR(CompileTemplate());
    RETURN_IF_ERROR(DeclareCalls());
    for (size_t i = 0; i < spec_.calls.size(); ++i) {
      RETURN_IF_ERROR(CompileCallInputs(spec_.calls[i], plan_->calls_[i]));
    }
    RETURN_IF_ERROR(CheckCycles());
    RETURN_IF_ERROR(CompileResponse());
    plan_->whole_ = SelectCalls(*plan_, nullptr);
    return std::shared_ptr<const CompositePlan>(std::move(plan_));
  }

 private:
  std::string Context() const {
    return absl::StrCat(spec_.where, ": composite ", spec_.SelectorName(), " (", spec_.http_method,
                        " ", spec_.path_template, ")");
  }
  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(Context(), ": ", problem));
  }
  absl::Status CallError(const CallSpec& call, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(
        call.where.empty() ? spec_.where : call.where, ": composite ", spec_.SelectorName(), " (",
        spec_.http_method, " ", spec_.path_template, "): call \"", call.name, "\": ", problem));
  }

  absl::Status CompileTemplate() {
    auto tmpl = routing::HttpTemplate::Parse(spec_.path_template);
    if (!tmpl.ok()) return Error(absl::StrCat("path template: ", tmpl.status().message()));
    plan_->template_ = *std::move(tmpl);
    for (const routing::TemplateVariable& var : plan_->template_.variables()) {
      path_variables_.insert(absl::StrJoin(var.field_path, "."));
    }
    if (spec_.calls.empty()) return Error("no calls (a composite needs at least one)");
    return absl::OkStatus();
  }

  // Names, methods, upstreams and output types: everything another call's
  // references may need before any request template is compiled.
  absl::Status DeclareCalls() {
    for (const CallSpec& call : spec_.calls) {
      if (!IsIdentifier(call.name)) {
        return CallError(call, "the name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
      }
      if (IsReservedRoot(call.name)) {
        return CallError(
            call, absl::StrCat("the name is reserved (", absl::StrJoin(kReservedRoots, ", "), ")"));
      }
      if (!call_index_.emplace(call.name, static_cast<int>(plan_->calls_.size())).second) {
        return CallError(call, "a call with this name is already defined");
      }
      PlanCall compiled;
      compiled.index = plan_->calls_.size();
      compiled.name = call.name;
      compiled.where = call.where;
      compiled.required = call.required;
      if (call.fallback) {
        if (call.required) {
          return CallError(call, "fallback is only used by optional calls (set required: false)");
        }
        compiled.fallback = UnescapeLiterals(*call.fallback);
      }
      RETURN_IF_ERROR(DeclareMethod(call, compiled));
      plan_->calls_.push_back(std::move(compiled));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const gpb::MethodDescriptor*> FindMethod(const CallSpec& call,
                                                          absl::string_view name) const {
    std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      return CallError(call, absl::StrCat("method \"", name,
                                          "\" must be \"<package.Service>/<Method>\", e.g. "
                                          "demo.users.v1.UserService/GetUser"));
    }
    const gpb::ServiceDescriptor* service =
        env_.registry->pool().FindServiceByName(std::string(parts[0]));
    if (service == nullptr) {
      return CallError(
          call, absl::StrCat("unknown service \"", parts[0], "\" (not in the descriptor set)"));
    }
    const gpb::MethodDescriptor* method = service->FindMethodByName(std::string(parts[1]));
    if (method == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < service->method_count(); ++i) names.push_back(service->method(i)->name());
      return CallError(call, absl::StrCat("service ", parts[0], " has no method \"", parts[1],
                                          "\" (methods: ", absl::StrJoin(names, ", "), ")"));
    }
    if (method->client_streaming() || method->server_streaming()) {
      return CallError(call,
                       absl::StrCat(name, " is a streaming method; only unary calls compose"));
    }
    return method;
  }

  absl::Status DeclareMethod(const CallSpec& call, PlanCall& compiled) {
    if (call.batch && call.for_each.empty()) {
      return CallError(call, "batch needs for_each (the list it sends in one call)");
    }
    if (!call.batch && call.method.empty()) return CallError(call, "missing method");
    if (call.for_each.empty() && (call.concurrency != 0 || call.distinct)) {
      return CallError(call, "concurrency and distinct only apply with for_each");
    }
    if (call.concurrency < 0 || call.concurrency > kMaxConcurrency) {
      return CallError(call, absl::StrCat("concurrency must be in [1, ", kMaxConcurrency, "]"));
    }
    if (call.concurrency > 0) compiled.concurrency = call.concurrency;
    compiled.batched = call.batch.has_value();
    ASSIGN_OR_RETURN(const gpb::MethodDescriptor* method,
                     FindMethod(call, compiled.batched ? call.batch->method : call.method));
    const std::string& service = method->service()->full_name();
    auto upstream = env_.upstreams.find(service);
    if (upstream == env_.upstreams.end()) {
      return CallError(
          call, absl::StrCat("service ", service, " has no upstream (add it under `upstreams:`)"));
    }
    compiled.stub = upstream->second.stub;
    auto method_timeout = upstream->second.method_timeouts.find(method->name());
    compiled.timeout = call.timeout ? *call.timeout
                       : method_timeout != upstream->second.method_timeouts.end()
                           ? method_timeout->second
                           : upstream->second.timeout;
    compiled.service = service;
    compiled.method_path = absl::StrCat("/", service, "/", method->name());
    compiled.request_type_url = transcode::TypeRegistry::TypeUrl(*method->input_type());
    compiled.response_type_url = transcode::TypeRegistry::TypeUrl(*method->output_type());
    compiled.response_type = method->output_type();
    plan_->printer_->Prepare(*method->output_type());
    compiled.request_type = method->input_type();
    compiled.read_mask = ReadMaskField(*method->input_type(), upstream->second.read_mask);
    const ValueType response = ValueType::OfMessage(*method->output_type());
    if (!compiled.batched) {
      compiled.output = call.for_each.empty() ? response : response.AsList();
      return absl::OkStatus();
    }
    auto steps = ParseReference(absl::StrCat("$r.", call.batch->response));
    if (call.batch->response.empty() || !steps.ok()) {
      return CallError(call, absl::StrCat("batch.response must name the response field holding "
                                          "the results, e.g. products"));
    }
    compiled.batch_response = steps->steps;
    auto type = WalkPath(response, compiled.batch_response, env_.output.use_proto_field_names);
    if (!type.ok())
      return CallError(call, absl::StrCat("batch.response: ", type.status().message()));
    if (!type->list) {
      return CallError(call, absl::StrCat("batch.response: ", call.batch->response, " is ",
                                          type->Describe(), ", not a list"));
    }
    compiled.output = *type;
    return absl::OkStatus();
  }

  absl::Status CompileCallInputs(const CallSpec& call, PlanCall& compiled) {
    Scope scope;
    std::vector<int> dependencies;
    scope.dependencies = &dependencies;
    if (!call.for_each.empty()) {
      auto ref = CompileReference(Json(call.for_each), scope, "for_each");
      if (!ref.ok()) return CallError(call, ref.status().message());
      if (!ref->type.list && ref->type.kind != ValueType::Kind::kDynamic) {
        return CallError(call, absl::StrCat("for_each: ", call.for_each, " is ",
                                            ref->type.Describe(), ", not a list (use [*])"));
      }
      compiled.for_each = *std::move(ref);
      compiled.distinct = call.distinct;
      scope.item_type = compiled.for_each->type.Element();
      scope.item = !compiled.batched;
      scope.items = compiled.batched;
    }
    const gpb::Descriptor& type = *compiled.request_type;
    const Json& request = compiled.batched ? call.batch->request : call.request;
    auto tmpl = CompileRequestTemplate(request, type, References(scope),
                                       compiled.batched ? "batch.request" : "request");
    if (!tmpl.ok()) return CallError(call, tmpl.status().message());
    compiled.request = *std::move(tmpl);
    if (compiled.read_mask != nullptr && SetsField(compiled.request, *compiled.read_mask)) {
      compiled.read_mask = nullptr;  // the config's own mask stays
    }
    // A literal the field does not take is a config error, found here.
    if (auto status = PrepareRequestLiterals(compiled.request, type, *env_.registry);
        !status.ok()) {
      return CallError(call, status.message());
    }
    std::sort(dependencies.begin(), dependencies.end());
    dependencies.erase(std::unique(dependencies.begin(), dependencies.end()), dependencies.end());
    compiled.dependencies = std::move(dependencies);
    return absl::OkStatus();
  }

  absl::StatusOr<SourceRef> CompileReference(const Json& value, const Scope& scope,
                                             const std::string& where) {
    const std::string& text = value.get_ref<const std::string&>();
    auto parsed = ParseReference(text);
    if (!parsed.ok()) return Prefixed(where, parsed.status());
    SourceRef ref;
    ref.text = text;
    ref.steps = parsed->steps;
    const std::string& root = parsed->root;
    if (root == "path" || root == "query") {
      ref.root = root == "path" ? SourceRef::Root::kPath : SourceRef::Root::kQuery;
      ref.key = parsed->DottedRest();
      const bool plain = std::all_of(ref.steps.begin(), ref.steps.end(), [](const PathStep& s) {
        return s.kind == PathStep::Kind::kField;
      });
      if (ref.key.empty() || !plain) {
        return Problem(where, absl::StrCat(text, ": expected $", root, ".<name>"));
      }
      if (ref.root == SourceRef::Root::kPath && !path_variables_.contains(ref.key)) {
        return Problem(where,
                       absl::StrCat("path variable \"", ref.key, "\" is not in the template ",
                                    spec_.path_template,
                                    " (variables: ", absl::StrJoin(path_variables_, ", "), ")"));
      }
      ref.steps.clear();
      ref.type = ValueType::String();
      return ref;
    }
    ValueType start;
    if (root == "body" || root == "auth") {
      ref.root = root == "body" ? SourceRef::Root::kBody : SourceRef::Root::kAuth;
      if (ref.root == SourceRef::Root::kBody) plan_->uses_body_ = true;
    } else if (root == "item" || root == "items") {
      const bool allowed = root == "item" ? scope.item : scope.items;
      if (!allowed) {
        return Problem(where, absl::StrCat(text, ": $", root, " is only defined in ",
                                           root == "item" ? "the request of a for_each call"
                                                          : "the request of a batch"));
      }
      ref.root = root == "item" ? SourceRef::Root::kItem : SourceRef::Root::kItems;
      start = root == "item" ? scope.item_type : scope.item_type.AsList();
    } else {
      auto it = call_index_.find(root);
      if (it == call_index_.end()) {
        return Problem(where,
                       absl::StrCat(text, ": unknown call \"", root, "\" (calls: ", CallNames(),
                                    "; other roots: ", absl::StrJoin(kReservedRoots, ", "), ")"));
      }
      if (scope.dependencies == nullptr) {
        return Problem(where, absl::StrCat(text, ": call outputs cannot be used here"));
      }
      scope.dependencies->push_back(it->second);
      ref.root = SourceRef::Root::kCall;
      ref.call = it->second;
      start = plan_->calls_[static_cast<size_t>(it->second)].output;
    }
    auto type = WalkPath(start, ref.steps, env_.output.use_proto_field_names);
    if (!type.ok())
      return Prefixed(where, absl::Status(type.status().code(),
                                          absl::StrCat(text, ": ", type.status().message())));
    ref.type = *type;
    return ref;
  }

  ReferenceCompiler References(const Scope& scope) {
    return [this, &scope](const Json& value, const std::string& where) {
      return CompileReference(value, scope, where);
    };
  }

  std::string CallNames() const {
    std::vector<std::string> names;
    for (const CallSpec& call : spec_.calls) names.push_back(call.name);
    return absl::StrJoin(names, ", ");
  }

  static absl::Status Problem(const std::string& where, absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
  }
  static absl::Status Prefixed(const std::string& where, const absl::Status& status) {
    return Problem(where, status.message());
  }

  absl::Status CheckCycles() const {
    enum class Mark { kNew, kOnStack, kDone };
    std::vector<Mark> marks(plan_->calls_.size(), Mark::kNew);
    std::vector<int> stack;
    std::function<absl::Status(int)> visit = [&](int call) -> absl::Status {
      marks[static_cast<size_t>(call)] = Mark::kOnStack;
      stack.push_back(call);
      for (int next : plan_->calls_[static_cast<size_t>(call)].dependencies) {
        if (marks[static_cast<size_t>(next)] == Mark::kOnStack) {
          std::vector<std::string> cycle;
          auto from = std::find(stack.begin(), stack.end(), next);
          for (auto it = from; it != stack.end(); ++it) {
            cycle.push_back(plan_->calls_[static_cast<size_t>(*it)].name);
          }
          cycle.push_back(plan_->calls_[static_cast<size_t>(next)].name);
          return Error(absl::StrCat("dependency cycle: ", absl::StrJoin(cycle, " -> "),
                                    " (each needs the output of the next)"));
        }
        if (marks[static_cast<size_t>(next)] == Mark::kNew) RETURN_IF_ERROR(visit(next));
      }
      stack.pop_back();
      marks[static_cast<size_t>(call)] = Mark::kDone;
      return absl::OkStatus();
    };
    for (size_t i = 0; i < marks.size(); ++i) {
      if (marks[i] == Mark::kNew) RETURN_IF_ERROR(visit(static_cast<int>(i)));
    }
    return absl::OkStatus();
  }

  absl::Status CompileResponse() {
    Json shape = Json::object();
    if (spec_.response) {
      shape = *spec_.response;
    } else {
      for (const CallSpec& call : spec_.calls) shape[call.name] = "$" + call.name;
    }
    if (!shape.is_object())
      return Error("response: expected a mapping (the top level is an object)");
    auto compiled = CompileShape(shape, "response", /*top=*/true);
    if (!compiled.ok()) return Error(compiled.status().message());
    plan_->response_ = *std::move(compiled);
    PrintLiterals(plan_->response_);
    return absl::OkStatus();
  }

  // The answer is written as text: its keys and literals are printed once.
  static void PrintLiterals(ValueTemplate& node) {
    if (node.kind == ValueTemplate::Kind::kLiteral)
      node.literal_text = common::JsonText(node.literal);
    for (TemplateField& field : node.fields) {
      field.key_text = absl::StrCat(common::JsonQuoted(field.first), ":");
      PrintLiterals(field.second);
    }
    for (ValueTemplate& item : node.items) PrintLiterals(item);
  }

  absl::StatusOr<ValueTemplate> CompileShape(const Json& shape, const std::string& where,
                                             bool top) {
    Scope scope;
    std::vector<int> unused;
    scope.dependencies = &unused;
    if (!shape.is_object()) return CompileFreeTemplate(shape, References(scope), where);
    ValueTemplate node;
    node.kind = ValueTemplate::Kind::kObject;
    std::map<std::string, std::string> keys;  // key -> where it comes from
    auto claim = [&](const std::string& key, const std::string& from) -> absl::Status {
      if (top && key == kErrorsKey) {
        return Problem(where, absl::StrCat("key \"errors\" (from ", from,
                                           ") is reserved for the failures of optional calls"));
      }
      auto [it, inserted] = keys.emplace(key, from);
      if (inserted) return absl::OkStatus();
      return Problem(
          where, absl::StrCat("key \"", key, "\" can come from both ", it->second, " and ", from));
    };
    if (auto merge = shape.find("$merge"); merge != shape.end()) {
      ASSIGN_OR_RETURN(node.merges, CompileMerges(*merge, scope, Join(where, "$merge")));
      for (const SourceRef& ref : node.merges) {
        for (int i = 0; i < ref.type.message->field_count(); ++i) {
          RETURN_IF_ERROR(claim(
              JsonKey(*ref.type.message->field(i), env_.output.use_proto_field_names), ref.text));
        }
      }
    }
    for (auto it = shape.begin(); it != shape.end(); ++it) {
      if (it.key() == "$merge" || it.key() == "$drop") continue;
      if (absl::StartsWith(it.key(), "$")) {
        return Problem(Join(where, it.key()),
                       "unknown directive (keys starting with '$' are $merge and $drop)");
      }
      RETURN_IF_ERROR(claim(it.key(), absl::StrCat("key \"", it.key(), "\"")));
      ASSIGN_OR_RETURN(ValueTemplate value, CompileShape(*it, Join(where, it.key()), false));
      node.fields.push_back({it.key(), std::move(value)});
    }
    if (auto drop = shape.find("$drop"); drop != shape.end()) {
      ASSIGN_OR_RETURN(node.drops, CompileDrops(*drop, keys, Join(where, "$drop")));
    }
    return node;
  }

  absl::StatusOr<std::vector<SourceRef>> CompileMerges(const Json& value, const Scope& scope,
                                                       const std::string& where) {
    const Json list = value.is_array() ? value : Json::array({value});
    std::vector<SourceRef> merges;
    for (const Json& item : list) {
      if (!IsReference(item)) {
        return Problem(where, absl::StrCat("expected references, e.g. [\"$user\"], got ",
                                           common::JsonText(item)));
      }
      ASSIGN_OR_RETURN(SourceRef ref, CompileReference(item, scope, where));
      if (ref.type.kind != ValueType::Kind::kMessage || ref.type.list) {
        return Problem(where, absl::StrCat(ref.text, " is ", ref.type.Describe(),
                                           ": only a message has known keys to merge"));
      }
      merges.push_back(std::move(ref));
    }
    return merges;
  }

  static absl::StatusOr<std::vector<std::vector<PathStep>>> CompileDrops(
      const Json& value, const std::map<std::string, std::string>& keys, const std::string& where) {
    const Json list = value.is_array() ? value : Json::array({value});
    std::vector<std::vector<PathStep>> drops;
    for (const Json& item : list) {
      if (!item.is_string()) {
        return Problem(
            where, absl::StrCat("expected key paths, e.g. [email], got ", common::JsonText(item)));
      }
      auto parsed = ParseReference(absl::StrCat("$", item.get<std::string>()));
      if (!parsed.ok()) return Problem(where, parsed.status().message());
      std::string key = parsed->root;
      if (!keys.contains(key)) key = LowerCamel(key);
      if (!keys.contains(key)) {
        return Problem(where,
                       absl::StrCat("\"", item.get<std::string>(), "\" drops nothing: no key \"",
                                    parsed->root, "\" at this level"));
      }
      std::vector<PathStep> steps;
      steps.push_back({.kind = PathStep::Kind::kField, .name = key});
      steps.insert(steps.end(), parsed->steps.begin(), parsed->steps.end());
      drops.push_back(std::move(steps));
    }
    return drops;
  }

  const CompositeSpec& spec_;
  const PlanEnvironment& env_;
  std::shared_ptr<CompositePlan> plan_;
  std::set<std::string> path_variables_;
  std::map<std::string, int> call_index_;
};

void ForEachReference(const ValueTemplate& tmpl, absl::FunctionRef<void(const SourceRef&)> visit) {
  if (tmpl.kind == ValueTemplate::Kind::kReference) visit(tmpl.ref);
  for (const SourceRef& merge : tmpl.merges) visit(merge);
  for (const TemplateField& field : tmpl.fields) ForEachReference(field.second, visit);
  for (const ValueTemplate& item : tmpl.items) ForEachReference(item, visit);
}

bool CompositePlan::ReadsQuery(absl::string_view name) const {
  bool reads = false;
  auto check = [&](const SourceRef& ref) {
    reads = reads || (ref.root == SourceRef::Root::kQuery && ref.key == name);
  };
  ForEachReference(response_, check);
  for (const PlanCall& call : calls_) {
    ForEachReference(call.request, check);
    if (call.for_each) check(*call.for_each);
  }
  return reads;
}

std::vector<std::string> CompositePlan::services() const {
  std::set<std::string> unique;
  for (const PlanCall& call : calls_) unique.insert(call.service);
  return {unique.begin(), unique.end()};
}

absl::StatusOr<std::shared_ptr<const CompositePlan>> CompositePlan::Build(
    const CompositeSpec& spec, const PlanEnvironment& env) {
  return PlanBuilder(spec, env).Build();
}

}  // namespace protogate::aggregate
