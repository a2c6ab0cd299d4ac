#include "graphql/validator.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graphql/input_values.h"

namespace protogate::graphql {
namespace {

using Kind = SchemaType::Kind;

// The AST keeps one location per node, where graphql-js also points at a
// node's name or type condition. Those sit at a fixed offset from the node
// in documents written the usual way (`fragment F on T`, `...F`), so the
// validator assumes that layout.
Location Shift(Location at, int columns) { return {at.line, at.column + columns}; }

Location OperationNameLocation(const Operation& op) {
  const int keyword = op.type == Operation::Type::kQuery      ? 5
                      : op.type == Operation::Type::kMutation ? 8
                                                              : 12;
  return Shift(op.location, keyword + 1);
}
Location FragmentNameLocation(const Fragment& f) { return Shift(f.location, 9); }
Location FragmentTypeLocation(const Fragment& f) {
  return Shift(f.location, 9 + static_cast<int>(f.name.size()) + 4);
}
Location SpreadNameLocation(const Selection& s) { return Shift(s.location, 3); }
Location InlineTypeLocation(const Selection& s) { return Shift(s.location, 7); }

const TypeRef& Named(const TypeRef& type) {
  return type.kind == TypeRef::Kind::kNamed ? type : Named(type.of[0]);
}
const TypeRef& Nullable(const TypeRef& type) {
  return type.kind == TypeRef::Kind::kNonNull ? type.of[0] : type;
}
bool IsLeaf(const SchemaType* type) {
  return type != nullptr && (type->kind == Kind::kScalar || type->kind == Kind::kEnum);
}

// A variable as a value uses it: the type its position expects and whether
// that position has a default.
struct VariableUsage {
  const Value* node = nullptr;
  std::optional<TypeRef> type{};
  bool location_default = false;
};

bool IsSubType(const TypeRef& sub, const TypeRef& super) {
  using K = TypeRef::Kind;
  if (super.kind == K::kNonNull)
    return sub.kind == K::kNonNull && IsSubType(sub.of[0], super.of[0]);
  if (sub.kind == K::kNonNull) return IsSubType(sub.of[0], super);
  if (super.kind == K::kList) return sub.kind == K::kList && IsSubType(sub.of[0], super.of[0]);
  if (sub.kind == K::kList) return false;
  return sub.name == super.name;
}

// doTypesConflict of OverlappingFieldsCanBeMerged.
bool TypesConflict(const Schema& schema, const TypeRef& a, const TypeRef& b) {
  using K = TypeRef::Kind;
  if (a.kind == K::kList || b.kind == K::kList) {
    return a.kind != b.kind || TypesConflict(schema, a.of[0], b.of[0]);
  }
  if (a.kind == K::kNonNull || b.kind == K::kNonNull) {
    return a.kind != b.kind || TypesConflict(schema, a.of[0], b.of[0]);
  }
  if (IsLeaf(schema.FindType(a.name)) || IsLeaf(schema.FindType(b.name))) return a.name != b.name;
  return false;
}

constexpr int kMergeBudget = 200000;  // field comparisons per document

class Validator {
 public:
  Validator(const Document& document, const Schema& schema) : document_(document), schema_(schema) {
    for (const Fragment& fragment : document.fragments) {
      fragments_.try_emplace(fragment.name, &fragment);
    }
  }

  std::vector<Error> Run() {
    std::vector<std::pair<Location, const void*>> order;
    for (const Operation& op : document_.operations) order.push_back({op.location, &op});
    for (const Fragment& f : document_.fragments) order.push_back({f.location, &f});
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    for (const auto& [at, node] : order) {
      if (IsOperation(node)) {
        VisitOperation(*static_cast<const Operation*>(node));
      } else {
        VisitFragment(*static_cast<const Fragment*>(node));
      }
    }
    NoUnusedFragments();
    if (over_budget_) {
      return {Error{.message = "Document is too complex to validate."}};
    }
    return std::move(errors_);
  }

 private:
  bool IsOperation(const void* node) const {
    for (const Operation& op : document_.operations) {
      if (&op == node) return true;
    }
    return false;
  }

  void Report(std::string message, std::vector<Location> locations) {
    errors_.push_back({.message = std::move(message), .locations = std::move(locations)});
  }

  const SchemaType* Composite(const SchemaType* type) const {
    return type != nullptr && type->kind == Kind::kObject ? type : nullptr;
  }

  const SchemaType* RootType(const Operation& op) const {
    switch (op.type) {
      case Operation::Type::kQuery:
        return schema_.query();
      case Operation::Type::kMutation:
        return schema_.mutation();
      case Operation::Type::kSubscription:
        return nullptr;
    }
    return nullptr;
  }

  // --- Operations (§5.2) and variables (§5.8) ---

  void VisitOperation(const Operation& op) {
    current_ = &op;
    UniqueOperationName(op);
    if (op.name.empty() && document_.operations.size() > 1) {
      Report("This anonymous operation must be the only defined operation.", {op.location});
    }
    const SchemaType* root = RootType(op);
    if (root == nullptr) {
      static constexpr const char* kNames[] = {"query", "mutation", "subscription"};
      Report(absl::StrCat("Schema is not configured to execute ", kNames[static_cast<int>(op.type)],
                          " operation."),
             {op.location});
    }
    UniqueVariableNames(op);
    UniqueDirectives(op.directives);
    for (const VariableDefinition& variable : op.variables) VisitVariableDefinition(variable);
    static constexpr const char* kLocations[] = {"QUERY", "MUTATION", "SUBSCRIPTION"};
    VisitDirectives(op.directives, kLocations[static_cast<int>(op.type)]);
    VisitSelectionSet(op.selections, root);
    CheckVariableUsages(op);
    current_ = nullptr;
  }

