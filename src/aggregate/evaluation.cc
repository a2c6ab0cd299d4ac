#include "aggregate/evaluation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

// The JSON form a request field expects, for the conversions the plan
// builder allowed: a number or bool into a string field prints it, and a
// path or query "true" into a bool field parses it. Anything else is left to
// the protobuf JSON parser, which accepts numbers quoted or not.
Json Convert(Json value, const gpb::FieldDescriptor* target) {
  if (target == nullptr) return value;
  if (value.is_array()) {
    for (Json& element : value) element = Convert(std::move(element), target);
    return value;
  }
  if (target->cpp_type() == gpb::FieldDescriptor::CPPTYPE_STRING &&
      target->type() == gpb::FieldDescriptor::TYPE_STRING &&
      (value.is_number() || value.is_boolean())) {
    return common::JsonText(value);
  }
  if (target->cpp_type() == gpb::FieldDescriptor::CPPTYPE_BOOL && value.is_string()) {
    // Compared as a std::string: json == "literal" trips gcc 12's -Warray-bounds at -O3.
    const std::string& text = value.get_ref<const std::string&>();
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return value;
}

Json EvaluateObject(const ValueTemplate& tmpl, const Sources& sources) {
  Json out = Json::object();
  for (const SourceRef& merge : tmpl.merges) {
    std::optional<Json> value = sources.Printer().ToJson(Lookup(merge, sources));
    if (!value || !value->is_object()) continue;
    for (auto it = value->begin(); it != value->end(); ++it) out[it.key()] = *it;
  }
  for (const TemplateField& field : tmpl.fields) {
    std::optional<Json> value = Evaluate(field.second, sources);
    if (value) out[field.first] = *std::move(value);
  }
  for (const std::vector<PathStep>& drop : tmpl.drops) Erase(out, drop);
  return out;
}

bool PrintObject(const ValueTemplate& tmpl, const Sources& sources, std::string* out) {
  if (!tmpl.drops.empty()) {
    // Removing paths needs the tree (a documented exception to printing
    // from the values).
    out->append(common::JsonText(EvaluateObject(tmpl, sources)));
    return true;
  }
  out->push_back('{');
  bool first = true;
  for (const SourceRef& merge : tmpl.merges) {
    sources.Printer().PrintMembers(Lookup(merge, sources), out, &first);
  }
  for (const TemplateField& field : tmpl.fields) {
    const size_t size = out->size();
    if (!first) out->push_back(',');
    if (field.key_text.empty()) {
      absl::StrAppend(out, common::JsonQuoted(field.first), ":");
    } else {
      out->append(field.key_text);
    }
    if (PrintResponse(field.second, sources, out)) {
      first = false;
    } else {
      out->resize(size);
    }
  }
  out->push_back('}');
  return true;
}

const ValuePrinter& JsonOnlyPrinter() {
  static const auto* const kPrinter = new ValuePrinter(nullptr, {});
  return *kPrinter;
}

}  // namespace

const ValuePrinter& Sources::Printer() const {
  return printer != nullptr ? *printer : JsonOnlyPrinter();
}

Sources SourcesOf(const std::vector<routing::VariableBinding>& bindings,
                  const std::vector<std::pair<std::string, std::string>>& query) {
  Sources sources;
  for (const routing::VariableBinding& binding : bindings) {
    sources.path[absl::StrJoin(binding.field_path, ".")] = binding.value;
  }
  for (const auto& [name, value] : query) {
    Json& values = sources.query[name];
    if (values.is_null()) values = Json::array();
    values.push_back(value);
  }
  return sources;
}

Value Lookup(const SourceRef& ref, const Sources& sources) {
  switch (ref.root) {
    case SourceRef::Root::kPath: {
      auto it = sources.path.find(ref.key);
      if (it == sources.path.end()) return {};
      return Value(*it);
    }
    case SourceRef::Root::kQuery: {
      auto it = sources.query.find(ref.key);
      if (it == sources.query.end() || !it->is_array() || it->empty()) return {};
      if (ref.all_values) return Value(*it);
      return Value(it->front());
    }
    case SourceRef::Root::kBody:
      if (sources.body.is_null()) return {};
      return Value(Resolve(sources.body, ref.steps));
    case SourceRef::Root::kAuth:
      return Value(Resolve(sources.auth, ref.steps));
    case SourceRef::Root::kItem:
      if (sources.item == nullptr) return {};
      return aggregate::Lookup(*sources.item, ref.steps, sources.Printer());
    case SourceRef::Root::kItems:
      if (sources.items == nullptr) return {};
      return aggregate::Lookup(*sources.items, ref.steps, sources.Printer());
    case SourceRef::Root::kCall: {
      const size_t index = static_cast<size_t>(ref.call);
      if (index >= sources.calls.size()) return {};
      Value found = aggregate::Lookup(sources.calls[index], ref.steps, sources.Printer());
      if (ref.selection == nullptr) return found;
      return Kept(found, *ref.selection, sources.Printer().options().use_proto_field_names);
    }
  }
  return {};
}

std::optional<Json> Evaluate(const ValueTemplate& tmpl, const Sources& sources) {
  switch (tmpl.kind) {
    case ValueTemplate::Kind::kLiteral:
      return Convert(tmpl.literal, tmpl.target);
    case ValueTemplate::Kind::kReference: {
      std::optional<Json> value = sources.Printer().ToJson(Lookup(tmpl.ref, sources));
      if (!value) return std::nullopt;
      return Convert(*std::move(value), tmpl.target);
    }
    case ValueTemplate::Kind::kObject:
      return EvaluateObject(tmpl, sources);
    case ValueTemplate::Kind::kList: {
      Json out = Json::array();
      for (const ValueTemplate& item : tmpl.items) {
        std::optional<Json> value = Evaluate(item, sources);
        if (value) out.push_back(*std::move(value));
      }
      return out;
    }
  }
  return std::nullopt;
}

bool PrintResponse(const ValueTemplate& tmpl, const Sources& sources, std::string* out) {
  switch (tmpl.kind) {
    case ValueTemplate::Kind::kLiteral:
      out->append(tmpl.literal_text.empty() ? common::JsonText(tmpl.literal) : tmpl.literal_text);
      return true;
    case ValueTemplate::Kind::kReference:
      return sources.Printer().Print(Lookup(tmpl.ref, sources), out);
    case ValueTemplate::Kind::kObject:
      return PrintObject(tmpl, sources, out);
    case ValueTemplate::Kind::kList: {
      out->push_back('[');
      bool first = true;
      for (const ValueTemplate& item : tmpl.items) {
        const size_t size = out->size();
        if (!first) out->push_back(',');
        if (PrintResponse(item, sources, out)) {
          first = false;
        } else {
          out->resize(size);
        }
      }
      out->push_back(']');
      return true;
    }
  }
  return false;
}

}  // namespace protogate::aggregate
