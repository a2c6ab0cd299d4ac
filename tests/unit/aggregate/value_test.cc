#include "aggregate/value.h"

#include <memory>
#include <string>
#include <vector>

#include "aggregate/value_printer.h"
#include "aggregate/value_type.h"
#include "demo/catalog/v1/catalog.pb.h"
#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plan_fixtures.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

const gpb::Descriptor& Type(const std::string& name) {
  const gpb::Descriptor* type = DemoRegistry()->FindMessage(name);
  EXPECT_NE(type, nullptr) << name;
  return *type;
}

Value Wire(const gpb::Message& message) {
  return Value::Message(std::make_shared<const std::string>(message.SerializeAsString()),
                        Type(message.GetDescriptor()->full_name()));
}

// The steps of `path` ("profile.region") from `type`, typed as the plan
// builder types them.
std::vector<PathStep> Steps(const std::string& type, const std::string& path,
                            bool proto_names = false) {
  auto ref = ParseReference("$r." + path);
  EXPECT_TRUE(ref.ok()) << ref.status();
  std::vector<PathStep> steps = ref->steps;
  auto walked = WalkPath(ValueType::OfMessage(Type(type)), steps, proto_names);
  EXPECT_TRUE(walked.ok()) << walked.status();
  return steps;
}

// protobuf's own JSON of the message.
std::string Protobuf(const gpb::Message& message, const transcode::JsonOutputOptions& options) {
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = options.use_proto_field_names;
  print.always_print_enums_as_ints = options.enums_as_ints;
  std::string json;
  EXPECT_TRUE(gpb::util::MessageToJsonString(message, &json, print).ok());
  return json;
}

class ValueTest : public ::testing::Test {
 protected:
  ValueTest() : printer_(DemoRegistry(), {}) {
    for (const char* type :
         {"demo.users.v1.User", "demo.orders.v1.ListOrdersResponse", "demo.catalog.v1.Product"}) {
      printer_.Prepare(Type(type));
    }
  }

  std::string Print(const Value& value) const {
    std::string out;
    if (!printer_.Print(value, &out)) return "<nothing>";
    return out;
  }
  std::string At(const Value& value, const std::string& type, const std::string& path) const {
    return Print(Lookup(value, Steps(type, path), printer_));
  }

  ValuePrinter printer_;
};

demo::users::v1::User Ada() {
  demo::users::v1::User user;
  user.set_user_id("1");
  user.set_email("ada<@example.com");
  user.mutable_profile()->set_display_name("Ada");
  user.mutable_profile()->set_region("EU");
  user.add_roles(demo::users::v1::ROLE_CUSTOMER);
  user.add_roles(demo::users::v1::ROLE_ADMIN);
  user.set_total_spent_cents(1234);
  user.mutable_create_time()->set_seconds(1700000000);
  return user;
}

demo::orders::v1::ListOrdersResponse TwoOrders() {
  demo::orders::v1::ListOrdersResponse orders;
  auto* first = orders.add_orders();
  first->set_order_id("o-1");
  first->add_items()->set_product_id("p-1");
  first->add_items()->set_product_id("p-2");
  auto* second = orders.add_orders();
  second->set_order_id("o-2");
  second->add_items()->set_product_id("p-3");
  return orders;
}

TEST_F(ValueTest, AWholeMessagePrintsAsProtobufPrintsIt) {
  const demo::users::v1::User user = Ada();
  EXPECT_EQ(Print(Wire(user)), Protobuf(user, {}));
  ValuePrinter names(DemoRegistry(), {.use_proto_field_names = true, .enums_as_ints = true});
  names.Prepare(Type("demo.users.v1.User"));
  std::string out;
  ASSERT_TRUE(names.Print(Wire(user), &out));
  EXPECT_EQ(out, Protobuf(user, {.use_proto_field_names = true, .enums_as_ints = true}));
}

TEST_F(ValueTest, LookupsReadFieldsByNumber) {
  const Value user = Wire(Ada());
  EXPECT_EQ(At(user, "demo.users.v1.User", "profile.region"), R"("EU")");
  EXPECT_EQ(At(user, "demo.users.v1.User", "profile"), R"({"displayName":"Ada","region":"EU"})");
  EXPECT_EQ(At(user, "demo.users.v1.User", "email"), R"("ada\u003c@example.com")");
  EXPECT_EQ(At(user, "demo.users.v1.User", "total_spent_cents"), R"("1234")");
  EXPECT_EQ(At(user, "demo.users.v1.User", "roles"), R"(["ROLE_CUSTOMER","ROLE_ADMIN"])");
  EXPECT_EQ(At(user, "demo.users.v1.User", "roles[1]"), R"("ROLE_ADMIN")");
  EXPECT_EQ(At(user, "demo.users.v1.User", "create_time"), R"("2023-11-14T22:13:20Z")");
  // Absent on the wire: nothing, as proto3 JSON leaves the key out.
  EXPECT_EQ(At(user, "demo.users.v1.User", "verified"), "<nothing>");
  EXPECT_EQ(At(user, "demo.users.v1.User", "profile.avatar_url"), "<nothing>");
  EXPECT_EQ(At(user, "demo.users.v1.User", "roles[5]"), "<nothing>");
}