  void UniqueOperationName(const Operation& op) {
    if (op.name.empty()) return;
    auto [it, fresh] = operation_names_.try_emplace(op.name, &op);
    if (fresh) return;
    Report(absl::StrCat("There can be only one operation named \"", op.name, "\"."),
           {OperationNameLocation(*it->second), OperationNameLocation(op)});
  }

  void UniqueVariableNames(const Operation& op) {
    std::vector<std::string> names;
    std::map<std::string, std::vector<Location>> seen;
    for (const VariableDefinition& variable : op.variables) {
      if (seen[variable.name].empty()) names.push_back(variable.name);
      seen[variable.name].push_back(Shift(variable.location, 1));
    }
    for (const std::string& name : names) {
      if (seen[name].size() < 2) continue;
      Report(absl::StrCat("There can be only one variable named \"$", name, "\"."), seen[name]);
    }
  }

  void VisitVariableDefinition(const VariableDefinition& variable) {
    const SchemaType* type = schema_.FindType(Named(variable.type).name);
    if (type != nullptr && type->kind == Kind::kObject) {
      Report(absl::StrCat("Variable \"$", variable.name, "\" cannot be non-input type \"",
                          TypeText(variable.type), "\"."),
             {variable.type.location});
    }
    UniqueDirectives(variable.directives);
    KnownType(Named(variable.type).name, Named(variable.type).location);
    const bool input = type != nullptr && type->kind != Kind::kObject;
    if (variable.default_value) {
      VisitValue(*variable.default_value, input ? &variable.type : nullptr, true);
    }
    VisitDirectives(variable.directives, "VARIABLE_DEFINITION");
  }

  void KnownType(const std::string& name, Location at) {
    if (schema_.FindType(name) != nullptr) return;
    std::vector<std::string> names;
    for (const auto& type : schema_.types()) names.push_back(type->name);
    Report(absl::StrCat("Unknown type \"", name, "\".", DidYouMean(SuggestionList(name, names))),
           {at});
  }

  // NoUndefinedVariables, NoUnusedVariables and VariablesInAllowedPosition,
  // which graphql-js runs as the operation is left.
  void CheckVariableUsages(const Operation& op) {
    std::vector<VariableUsage> usages = RecursiveUsages(op);
    absl::flat_hash_map<std::string, const VariableDefinition*> defined;
    for (const VariableDefinition& variable : op.variables) {
      defined.try_emplace(variable.name, &variable);
    }
    for (const VariableUsage& usage : usages) {
      if (defined.contains(usage.node->text)) continue;
      Report(op.name.empty() ? absl::StrCat("Variable \"$", usage.node->text, "\" is not defined.")
                             : absl::StrCat("Variable \"$", usage.node->text,
                                            "\" is not defined by operation \"", op.name, "\"."),
             {usage.node->location, op.location});
    }
    absl::flat_hash_set<std::string> used;
    for (const VariableUsage& usage : usages) used.insert(usage.node->text);
    for (const VariableDefinition& variable : op.variables) {
      if (used.contains(variable.name)) continue;
      Report(op.name.empty() ? absl::StrCat("Variable \"$", variable.name, "\" is never used.")
                             : absl::StrCat("Variable \"$", variable.name,
                                            "\" is never used in operation \"", op.name, "\"."),
             {variable.location});
    }
    for (const VariableUsage& usage : usages) {
      auto it = defined.find(usage.node->text);
      if (it == defined.end() || !usage.type) continue;
      AllowedPosition(*it->second, usage);
    }
  }

  void AllowedPosition(const VariableDefinition& variable, const VariableUsage& usage) {
    if (schema_.FindType(Named(variable.type).name) == nullptr) return;
    const TypeRef* expected = &*usage.type;
    if (expected->kind == TypeRef::Kind::kNonNull &&
        variable.type.kind != TypeRef::Kind::kNonNull) {
      const bool has_default =
          variable.default_value && variable.default_value->kind != Value::Kind::kNull;
      if (has_default || usage.location_default) expected = &expected->of[0];
    }
    if (IsSubType(variable.type, *expected)) return;
    Report(absl::StrCat("Variable \"$", variable.name, "\" of type \"", TypeText(variable.type),
                        "\" used in position expecting type \"", TypeText(*usage.type), "\"."),
           {variable.location, usage.node->location});
  }

  // graphql-js's getFragmentSpreads: a set's own spreads, then those of
  // nested sets (last first).
  std::vector<const Selection*> FragmentSpreads(const std::vector<Selection>& root) const {
    std::vector<const Selection*> spreads;
    std::vector<const std::vector<Selection>*> stack = {&root};
    while (!stack.empty()) {
      const std::vector<Selection>* set = stack.back();
      stack.pop_back();
      for (const Selection& selection : *set) {
        if (selection.kind == Selection::Kind::kFragmentSpread) {
          spreads.push_back(&selection);
        } else if (!selection.selections.empty()) {
          stack.push_back(&selection.selections);
        }
      }
    }
    return spreads;
  }

