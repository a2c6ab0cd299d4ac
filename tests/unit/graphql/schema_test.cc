#include "graphql/schema.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/demo_graphql.h"
#include "support/demo_registry.h"
#include "support/json_shapes.h"
#include "support/node_graphql.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;

using test::DemoRootMethods;

std::shared_ptr<const Schema> ShapesSchema() {
  const gpb::ServiceDescriptor* service =
      test::ShapesRegistry()->pool().FindServiceByName("protogate.test.ShapesService");
  EXPECT_NE(service, nullptr);
  std::vector<RootMethod> methods;
  for (int i = 0; i < service->method_count(); ++i)
    methods.push_back({.method = service->method(i)});
  auto schema = Schema::Build(methods);
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *schema : nullptr;
}

const SchemaField* FieldOf(const Schema& schema, const std::string& type, const std::string& name) {
  const SchemaType* t = schema.FindType(type);
  if (t == nullptr) return nullptr;
  for (const SchemaField& field : t->fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::string OutputTypeOf(const Schema& schema, const std::string& type, const std::string& name) {
  const SchemaField* field = FieldOf(schema, type, name);
  return field == nullptr ? "<none>" : TypeText(field->type);
}

std::string InputTypeOf(const Schema& schema, const std::string& type, const std::string& name) {
  const SchemaType* t = schema.FindType(type);
  if (t == nullptr) return "<no type>";
  for (const InputValue& field : t->input_fields) {
    if (field.name == name) return TypeText(field.type);
  }
  return "<none>";
}

TEST(GraphqlSchemaTest, RootFieldsAreQueriesOrMutationsByTheirBinding) {
  auto schema = Schema::Build(DemoRootMethods());
  ASSERT_TRUE(schema.ok()) << schema.status();
  const SchemaField* get_user = FieldOf(**schema, "Query", "getUser");
  ASSERT_NE(get_user, nullptr);
  EXPECT_EQ(TypeText(get_user->type), "User");
  EXPECT_EQ(get_user->method->full_name(), "demo.users.v1.UserService.GetUser");
  EXPECT_EQ(get_user->description, "Returns one user by id.");
  ASSERT_FALSE(get_user->arguments.empty());
  EXPECT_EQ(get_user->arguments[0].name, "userId");
  EXPECT_EQ(TypeText(get_user->arguments[0].type), "String");
  EXPECT_NE(FieldOf(**schema, "Mutation", "createUser"), nullptr);
  EXPECT_EQ(FieldOf(**schema, "Query", "createUser"), nullptr);
  EXPECT_EQ(OutputTypeOf(**schema, "Mutation", "deleteUser"), "Empty");
  const SchemaField* create = FieldOf(**schema, "Mutation", "createUser");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(TypeText(create->arguments[0].type), "UserInput");
  EXPECT_NE((*schema)->FindType("UserInput"), nullptr);
  EXPECT_EQ((*schema)->FindType("UserInput")->kind, SchemaType::Kind::kInputObject);
}

TEST(GraphqlSchemaTest, AKindGivenInTheConfigWinsAndNoQueryIsAnError) {
  const auto* service = test::DemoRegistry()->pool().FindServiceByName("demo.users.v1.UserService");
  const gpb::MethodDescriptor* get = service->FindMethodByName("GetUser");
  const gpb::MethodDescriptor* create = service->FindMethodByName("CreateUser");
  auto schema =
      Schema::Build({{.method = get, .has_get_binding = true},
                     {.method = create, .kind = Operation::Type::kQuery, .name = "newUser"}});
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_NE(FieldOf(**schema, "Query", "newUser"), nullptr);
  EXPECT_EQ((*schema)->mutation(), nullptr);
  auto none = Schema::Build({{.method = create}});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(none.status().message(), "at least one Query field"))
      << none.status();
  auto twice = Schema::Build(
      {{.method = get, .has_get_binding = true}, {.method = create, .name = "getUser"}});
  EXPECT_TRUE(
      absl::StrContains(twice.status().message(), "two methods are the GraphQL root field getUser"))
      << twice.status();
}

TEST(GraphqlSchemaTest, ScalarsAreLossless) {
  auto schema = ShapesSchema();
  ASSERT_NE(schema, nullptr);
  const std::pair<const char*, const char*> cases[] = {
      {"fInt32", "Int!"},      {"fSint32", "Int!"},     {"fSfixed32", "Int!"},
      {"fUint32", "UInt32!"},  {"fFixed32", "UInt32!"}, {"fInt64", "Int64!"},
      {"fSint64", "Int64!"},   {"fSfixed64", "Int64!"}, {"fUint64", "UInt64!"},
      {"fFixed64", "UInt64!"}, {"fFloat", "Float!"},    {"fDouble", "Float!"},
      {"fBool", "Boolean!"},   {"fString", "String!"},  {"fBytes", "Bytes!"},
      {"fEnum", "Color!"},     {"ts", "Timestamp"},     {"dur", "Duration"},
      {"mask", "FieldMask"},   {"st", "JSON"},          {"val", "JSON"},
      {"lv", "JSON"},          {"empty", "Empty"},      {"wInt32", "Int"},
      {"wInt64", "Int64"},     {"wUint32", "UInt32"},   {"wUint64", "UInt64"},
      {"wBool", "Boolean"},    {"wString", "String"},   {"wBytes", "Bytes"},
      {"wDouble", "Float"},    {"wFloat", "Float"},     {"nullValue", "NullValue!"},
  };
  for (const auto& [field, type] : cases) {
    EXPECT_EQ(OutputTypeOf(*schema, "Shapes", field), type) << field;
  }
  for (const char* scalar :
       {"Int64", "UInt64", "UInt32", "Bytes", "Timestamp", "Duration", "FieldMask", "JSON", "Empty",
        "Int", "String", "Boolean", "Float", "ID"}) {
    ASSERT_NE(schema->FindType(scalar), nullptr) << scalar;
    EXPECT_EQ(schema->FindType(scalar)->kind, SchemaType::Kind::kScalar);
  }
}

TEST(GraphqlSchemaTest, NullabilityListsMapsOneofsAndNames) {
  auto schema = ShapesSchema();
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "optInt32"), "Int");    // optional
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "oString"), "String");  // oneof member
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "inner"), "Inner");     // message
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "child"), "Shapes");    // recursive
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "rInt32"), "[Int!]!");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "rInner"), "[Inner!]!");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "rTs"), "[Timestamp!]!");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "mString"), "[Shapes_MStringEntry!]!");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes_MStringEntry", "key"), "String!");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes_MInnerEntry", "value"), "Inner");
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "customName"), "Int!");  // json_name
  EXPECT_EQ(OutputTypeOf(*schema, "Shapes", "renamed"), "<none>");
  // Inputs are all optional.
  EXPECT_EQ(InputTypeOf(*schema, "TypedInput", "fInt32"), "Int");
  EXPECT_EQ(InputTypeOf(*schema, "TypedInput", "rInner"), "[InnerInput!]");
  EXPECT_EQ(InputTypeOf(*schema, "TypedInput", "mInt32"), "[Typed_MInt32EntryInput!]");
  EXPECT_EQ(InputTypeOf(*schema, "TypedInput", "child"), "TypedInput");
  const SchemaField* get = FieldOf(*schema, "Query", "getShapes");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->arguments.size(), static_cast<size_t>(get->method->input_type()->field_count()));
  EXPECT_NE(FieldOf(*schema, "Mutation", "putTyped"), nullptr);
  EXPECT_EQ(OutputTypeOf(*schema, "WithAny", "any"), "JSON");
  const SchemaType* color = schema->FindType("Color");
  ASSERT_NE(color, nullptr);
  ASSERT_EQ(color->enum_values.size(), 4u);
  EXPECT_EQ(color->enum_values[3].name, "NEGATIVE");
  EXPECT_EQ(color->enum_values[3].number, -3);
}