TEST_F(ValueTest, AFieldViewSharesTheBytes) {
  const Value user = Wire(Ada());
  const Value profile = Lookup(user, Steps("demo.users.v1.User", "profile"), printer_);
  ASSERT_EQ(profile.kind(), Value::Kind::kMessage);
  EXPECT_EQ(profile.owner(), user.owner());
  EXPECT_GE(profile.wire().data(), user.wire().data());
  EXPECT_LE(profile.wire().data() + profile.wire().size(), user.wire().data() + user.wire().size());
}

TEST_F(ValueTest, ProjectionsFlattenAsOnJson) {
  const Value orders = Wire(TwoOrders());
  const std::string type = "demo.orders.v1.ListOrdersResponse";
  EXPECT_EQ(At(orders, type, "orders[*].items[*].product_id"), R"(["p-1","p-2","p-3"])");
  EXPECT_EQ(At(orders, type, "orders[*].items[0].product_id"), R"(["p-1","p-3"])");
  EXPECT_EQ(At(orders, type, "orders[*].order_id"), R"(["o-1","o-2"])");
  EXPECT_EQ(At(orders, type, "orders[1].items"), R"([{"productId":"p-3"}])");
  EXPECT_EQ(At(orders, type, "orders[*].note"), "[]");
}

TEST_F(ValueTest, PackedAndUnpackedRepeatedFieldsReadAlike) {
  // roles = [1, 2] packed (field 4, wire type 2) and then unpacked 3.
  const std::string bytes = std::string("\x22\x02\x01\x02\x20\x03", 6);
  const Value user =
      Value::Message(std::make_shared<const std::string>(bytes), Type("demo.users.v1.User"));
  EXPECT_EQ(At(user, "demo.users.v1.User", "roles"),
            R"(["ROLE_CUSTOMER","ROLE_ADMIN","ROLE_SUPPORT"])");
}

// One scan for several fields reads each as FieldOf does: singular (the
// last occurrence), repeated (packed or not), absent, and a null entry.
TEST_F(ValueTest, FieldsOfReadsSeveralFieldsAsFieldOfDoes) {
  demo::users::v1::User ada = Ada();
  std::string bytes = ada.SerializeAsString();
  bytes += std::string("\x22\x01\x03", 3);  // roles: one more, packed
  const Value user =
      Value::Message(std::make_shared<const std::string>(bytes), Type("demo.users.v1.User"));
  const gpb::Descriptor& type = Type("demo.users.v1.User");
  const std::vector<const gpb::FieldDescriptor*> fields = {
      type.FindFieldByName("roles"), nullptr, type.FindFieldByName("profile"),
      type.FindFieldByName("verified"), type.FindFieldByName("email")};
  const std::vector<Value> values = FieldsOf(user, fields);
  ASSERT_EQ(values.size(), fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == nullptr) {
      EXPECT_TRUE(values[i].absent());
      continue;
    }
    EXPECT_EQ(Print(values[i]), Print(FieldOf(user, *fields[i]))) << fields[i]->name();
  }
  EXPECT_EQ(Print(values[0]), R"(["ROLE_CUSTOMER","ROLE_ADMIN","ROLE_SUPPORT"])");
  EXPECT_TRUE(values[3].absent());
  EXPECT_TRUE(FieldsOf(Value(Json(1)), fields)[0].absent());
}

TEST_F(ValueTest, WellKnownTypesAndStructsPrintAsProtobufDoes) {
  demo::catalog::v1::Product product;
  product.set_product_id("p-1");
  product.mutable_in_stock()->set_value(true);
  (*product.mutable_attributes()->mutable_fields())["color"].set_string_value("red");
  const Value value = Wire(product);
  EXPECT_EQ(Print(value), Protobuf(product, {}));
  const std::string type = "demo.catalog.v1.Product";
  EXPECT_EQ(At(value, type, "in_stock"), "true");
  EXPECT_EQ(At(value, type, "attributes"), R"({"color":"red"})");
  // A path inside a Struct goes on from its JSON form.
  EXPECT_EQ(At(value, type, "attributes.color"), R"("red")");
}

TEST_F(ValueTest, DynamicValuesAndLists) {
  const Value json(Json::parse(R"({"a": {"b": [1, 2]}, "s": "x<y"})"));
  EXPECT_EQ(Print(json), R"({"a":{"b":[1,2]},"s":"x<y"})");
  auto ref = ParseReference("$r.a.b[1]");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(Print(Lookup(json, ref->steps, printer_)), "2");
  const Value list = Value::List({Value(Json("a")), Value(), Wire(Ada().profile())});
  EXPECT_EQ(Print(list), R"(["a",{"displayName":"Ada","region":"EU"}])");
  EXPECT_EQ(Print(Value()), "<nothing>");
  EXPECT_EQ(printer_.ToJson(list), Json::parse(R"(["a", {"displayName": "Ada", "region": "EU"}])"));
}

TEST_F(ValueTest, MembersOfAMessageOrAnObject) {
  std::string out = "{";
  bool first = true;
  EXPECT_TRUE(printer_.PrintMembers(Wire(Ada().profile()), &out, &first));
  EXPECT_TRUE(printer_.PrintMembers(Value(Json::parse(R"({"k": 1})")), &out, &first));
  EXPECT_TRUE(printer_.PrintMembers(Wire(demo::users::v1::Profile()), &out, &first));
  EXPECT_FALSE(printer_.PrintMembers(Value(Json("x")), &out, &first));
  out += "}";
  EXPECT_EQ(out, R"({"displayName":"Ada","region":"EU","k":1})");
}

}  // namespace
}  // namespace protogate::aggregate