  std::vector<const Fragment*> ReferencedFragments(const std::vector<Selection>& root) const {
    std::vector<const Fragment*> out;
    absl::flat_hash_set<std::string> collected;
    std::vector<const std::vector<Selection>*> stack = {&root};
    while (!stack.empty()) {
      const std::vector<Selection>* set = stack.back();
      stack.pop_back();
      for (const Selection* spread : FragmentSpreads(*set)) {
        if (!collected.insert(spread->name).second) continue;
        auto it = fragments_.find(spread->name);
        if (it == fragments_.end()) continue;
        out.push_back(it->second);
        stack.push_back(&it->second->selections);
      }
    }
    return out;
  }

  std::vector<VariableUsage> RecursiveUsages(const Operation& op) {
    std::vector<VariableUsage> out;
    for (const VariableDefinition& variable : op.variables) {
      UsagesInDirectives(variable.directives, out);
    }
    UsagesInDirectives(op.directives, out);
    UsagesInSet(op.selections, RootType(op), out);
    for (const Fragment* fragment : ReferencedFragments(op.selections)) {
      UsagesInDirectives(fragment->directives, out);
      UsagesInSet(fragment->selections, Composite(schema_.FindType(fragment->type_condition)), out);
    }
    return out;
  }

  void UsagesInSet(const std::vector<Selection>& set, const SchemaType* parent,
                   std::vector<VariableUsage>& out) {
    for (const Selection& selection : set) {
      if (selection.kind == Selection::Kind::kFragmentSpread) {
        UsagesInDirectives(selection.directives, out);
        continue;
      }
      if (selection.kind == Selection::Kind::kInlineFragment) {
        UsagesInDirectives(selection.directives, out);
        const SchemaType* type = selection.type_condition.empty()
                                     ? parent
                                     : Composite(schema_.FindType(selection.type_condition));
        UsagesInSet(selection.selections, type, out);
        continue;
      }
      const SchemaField* field = parent ? schema_.FindField(*parent, selection.name) : nullptr;
      for (const Argument& argument : selection.arguments) {
        const InputValue* input = field ? FindInput(field->arguments, argument.name) : nullptr;
        UsagesInValue(argument.value, input ? &input->type : nullptr, input && input->default_value,
                      out);
      }
      UsagesInDirectives(selection.directives, out);
      const SchemaType* type =
          field ? Composite(schema_.FindType(Named(field->type).name)) : nullptr;
      UsagesInSet(selection.selections, type, out);
    }
  }

  void UsagesInDirectives(const std::vector<Directive>& directives,
                          std::vector<VariableUsage>& out) {
    for (const Directive& directive : directives) {
      const DirectiveDefinition* definition = schema_.FindDirective(directive.name);
      for (const Argument& argument : directive.arguments) {
        const InputValue* input =
            definition ? FindInput(definition->arguments, argument.name) : nullptr;
        UsagesInValue(argument.value, input ? &input->type : nullptr, input && input->default_value,
                      out);
      }
    }
  }

  void UsagesInValue(const Value& value, const TypeRef* type, bool has_default,
                     std::vector<VariableUsage>& out) {
    if (value.kind == Value::Kind::kVariable) {
      out.push_back({.node = &value,
                     .type = type ? std::optional<TypeRef>(*type) : std::nullopt,
                     .location_default = has_default});
      return;
    }
    if (value.kind == Value::Kind::kList) {
      const TypeRef* item = nullptr;
      if (type != nullptr) {
        const TypeRef& nullable = Nullable(*type);
        item = nullable.kind == TypeRef::Kind::kList ? &nullable.of[0] : &nullable;
      }
      for (const Value& element : value.list) UsagesInValue(element, item, false, out);
      return;
    }
    if (value.kind != Value::Kind::kObject) return;
    const SchemaType* object = type ? schema_.FindType(Named(*type).name) : nullptr;
    for (const ObjectField& field : value.fields) {
      const InputValue* input = object && object->kind == Kind::kInputObject
                                    ? FindInput(object->input_fields, field.name)
                                    : nullptr;
      UsagesInValue(field.value, input ? &input->type : nullptr, input && input->default_value,
                    out);
    }
  }

  static const InputValue* FindInput(const std::vector<InputValue>& inputs,
                                     const std::string& name) {
    for (const InputValue& input : inputs) {
      if (input.name == name) return &input;
    }
    return nullptr;
  }

  // --- Fragments (§5.5) ---

  void VisitFragment(const Fragment& fragment) {
    const SchemaType* type = schema_.FindType(fragment.type_condition);
    if (type != nullptr && type->kind != Kind::kObject) {
      Report(
          absl::StrCat("Fragment \"", fragment.name, "\" cannot condition on non composite type \"",
                       fragment.type_condition, "\"."),
          {FragmentTypeLocation(fragment)});
    }
    auto [it, fresh] = fragment_names_.try_emplace(fragment.name, &fragment);
    if (!fresh) {
      Report(absl::StrCat("There can be only one fragment named \"", fragment.name, "\"."),
             {FragmentNameLocation(*it->second), FragmentNameLocation(fragment)});
    }
    DetectCycles(fragment);
    UniqueDirectives(fragment.directives);
    KnownType(fragment.type_condition, FragmentTypeLocation(fragment));
    VisitDirectives(fragment.directives, "FRAGMENT_DEFINITION");
    VisitSelectionSet(fragment.selections, Composite(type));
  }

