#include "aggregate/reference.h"

#include "gtest/gtest.h"

namespace protogate::aggregate {
namespace {

TEST(ReferenceTest, ParsesFieldsProjectionsAndIndexes) {
  auto ref = ParseReference("$orders.orders[*].items[0].product_id");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->root, "orders");
  ASSERT_EQ(ref->steps.size(), 5u);
  EXPECT_EQ(ref->steps[0].name, "orders");
  EXPECT_EQ(ref->steps[1].kind, PathStep::Kind::kEach);
  EXPECT_EQ(ref->steps[3].kind, PathStep::Kind::kIndex);
  EXPECT_EQ(ref->steps[3].index, 0u);
  EXPECT_TRUE(ref->projects());
  EXPECT_EQ(StepsToString(ref->steps), "orders[*].items[0].product_id");
}

TEST(ReferenceTest, RootAlone) {
  auto ref = ParseReference("$user");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->root, "user");
  EXPECT_TRUE(ref->steps.empty());
  EXPECT_FALSE(ref->projects());
}

TEST(ReferenceTest, DottedRestJoinsFieldNames) {
  EXPECT_EQ(ParseReference("$path.user.id")->DottedRest(), "user.id");
}

TEST(ReferenceTest, ErrorsNameTheOffset) {
  EXPECT_EQ(ParseReference("$a..b").status().message(),
            "invalid reference \"$a..b\": empty field name at offset 3");
  EXPECT_EQ(ParseReference("$a[x]").status().message(),
            "invalid reference \"$a[x]\": expected [*] or [<index>] at offset 2");
  EXPECT_EQ(ParseReference("$a[1").status().message(),
            "invalid reference \"$a[1\": unclosed '[' at offset 2");
  EXPECT_EQ(ParseReference("$").status().message(),
            "invalid reference \"$\": expected a root name (path, query, body, a call, ...) at "
            "offset 1");
  EXPECT_EQ(ParseReference("$a-b").status().message(),
            "invalid reference \"$a-b\": unexpected '-' at offset 2");
  EXPECT_FALSE(ParseReference("user").ok());
}

TEST(ReferenceTest, DoubleDollarIsALiteral) {
  EXPECT_TRUE(IsReference(Json("$user")));
  EXPECT_FALSE(IsReference(Json("$$user")));
  EXPECT_FALSE(IsReference(Json("user")));
  EXPECT_FALSE(IsReference(Json(5)));
  EXPECT_EQ(UnescapeLiterals(Json::parse(R"({"a": ["$$x", "y"], "b": "$$"})")),
            Json::parse(R"({"a": ["$x", "y"], "b": "$"})"));
}

Json Orders() {
  return Json::parse(R"({"orders": [
      {"id": "o-1", "items": [{"productId": "p-1"}, {"productId": "p-2"}]},
      {"id": "o-2", "items": []},
      {"id": "o-3", "items": [{"productId": "p-3"}]}]})");
}

std::optional<Json> ResolveText(const Json& value, const std::string& text) {
  auto ref = ParseReference(text);
  EXPECT_TRUE(ref.ok()) << ref.status();
  return Resolve(value, ref->steps);
}

TEST(ReferenceTest, ResolvePicksAndIndexes) {
  EXPECT_EQ(ResolveText(Orders(), "$o.orders[0].id"), Json("o-1"));
  EXPECT_EQ(ResolveText(Orders(), "$o.orders[2].items[0].productId"), Json("p-3"));
  EXPECT_EQ(ResolveText(Orders(), "$o"), Orders());
}

TEST(ReferenceTest, ProjectionSkipsWhatIsMissing) {
  EXPECT_EQ(ResolveText(Orders(), "$o.orders[*].items[0].productId"),
            Json::parse(R"(["p-1", "p-3"])"));
}

TEST(ReferenceTest, NestedProjectionsFlatten) {
  EXPECT_EQ(ResolveText(Orders(), "$o.orders[*].items[*].productId"),
            Json::parse(R"(["p-1", "p-2", "p-3"])"));
}

TEST(ReferenceTest, MissingGivesNothing) {
  EXPECT_EQ(ResolveText(Orders(), "$o.nope"), std::nullopt);
  EXPECT_EQ(ResolveText(Orders(), "$o.orders[9]"), std::nullopt);
  EXPECT_EQ(ResolveText(Orders(), "$o.orders.id"), std::nullopt);
  EXPECT_EQ(ResolveText(Json("text"), "$o[*]"), std::nullopt);
}

TEST(ReferenceTest, EraseRemovesEveryMatch) {
  Json value = Orders();
  auto ref = ParseReference("$o.orders[*].items");
  Erase(value, ref->steps);
  EXPECT_EQ(value, Json::parse(R"({"orders": [{"id": "o-1"}, {"id": "o-2"}, {"id": "o-3"}]})"));
}

TEST(ReferenceTest, EraseFindsProtoNamesUnderJsonNames) {
  Json value = Json::parse(R"({"displayName": "Ada", "region": "EU"})");
  Erase(value, ParseReference("$x.display_name")->steps);
  EXPECT_EQ(value, Json::parse(R"({"region": "EU"})"));
}

TEST(ReferenceTest, LowerCamel) {
  EXPECT_EQ(LowerCamel("display_name"), "displayName");
  EXPECT_EQ(LowerCamel("a_b_c"), "aBC");
  EXPECT_EQ(LowerCamel("plain"), "plain");
}

}  // namespace
}  // namespace protogate::aggregate