TEST(GraphqlSchemaTest, ATypeNameTwoPackagesShareTakesThePackage) {
  // Two packages that both define `Item` behind a method named GetItem.
  gpb::DescriptorPool pool;
  for (const char* package : {"a.v1", "b.v1"}) {
    const std::string service_name = package[0] == 'a' ? "AlphaService" : "BetaService";
    gpb::FileDescriptorProto file;
    file.set_name(absl::StrCat(package, ".proto"));
    file.set_package(package);
    file.set_syntax("proto3");
    auto* item = file.add_message_type();
    item->set_name("Item");
    auto* field = item->add_field();
    field->set_name("id");
    field->set_number(1);
    field->set_type(gpb::FieldDescriptorProto::TYPE_STRING);
    field->set_label(gpb::FieldDescriptorProto::LABEL_OPTIONAL);
    field->set_json_name("id");
    auto* service = file.add_service();
    service->set_name(service_name);
    auto* method = service->add_method();
    method->set_name("GetItem");
    method->set_input_type(absl::StrCat(".", package, ".Item"));
    method->set_output_type(absl::StrCat(".", package, ".Item"));
    ASSERT_NE(pool.BuildFile(file), nullptr);
  }
  auto schema = Schema::Build(
      {{.method = pool.FindMethodByName("a.v1.AlphaService.GetItem"), .has_get_binding = true},
       {.method = pool.FindMethodByName("b.v1.BetaService.GetItem"), .has_get_binding = true}});
  ASSERT_TRUE(schema.ok()) << schema.status();
  // Two services share the method name: both root fields take their service's.
  EXPECT_EQ(OutputTypeOf(**schema, "Query", "alphaServiceGetItem"), "a_v1_Item");
  EXPECT_EQ(OutputTypeOf(**schema, "Query", "betaServiceGetItem"), "b_v1_Item");
  EXPECT_EQ(OutputTypeOf(**schema, "Query", "getItem"), "<none>");
  EXPECT_NE((*schema)->FindType("a_v1_Item"), nullptr);
  EXPECT_NE((*schema)->FindType("b_v1_Item"), nullptr);
  EXPECT_EQ((*schema)->FindType("Item"), nullptr);
}