  void DetectCycles(const Fragment& fragment) {
    if (!cycle_visited_.insert(fragment.name).second) return;
    std::vector<const Selection*> spreads = FragmentSpreads(fragment.selections);
    if (spreads.empty()) return;
    spread_index_[fragment.name] = spread_path_.size();
    for (const Selection* spread : spreads) {
      auto cycle = spread_index_.find(spread->name);
      spread_path_.push_back(spread);
      if (cycle == spread_index_.end()) {
        auto next = fragments_.find(spread->name);
        if (next != fragments_.end()) DetectCycles(*next->second);
      } else {
        ReportCycle(spread->name, cycle->second);
      }
      spread_path_.pop_back();
    }
    spread_index_.erase(fragment.name);
  }

  void ReportCycle(const std::string& name, size_t from) {
    std::vector<std::string> via;
    std::vector<Location> where;
    for (size_t i = from; i < spread_path_.size(); ++i) {
      where.push_back(spread_path_[i]->location);
      if (i + 1 < spread_path_.size())
        via.push_back(absl::StrCat("\"", spread_path_[i]->name, "\""));
    }
    Report(absl::StrCat("Cannot spread fragment \"", name, "\" within itself",
                        via.empty() ? "." : absl::StrCat(" via ", absl::StrJoin(via, ", "), ".")),
           where);
  }

  void NoUnusedFragments() {
    absl::flat_hash_set<std::string> used;
    for (const Operation& op : document_.operations) {
      for (const Fragment* fragment : ReferencedFragments(op.selections)) {
        used.insert(fragment->name);
      }
    }
    for (const Fragment& fragment : document_.fragments) {
      if (used.contains(fragment.name)) continue;
      Report(absl::StrCat("Fragment \"", fragment.name, "\" is never used."), {fragment.location});
    }
  }

  // --- Selections (§5.3) ---

  void VisitSelectionSet(const std::vector<Selection>& set, const SchemaType* parent) {
    if (set.empty()) return;
    OverlappingFields(set, parent);
    for (const Selection& selection : set) {
      switch (selection.kind) {
        case Selection::Kind::kField:
          VisitField(selection, parent);
          break;
        case Selection::Kind::kFragmentSpread:
          VisitSpread(selection, parent);
          break;
        case Selection::Kind::kInlineFragment:
          VisitInlineFragment(selection, parent);
          break;
      }
    }
  }

  void VisitField(const Selection& field, const SchemaType* parent) {
    const SchemaField* definition = parent ? schema_.FindField(*parent, field.name) : nullptr;
    if (definition != nullptr) LeafSelections(field, *definition);
    if (parent != nullptr && definition == nullptr) {
      std::vector<std::string> names;
      for (const SchemaField& known : parent->fields) names.push_back(known.name);
      Report(absl::StrCat("Cannot query field \"", field.name, "\" on type \"", parent->name, "\".",
                          DidYouMean(SuggestionList(field.name, names))),
             {field.location});
    }
    UniqueDirectives(field.directives);
    UniqueArguments(field.arguments);
    for (const Argument& argument : field.arguments) {
      const InputValue* input =
          definition ? FindInput(definition->arguments, argument.name) : nullptr;
      if (input == nullptr && definition != nullptr) {
        std::vector<std::string> names;
        for (const InputValue& known : definition->arguments) names.push_back(known.name);
        Report(
            absl::StrCat("Unknown argument \"", argument.name, "\" on field \"", parent->name, ".",
                         definition->name, "\".", DidYouMean(SuggestionList(argument.name, names))),
            {argument.location});
      }
      VisitValue(argument.value, input ? &input->type : nullptr, true);
    }
    VisitDirectives(field.directives, "FIELD");
    const SchemaType* type =
        definition ? Composite(schema_.FindType(Named(definition->type).name)) : nullptr;
    VisitSelectionSet(field.selections, type);
    if (definition != nullptr) {
      RequiredArguments(definition->arguments, field.arguments, field.location,
                        absl::StrCat("Field \"", definition->name, "\""));
    }
  }

  void LeafSelections(const Selection& field, const SchemaField& definition) {
    const SchemaType* type = schema_.FindType(Named(definition.type).name);
    const std::string text = TypeText(definition.type);
    if (IsLeaf(type) && !field.selections.empty()) {
      Report(absl::StrCat("Field \"", field.name, "\" must not have a selection since type \"",
                          text, "\" has no subfields."),
             {field.selections.front().location});
    } else if (type != nullptr && !IsLeaf(type) && field.selections.empty()) {
      Report(absl::StrCat("Field \"", field.name, "\" of type \"", text,
                          "\" must have a selection of subfields. Did you mean \"", field.name,
                          " { ... }\"?"),
             {field.location});
    }
  }

  void RequiredArguments(const std::vector<InputValue>& inputs, const std::vector<Argument>& given,
                         Location at, const std::string& owner) {
    for (const InputValue& input : inputs) {
      if (input.type.kind != TypeRef::Kind::kNonNull || input.default_value) continue;
      const bool provided = std::any_of(given.begin(), given.end(),
                                        [&](const Argument& a) { return a.name == input.name; });
      if (provided) continue;
      Report(absl::StrCat(owner, " argument \"", input.name, "\" of type \"", TypeText(input.type),
                          "\" is required, but it was not provided."),
             {at});
    }
  }

  void VisitSpread(const Selection& spread, const SchemaType* parent) {
    auto it = fragments_.find(spread.name);
    if (it == fragments_.end()) {
      Report(absl::StrCat("Unknown fragment \"", spread.name, "\"."), {SpreadNameLocation(spread)});
    } else {
      const SchemaType* type = Composite(schema_.FindType(it->second->type_condition));
      if (type != nullptr && parent != nullptr && type != parent) {
        Report(absl::StrCat("Fragment \"", spread.name,
                            "\" cannot be spread here as objects of type \"", parent->name,
                            "\" can never be of type \"", type->name, "\"."),
               {spread.location});
      }
    }
    UniqueDirectives(spread.directives);
    VisitDirectives(spread.directives, "FRAGMENT_SPREAD");
  }

  void VisitInlineFragment(const Selection& inline_fragment, const SchemaType* parent) {
    const std::string& condition = inline_fragment.type_condition;
    const SchemaType* type = condition.empty() ? parent : schema_.FindType(condition);
    if (!condition.empty() && type != nullptr && type->kind != Kind::kObject) {
      Report(absl::StrCat("Fragment cannot condition on non composite type \"", condition, "\"."),
             {InlineTypeLocation(inline_fragment)});
    }
    const SchemaType* composite = Composite(type);
    if (composite != nullptr && parent != nullptr && composite != parent) {
      Report(absl::StrCat("Fragment cannot be spread here as objects of type \"", parent->name,
                          "\" can never be of type \"", composite->name, "\"."),
             {inline_fragment.location});
    }
    UniqueDirectives(inline_fragment.directives);
    if (!condition.empty()) KnownType(condition, InlineTypeLocation(inline_fragment));
    VisitDirectives(inline_fragment.directives, "INLINE_FRAGMENT");
    VisitSelectionSet(inline_fragment.selections, composite);
  }

  // --- Arguments (§5.4) and directives (§5.7) ---

  void UniqueArguments(const std::vector<Argument>& arguments) {
    std::vector<std::string> names;
    std::map<std::string, std::vector<Location>> seen;
    for (const Argument& argument : arguments) {
      if (seen[argument.name].empty()) names.push_back(argument.name);
      seen[argument.name].push_back(argument.location);
    }
    for (const std::string& name : names) {
      if (seen[name].size() < 2) continue;
      Report(absl::StrCat("There can be only one argument named \"", name, "\"."), seen[name]);
    }
  }

  void UniqueDirectives(const std::vector<Directive>& directives) {
    absl::flat_hash_map<std::string, const Directive*> seen;
    for (const Directive& directive : directives) {
      const DirectiveDefinition* definition = schema_.FindDirective(directive.name);
      if (definition == nullptr || definition->repeatable) continue;
      auto [it, fresh] = seen.try_emplace(directive.name, &directive);
      if (fresh) continue;
      Report(absl::StrCat("The directive \"@", directive.name,
                          "\" can only be used once at this location."),
             {it->second->location, directive.location});
    }
  }

  void VisitDirectives(const std::vector<Directive>& directives, const char* location) {
    for (const Directive& directive : directives) VisitDirective(directive, location);
  }

  void VisitDirective(const Directive& directive, const std::string& location) {
    const DirectiveDefinition* definition = schema_.FindDirective(directive.name);
    if (definition == nullptr) {
      Report(absl::StrCat("Unknown directive \"@", directive.name, "\"."), {directive.location});
    } else if (std::find(definition->locations.begin(), definition->locations.end(), location) ==
               definition->locations.end()) {
      Report(absl::StrCat("Directive \"@", directive.name, "\" may not be used on ", location, "."),
             {directive.location});
    }
    if (definition != nullptr) KnownDirectiveArguments(directive, *definition);
    UniqueArguments(directive.arguments);
    for (const Argument& argument : directive.arguments) {
      const InputValue* input =
          definition ? FindInput(definition->arguments, argument.name) : nullptr;
      VisitValue(argument.value, input ? &input->type : nullptr, true);
    }
    if (definition != nullptr) {
      RequiredArguments(definition->arguments, directive.arguments, directive.location,
                        absl::StrCat("Directive \"@", directive.name, "\""));
    }
  }

  void KnownDirectiveArguments(const Directive& directive, const DirectiveDefinition& definition) {
    std::vector<std::string> names;
    for (const InputValue& known : definition.arguments) names.push_back(known.name);
    for (const Argument& argument : directive.arguments) {
      if (FindInput(definition.arguments, argument.name) != nullptr) continue;
      Report(absl::StrCat("Unknown argument \"", argument.name, "\" on directive \"@",
                          directive.name, "\".", DidYouMean(SuggestionList(argument.name, names))),
             {argument.location});
    }
  }

  // --- Values (§5.6) ---

  // `type` is the input type the position expects (nullptr: unknown);
  // `check` is false below a value already refused, where only the
  // uniqueness of input field names is still checked (as in graphql-js).
  void VisitValue(const Value& value, const TypeRef* type, bool check) {
    switch (value.kind) {
      case Value::Kind::kVariable:
        return;
      case Value::Kind::kNull:
        if (check && type != nullptr && type->kind == TypeRef::Kind::kNonNull) {
          Report(absl::StrCat("Expected value of type \"", TypeText(*type), "\", found null."),
                 {value.location});
        }
        return;
      case Value::Kind::kList:
        return VisitList(value, type, check);
      case Value::Kind::kObject:
        return VisitObject(value, type, check);
      default:
        if (check) ValidLeaf(value, type);
        return;
    }
  }