// graphql-js (Debian's node-graphql) builds the SDL and validates the
// schema: the mapping produces a schema the reference implementation takes.
std::string ValidateWithGraphqlJs(const std::string& sdl) {
  const std::string dir = ::testing::TempDir();
  const std::string sdl_path = dir + "/protogate_schema.graphql";
  const std::string script_path = dir + "/protogate_validate.js";
  std::ofstream(sdl_path) << sdl;
  std::ofstream(script_path)
      << "const {buildSchema, validateSchema} = require('graphql');\n"
         "const sdl = require('fs').readFileSync(process.argv[2], 'utf8');\n"
         "try {\n"
         "  const errors = validateSchema(buildSchema(sdl));\n"
         "  console.log(errors.length === 0 ? 'valid' : errors.map(e => e.message).join('\\n'));\n"
         "} catch (e) { console.log('error: ' + e.message); }\n";
  std::string output = test::RunNode(script_path + " " + sdl_path);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

TEST(GraphqlSchemaTest, GraphqlJsValidatesTheDemoAndShapesSchemas) {
  auto demo = Schema::Build(DemoRootMethods());
  ASSERT_TRUE(demo.ok()) << demo.status();
  EXPECT_EQ(ValidateWithGraphqlJs((*demo)->Sdl()), "valid") << (*demo)->Sdl();
  auto shapes = ShapesSchema();
  ASSERT_NE(shapes, nullptr);
  EXPECT_EQ(ValidateWithGraphqlJs(shapes->Sdl()), "valid") << shapes->Sdl();
}

TEST(GraphqlSchemaTest, SdlCarriesDescriptionsAndScalarSpecifications) {
  auto demo = Schema::Build(DemoRootMethods());
  ASSERT_TRUE(demo.ok()) << demo.status();
  const std::string sdl = (*demo)->Sdl();
  EXPECT_TRUE(absl::StrContains(sdl,
                                "  \"\"\"\n  Returns one user by id.\n  \"\"\"\n  getUser(\n"
                                "    userId: String\n    \"\"\"\n    Resource name form, "
                                "\"users/{user_id}\".\n    \"\"\"\n    name: String\n"))
      << sdl;
  EXPECT_TRUE(absl::StrContains(
      sdl, "scalar Timestamp @specifiedBy(url: \"https://www.rfc-editor.org/rfc/rfc3339\")"))
      << sdl;
  EXPECT_FALSE(absl::StrContains(sdl, "scalar String"));
  // Request messages are arguments, not input types of their own.
  EXPECT_EQ((*demo)->FindType("GetUserRequestInput"), nullptr);
  EXPECT_EQ((*demo)->FindType("GetUserRequest"), nullptr);
}

TEST(GraphqlSchemaTest, IntrospectionTypesHaveTheSpecsFields) {
  auto schema = Schema::Build(DemoRootMethods());
  ASSERT_TRUE(schema.ok()) << schema.status();
  const Schema& s = **schema;
  for (const char* name : {"__Schema", "__Type", "__Field", "__InputValue", "__EnumValue",
                           "__Directive", "__TypeKind", "__DirectiveLocation"}) {
    ASSERT_NE(s.FindType(name), nullptr) << name;
    EXPECT_TRUE(s.FindType(name)->introspection) << name;
    EXPECT_FALSE(absl::StrContains(s.Sdl(), name)) << name;
  }
  EXPECT_EQ(OutputTypeOf(s, "__Schema", "types"), "[__Type!]!");
  EXPECT_EQ(OutputTypeOf(s, "__Schema", "queryType"), "__Type!");
  EXPECT_EQ(OutputTypeOf(s, "__Type", "kind"), "__TypeKind!");
  EXPECT_EQ(OutputTypeOf(s, "__Type", "ofType"), "__Type");
  EXPECT_EQ(OutputTypeOf(s, "__Field", "args"), "[__InputValue!]!");
  EXPECT_EQ(OutputTypeOf(s, "__InputValue", "defaultValue"), "String");
  EXPECT_EQ(OutputTypeOf(s, "__Directive", "locations"), "[__DirectiveLocation!]!");
  const SchemaField* fields = FieldOf(s, "__Type", "fields");
  ASSERT_NE(fields, nullptr);
  ASSERT_EQ(fields->arguments.size(), 1u);
  EXPECT_EQ(fields->arguments[0].name, "includeDeprecated");
  EXPECT_EQ(fields->arguments[0].default_value, "false");
  EXPECT_EQ(s.FindType("__TypeKind")->enum_values.size(), 8u);
  EXPECT_EQ(s.FindType("__DirectiveLocation")->enum_values.size(), 19u);
}

TEST(GraphqlSchemaTest, MetaFieldsAndDirectives) {
  auto schema = Schema::Build(DemoRootMethods());
  ASSERT_TRUE(schema.ok()) << schema.status();
  const Schema& s = **schema;
  const SchemaType* user = s.FindType("User");
  ASSERT_NE(user, nullptr);
  ASSERT_NE(s.FindField(*user, "__typename"), nullptr);
  EXPECT_EQ(TypeText(s.FindField(*user, "__typename")->type), "String!");
  EXPECT_EQ(s.FindField(*user, "__schema"), nullptr);
  EXPECT_EQ(s.FindField(*user, "__type"), nullptr);
  ASSERT_NE(s.FindField(*s.query(), "__schema"), nullptr);
  EXPECT_EQ(TypeText(s.FindField(*s.query(), "__schema")->type), "__Schema!");
  const SchemaField* type = s.FindField(*s.query(), "__type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(TypeText(type->arguments.at(0).type), "String!");
  EXPECT_EQ(s.FindField(*s.query(), "getUser"), FieldOf(s, "Query", "getUser"));
  std::vector<std::string> names;
  for (const DirectiveDefinition& d : s.directives()) names.push_back(d.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"include", "skip", "deprecated", "specifiedBy", "oneOf"}));
  const DirectiveDefinition* deprecated = s.FindDirective("deprecated");
  ASSERT_NE(deprecated, nullptr);
  EXPECT_EQ(deprecated->arguments.at(0).default_value, "\"No longer supported\"");
  EXPECT_EQ(s.FindDirective("skip")->locations,
            (std::vector<std::string>{"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"}));
}

}  // namespace
}  // namespace protogate::graphql