  void VisitList(const Value& value, const TypeRef* type, bool check) {
    const TypeRef* nullable = type ? &Nullable(*type) : nullptr;
    const bool list = nullable != nullptr && nullable->kind == TypeRef::Kind::kList;
    if (check && !list) ValidLeaf(value, type);
    for (const Value& item : value.list) {
      VisitValue(item, list ? &nullable->of[0] : nullptr, check && list);
    }
  }

  void VisitObject(const Value& value, const TypeRef* type, bool check) {
    const SchemaType* object = type ? schema_.FindType(Named(*type).name) : nullptr;
    const bool input = check && object != nullptr && object->kind == Kind::kInputObject;
    if (check && !input) ValidLeaf(value, type);
    if (input) ObjectRules(value, *object);
    absl::flat_hash_map<std::string, const ObjectField*> seen;
    for (const ObjectField& field : value.fields) {
      const InputValue* definition = input ? FindInput(object->input_fields, field.name) : nullptr;
      if (input && definition == nullptr) {
        Report(absl::StrCat("Field \"", field.name, "\" is not defined by type \"", object->name,
                            "\".", DidYouMean(SuggestionList(field.name, FieldNames(*object)))),
               {field.location});
      }
      auto [it, fresh] = seen.try_emplace(field.name, &field);
      if (!fresh) {
        Report(absl::StrCat("There can be only one input field named \"", field.name, "\"."),
               {it->second->location, field.location});
      }
      VisitValue(field.value, definition ? &definition->type : nullptr, input);
    }
  }

  void ObjectRules(const Value& value, const SchemaType& object) {
    for (const InputValue& field : object.input_fields) {
      if (field.type.kind != TypeRef::Kind::kNonNull || field.default_value) continue;
      if (FindField(value, field.name) != nullptr) continue;
      Report(absl::StrCat("Field \"", object.name, ".", field.name, "\" of required type \"",
                          TypeText(field.type), "\" was not provided."),
             {value.location});
    }
    if (object.one_of) return OneOfLiteral(value, object);
    std::vector<std::string> given;
    for (const ObjectField& field : value.fields) {
      if (field.value.kind != Value::Kind::kNull) given.push_back(field.name);
    }
    if (auto clash = FindOneofClash(object, given)) {
      Report(OneofClashMessage(object, *clash), {value.location});
    }
  }

  static const ObjectField* FindField(const Value& value, const std::string& name) {
    for (const ObjectField& field : value.fields) {
      if (field.name == name) return &field;
    }
    return nullptr;
  }

  void OneOfLiteral(const Value& value, const SchemaType& object) {
    std::set<std::string> keys;
    for (const ObjectField& field : value.fields) keys.insert(field.name);
    if (keys.size() != 1) {
      Report(absl::StrCat("OneOf Input Object \"", object.name, "\" must specify exactly one key."),
             {value.location});
      return;
    }
    const ObjectField& only = value.fields.front();
    if (only.value.kind == Value::Kind::kNull) {
      Report(absl::StrCat("Field \"", object.name, ".", only.name, "\" must be non-null."),
             {value.location});
      return;
    }
    if (only.value.kind == Value::Kind::kVariable) OneOfVariable(value, object, only.value.text);
  }

  void OneOfVariable(const Value& value, const SchemaType& object, const std::string& name) {
    const VariableDefinition* definition = CurrentVariable(name);
    if (definition == nullptr || definition->type.kind == TypeRef::Kind::kNonNull) return;
    Report(absl::StrCat("Variable \"", name,
                        "\" must be non-nullable to be used for OneOf Input Object \"", object.name,
                        "\"."),
           {value.location});
  }

  // The definition of a variable of the operation being visited (nullptr in
  // a fragment, where the variable's operation is not known).
  const VariableDefinition* CurrentVariable(const std::string& name) const {
    if (current_ == nullptr) return nullptr;
    for (const VariableDefinition& variable : current_->variables) {
      if (variable.name == name) return &variable;
    }
    return nullptr;
  }

  void ValidLeaf(const Value& value, const TypeRef* type) {
    if (type == nullptr) return;
    const SchemaType* named = schema_.FindType(Named(*type).name);
    if (named == nullptr) return;
    if (!IsLeaf(named)) {
      Report(absl::StrCat("Expected value of type \"", TypeText(*type), "\", found ",
                          PrintValue(value), "."),
             {value.location});
      return;
    }
    std::optional<std::string> problem = named->kind == Kind::kEnum
                                             ? EnumProblem(*named, value)
                                             : ScalarLiteralProblem(named->name, value);
    if (problem) Report(*std::move(problem), {value.location});
  }

  static std::optional<std::string> EnumProblem(const SchemaType& type, const Value& value) {
    const std::string shown = PrintValue(value);
    if (value.kind != Value::Kind::kEnum) {
      return absl::StrCat("Enum \"", type.name, "\" cannot represent non-enum value: ", shown, ".",
                          EnumSuggestion(type, shown));
    }
    for (const EnumValue& known : type.enum_values) {
      if (known.name == value.text) return std::nullopt;
    }
    return absl::StrCat("Value \"", shown, "\" does not exist in \"", type.name, "\" enum.",
                        EnumSuggestion(type, shown));
  }

  // --- Field merging (§5.3.2) ---

  struct FieldNode {
    const SchemaType* parent = nullptr;
    const Selection* node = nullptr;
    const SchemaField* definition = nullptr;
  };
  using FieldMap = std::vector<std::pair<std::string, std::vector<FieldNode>>>;
  struct Collected {
    FieldMap fields;
    std::vector<std::string> fragment_names;
  };
  struct Conflict {
    std::string key;
    std::string reason;  // a leaf reason, or "" with `sub`
    std::vector<Conflict> sub{};
    std::vector<Location> first{}, second{};
  };

  void OverlappingFields(const std::vector<Selection>& set, const SchemaType* parent) {
    std::vector<Conflict> conflicts;
    const Collected collected = Collect(set, parent);
    ConflictsWithin(collected.fields, conflicts);
    for (size_t i = 0; i < collected.fragment_names.size(); ++i) {
      FieldsAndFragment(conflicts, collected.fields, collected.fragment_names[i], false, 0);
      for (size_t j = i + 1; j < collected.fragment_names.size(); ++j) {
        BetweenFragments(conflicts, false, collected.fragment_names[i], collected.fragment_names[j],
                         0);
      }
    }
    for (const Conflict& conflict : conflicts) {
      std::vector<Location> where = conflict.first;
      where.insert(where.end(), conflict.second.begin(), conflict.second.end());
      Report(absl::StrCat("Fields \"", conflict.key, "\" conflict because ", Reason(conflict),
                          ". Use different aliases on the fields to fetch both if this was "
                          "intentional."),
             where);
    }
  }

  static std::string Reason(const Conflict& conflict) {
    if (conflict.sub.empty()) return conflict.reason;
    std::vector<std::string> parts;
    for (const Conflict& sub : conflict.sub) {
      parts.push_back(absl::StrCat("subfields \"", sub.key, "\" conflict because ", Reason(sub)));
    }
    return absl::StrJoin(parts, " and ");
  }

  Collected Collect(const std::vector<Selection>& set, const SchemaType* parent) const {
    Collected out;
    CollectInto(set, parent, out);
    return out;
  }

  void CollectInto(const std::vector<Selection>& set, const SchemaType* parent,
                   Collected& out) const {
    for (const Selection& selection : set) {
      if (selection.kind == Selection::Kind::kField) {
        FieldNode field{
            .parent = parent,
            .node = &selection,
            .definition = parent ? schema_.FindField(*parent, selection.name) : nullptr};
        auto it = std::find_if(out.fields.begin(), out.fields.end(), [&](const auto& entry) {
          return entry.first == selection.response_key();
        });
        if (it == out.fields.end()) {
          out.fields.push_back({selection.response_key(), {field}});
        } else {
          it->second.push_back(field);
        }
      } else if (selection.kind == Selection::Kind::kFragmentSpread) {
        if (std::find(out.fragment_names.begin(), out.fragment_names.end(), selection.name) ==
            out.fragment_names.end()) {
          out.fragment_names.push_back(selection.name);
        }
      } else {
        const SchemaType* type = selection.type_condition.empty()
                                     ? parent
                                     : Composite(schema_.FindType(selection.type_condition));
        CollectInto(selection.selections, type, out);
      }
    }
  }

  const Fragment* FindFragment(const std::string& name) const {
    auto it = fragments_.find(name);
    return it == fragments_.end() ? nullptr : it->second;
  }

  Collected FragmentFields(const Fragment& fragment) const {
    return Collect(fragment.selections, Composite(schema_.FindType(fragment.type_condition)));
  }

  bool Spend() {
    if (++comparisons_ > kMergeBudget) over_budget_ = true;
    return !over_budget_;
  }

  void ConflictsWithin(const FieldMap& fields, std::vector<Conflict>& out) {
    for (const auto& [key, nodes] : fields) {
      for (size_t i = 0; i < nodes.size(); ++i) {
        for (size_t j = i + 1; j < nodes.size(); ++j) {
          if (auto conflict = FindConflict(false, key, nodes[i], nodes[j]))
            out.push_back(*conflict);
        }
      }
    }
  }

  void ConflictsBetween(const FieldMap& a, const FieldMap& b, bool exclusive,
                        std::vector<Conflict>& out) {
    for (const auto& entry : a) {
      const auto& key = entry.first;
      const auto& nodes1 = entry.second;
      auto it = std::find_if(b.begin(), b.end(), [&key](const auto& e) { return e.first == key; });
      if (it == b.end()) continue;
      for (const FieldNode& f1 : nodes1) {
        for (const FieldNode& f2 : it->second) {
          if (auto conflict = FindConflict(exclusive, key, f1, f2)) out.push_back(*conflict);
        }
      }
    }
  }

  // Depth bounds the walk through fragments, which may form cycles.
  void FieldsAndFragment(std::vector<Conflict>& out, const FieldMap& fields,
                         const std::string& name, bool exclusive, int depth) {
    const Fragment* fragment = FindFragment(name);
    if (fragment == nullptr || depth > 64 || over_budget_) return;
    const Collected other = FragmentFields(*fragment);
    ConflictsBetween(fields, other.fields, exclusive, out);
    for (const std::string& referenced : other.fragment_names) {
      if (!MarkPair(referenced, name, exclusive)) continue;
      FieldsAndFragment(out, fields, referenced, exclusive, depth + 1);
    }
  }

  void BetweenFragments(std::vector<Conflict>& out, bool exclusive, const std::string& name1,
                        const std::string& name2, int depth) {
    if (name1 == name2 || depth > 64 || over_budget_) return;
    if (!MarkPair(name1, name2, exclusive)) return;
    const Fragment* f1 = FindFragment(name1);
    const Fragment* f2 = FindFragment(name2);
    if (f1 == nullptr || f2 == nullptr) return;
    const Collected a = FragmentFields(*f1);
    const Collected b = FragmentFields(*f2);
    ConflictsBetween(a.fields, b.fields, exclusive, out);
    for (const std::string& ref : b.fragment_names) {
      BetweenFragments(out, exclusive, name1, ref, depth + 1);
    }
    for (const std::string& ref : a.fragment_names) {
      BetweenFragments(out, exclusive, ref, name2, depth + 1);
    }
  }

  // False when the pair was compared already (graphql-js's PairSet).
  bool MarkPair(const std::string& a, const std::string& b, bool exclusive) {
    auto key = a < b ? std::pair(a, b) : std::pair(b, a);
    auto it = compared_pairs_.find(key);
    if (it != compared_pairs_.end() && (exclusive || it->second == exclusive)) return false;
    compared_pairs_[key] = exclusive;
    return true;
  }

  static bool SameArguments(const Selection& a, const Selection& b) {
    if (a.arguments.size() != b.arguments.size()) return false;
    return std::all_of(a.arguments.begin(), a.arguments.end(), [&](const Argument& arg1) {
      return std::any_of(b.arguments.begin(), b.arguments.end(), [&](const Argument& arg2) {
        return arg2.name == arg1.name && PrintValue(arg2.value) == PrintValue(arg1.value);
      });
    });
  }

  std::optional<Conflict> FindConflict(bool parents_exclusive, const std::string& key,
                                       const FieldNode& f1, const FieldNode& f2) {
    if (!Spend()) return std::nullopt;
    const bool exclusive = parents_exclusive ||
                           (f1.parent != f2.parent && f1.parent != nullptr && f2.parent != nullptr);
    Conflict conflict{
        .key = key, .reason = "", .first = {f1.node->location}, .second = {f2.node->location}};
    if (!exclusive && f1.node->name != f2.node->name) {
      conflict.reason =
          absl::StrCat("\"", f1.node->name, "\" and \"", f2.node->name, "\" are different fields");
      return conflict;
    }
    if (!exclusive && !SameArguments(*f1.node, *f2.node)) {
      conflict.reason = "they have differing arguments";
      return conflict;
    }
    if (f1.definition && f2.definition &&
        TypesConflict(schema_, f1.definition->type, f2.definition->type)) {
      conflict.reason =
          absl::StrCat("they return conflicting types \"", TypeText(f1.definition->type),
                       "\" and \"", TypeText(f2.definition->type), "\"");
      return conflict;
    }
    if (f1.node->selections.empty() || f2.node->selections.empty()) return std::nullopt;
    SubConflicts(exclusive, f1, f2, conflict);
    if (conflict.sub.empty()) return std::nullopt;
    return conflict;
  }

  void SubConflicts(bool exclusive, const FieldNode& f1, const FieldNode& f2, Conflict& conflict) {
    auto type_of = [&](const FieldNode& f) {
      return f.definition ? Composite(schema_.FindType(Named(f.definition->type).name)) : nullptr;
    };
    const Collected a = Collect(f1.node->selections, type_of(f1));
    const Collected b = Collect(f2.node->selections, type_of(f2));
    std::vector<Conflict>& sub = conflict.sub;
    ConflictsBetween(a.fields, b.fields, exclusive, sub);
    for (const std::string& name : b.fragment_names)
      FieldsAndFragment(sub, a.fields, name, exclusive, 0);
    for (const std::string& name : a.fragment_names)
      FieldsAndFragment(sub, b.fields, name, exclusive, 0);
    for (const std::string& n1 : a.fragment_names) {
      for (const std::string& n2 : b.fragment_names) BetweenFragments(sub, exclusive, n1, n2, 0);
    }
    for (const Conflict& c : sub) {
      conflict.first.insert(conflict.first.end(), c.first.begin(), c.first.end());
      conflict.second.insert(conflict.second.end(), c.second.begin(), c.second.end());
    }
  }

  const Document& document_;
  const Schema& schema_;
  std::vector<Error> errors_;
  absl::flat_hash_map<std::string, const Fragment*> fragments_;
  absl::flat_hash_map<std::string, const Operation*> operation_names_;
  absl::flat_hash_map<std::string, const Fragment*> fragment_names_;
  absl::flat_hash_set<std::string> cycle_visited_;
  absl::flat_hash_map<std::string, size_t> spread_index_;
  std::vector<const Selection*> spread_path_;
  std::map<std::pair<std::string, std::string>, bool> compared_pairs_;
  const Operation* current_ = nullptr;
  int comparisons_ = 0;
  bool over_budget_ = false;
};

}  // namespace

std::vector<Error> Validate(const Document& document, const Schema& schema) {
  return Validator(document, schema).Run();
}

}  // namespace protogate::graphql
