#include "routing/route_table.h"

#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "routing/http_template.h"

namespace protogate::routing {
namespace {

struct RouteSpec {
  const char* method;
  const char* tmpl;
  int id;
};

absl::Status AddRoute(RouteTable::Builder& builder, const RouteSpec& spec) {
  ASSIGN_OR_RETURN(HttpTemplate tmpl, HttpTemplate::Parse(spec.tmpl));
  return builder.Add(spec.method, tmpl, spec.id, absl::StrCat("r", spec.id));
}

absl::StatusOr<RouteTable> MakeTable(std::initializer_list<RouteSpec> specs) {
  RouteTable::Builder builder;
  for (const RouteSpec& spec : specs) RETURN_IF_ERROR(AddRoute(builder, spec));
  return std::move(builder).Build();
}

// "7 user_id=42 a.b=x" for a match, "NotFound" (the code) otherwise, so that
// one EXPECT_EQ shows the route and every binding.
std::string Describe(const absl::StatusOr<RouteMatch>& match) {
  if (!match.ok()) return absl::StatusCodeToString(match.status().code());
  std::string out = absl::StrCat(match->route_id);
  for (const VariableBinding& binding : match->bindings) {
    absl::StrAppend(&out, " ", absl::StrJoin(binding.field_path, "."), "=", binding.value);
  }
  return out;
}

#define ASSERT_TABLE(table, ...)                               \
  absl::StatusOr<RouteTable> table = MakeTable({__VA_ARGS__}); \
  ASSERT_TRUE(table.ok()) << table.status()

TEST(RouteTableTest, MatchesHeaderExample) {
  RouteTable::Builder b;
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/users/{user_id}"), 7, "GetUser").ok());
  absl::StatusOr<RouteTable> table = std::move(b).Build();
  ASSERT_TRUE(table.ok());
  absl::StatusOr<RouteMatch> match = table->Match("GET", "/v1/users/42");
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->route_id, 7);
  EXPECT_EQ(match->bindings, (std::vector<VariableBinding>{{{"user_id"}, "42"}}));
  EXPECT_EQ(table->Match("POST", "/v1/users/42").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(table->AllowedMethods("/v1/users/42"), std::vector<std::string>{"GET"});
}

TEST(RouteTableTest, MatchesLiteralRoute) {
  ASSERT_TABLE(table, {"GET", "/v1/shelves", 1}, {"GET", "/v1/shelves/all", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves")), "1");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/all")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelve")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("GET", "/v1")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/all/x")), "NOT_FOUND");
}

TEST(RouteTableTest, LiteralsAreCaseSensitive) {
  ASSERT_TABLE(table, {"GET", "/v1/shelves", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/Shelves")), "NOT_FOUND");
}

TEST(RouteTableTest, MethodIsCaseSensitive) {
  ASSERT_TABLE(table, {"GET", "/v1/shelves", 1});
  EXPECT_EQ(Describe(table->Match("get", "/v1/shelves")), "NOT_FOUND");
}

TEST(RouteTableTest, MatchesRootOnlyForRootPath) {
  ASSERT_TABLE(table, {"GET", "/", 1}, {"GET", "/{a}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/")), "1");
  EXPECT_EQ(Describe(table->Match("GET", "/x")), "2 a=x");
}

TEST(RouteTableTest, PathMustStartWithSlash) {
  ASSERT_TABLE(table, {"GET", "/{a=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/x")), "1 a=x");
  EXPECT_EQ(Describe(table->Match("GET", "")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("GET", "x")), "NOT_FOUND");
  EXPECT_TRUE(table->AllowedMethods("").empty());
  EXPECT_TRUE(table->AllowedMethods("x").empty());
}

TEST(RouteTableTest, LiteralBeatsVariable) {
  ASSERT_TABLE(table, {"GET", "/v1/users/{id}", 1}, {"GET", "/v1/users/me", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/me")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/42")), "1 id=42");
}

TEST(RouteTableTest, LiteralBeatsVariableWhateverTheInsertionOrder) {
  ASSERT_TABLE(table, {"GET", "/v1/users/me", 2}, {"GET", "/v1/users/{id}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/me")), "2");
}

TEST(RouteTableTest, LiteralBeatsMultiWildcard) {
  ASSERT_TABLE(table, {"GET", "/v1/{rest=**}", 1}, {"GET", "/v1/status", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/status")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/status/x")), "1 rest=status/x");
}

TEST(RouteTableTest, SingleWildcardBeatsMultiWildcard) {
  ASSERT_TABLE(table, {"GET", "/v1/{rest=**}", 1}, {"GET", "/v1/{id}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x")), "2 id=x");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x/y")), "1 rest=x/y");
}

TEST(RouteTableTest, PrecedenceIsDecidedAtTheFirstDifferingSegment) {
  // `/v1/a/**` wins over `/v1/*/b` for /v1/a/b: the literal "a" decides first.
  ASSERT_TABLE(table, {"GET", "/v1/*/b", 1}, {"GET", "/v1/a/**", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a/b")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/c/b")), "1");
}

TEST(RouteTableTest, BacktracksFromLiteralToSingleWildcard) {
  ASSERT_TABLE(table, {"GET", "/v1/users/me/profile", 1}, {"GET", "/v1/users/{id}/settings", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/me/settings")), "2 id=me");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/me/profile")), "1");
}

TEST(RouteTableTest, BacktracksFromSingleToMultiWildcard) {
  ASSERT_TABLE(table, {"GET", "/v1/{a}/x", 1}, {"GET", "/v1/{rest=**}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/q/x")), "1 a=q");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/q/y")), "2 rest=q/y");
}

TEST(RouteTableTest, BacktracksAcrossSeveralLevels) {
  ASSERT_TABLE(table, {"GET", "/a/b/c/d", 1}, {"GET", "/a/b/*/e", 2}, {"GET", "/a/*/c/f", 3},
               {"GET", "/a/*/*/g", 4}, {"GET", "/a/**", 5});
  EXPECT_EQ(Describe(table->Match("GET", "/a/b/c/d")), "1");
  EXPECT_EQ(Describe(table->Match("GET", "/a/b/c/e")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/a/b/c/f")), "3");
  EXPECT_EQ(Describe(table->Match("GET", "/a/b/c/g")), "4");
  EXPECT_EQ(Describe(table->Match("GET", "/a/b/c/h")), "5");
}

TEST(RouteTableTest, BacktrackingLeavesNoStaleBindings) {
  ASSERT_TABLE(table, {"GET", "/v1/{a}/{b}/x", 1}, {"GET", "/v1/{c}/y/{d}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/p/y/q")), "2 c=p d=q");
}

TEST(RouteTableTest, SingleWildcardNeedsANonEmptySegment) {
  ASSERT_TABLE(table, {"GET", "/v1/users/{id}", 1}, {"GET", "/v1/{a}/{b}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("GET", "/v1//x")), "NOT_FOUND");
}

TEST(RouteTableTest, MultiWildcardMatchesZeroSegments) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files")), "1 path=");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/")), "1 path=");
}

TEST(RouteTableTest, MultiWildcardMatchesManySegmentsIncludingEmptyOnes) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a")), "1 path=a");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a/b/c")), "1 path=a/b/c");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a//b/")), "1 path=a//b/");
}

TEST(RouteTableTest, ExactEndBeatsMultiWildcardMatchingNothing) {
  ASSERT_TABLE(table, {"GET", "/v1/files/**", 1}, {"GET", "/v1/files", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/x")), "1");
}

TEST(RouteTableTest, BareWildcardsBindNothing) {
  ASSERT_TABLE(table, {"GET", "/v1/*/items/**", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x/items/a/b")), "1");
}

TEST(RouteTableTest, MultiWildcardAtEndOfLongerVariable) {
  ASSERT_TABLE(table, {"GET", "/v1/{name=shelves/*/books/**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/s1/books/b/c")),
            "1 name=shelves/s1/books/b/c");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/s1/books")), "1 name=shelves/s1/books");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/s1/book")), "NOT_FOUND");
}

TEST(RouteTableTest, MultiSegmentVariableBindsLiteralsAndWildcards) {
  ASSERT_TABLE(table, {"POST", "/v1/{name=shelves/*/books/*}:publish", 1});
  EXPECT_EQ(Describe(table->Match("POST", "/v1/shelves/s1/books/b2:publish")),
            "1 name=shelves/s1/books/b2");
}

TEST(RouteTableTest, BindsNestedFieldPaths) {
  ASSERT_TABLE(table, {"PATCH", "/v1/{book.shelf.name}/books/{book.id}", 1});
  absl::StatusOr<RouteMatch> match = table->Match("PATCH", "/v1/s1/books/b2");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->bindings, (std::vector<VariableBinding>{{{"book", "shelf", "name"}, "s1"},
                                                           {{"book", "id"}, "b2"}}));
}

TEST(RouteTableTest, BindingsFollowTemplateOrder) {
  ASSERT_TABLE(table, {"GET", "/v1/{z}/x/{a=y/*}/{m=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/1/x/y/2/3/4")), "1 z=1 a=y/2 m=3/4");
}

TEST(RouteTableTest, VerbRouteNeedsTheVerb) {
  ASSERT_TABLE(table, {"POST", "/v1/{name=operations/*}:cancel", 1});
  EXPECT_EQ(Describe(table->Match("POST", "/v1/operations/op1:cancel")), "1 name=operations/op1");
  EXPECT_EQ(Describe(table->Match("POST", "/v1/operations/op1")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("POST", "/v1/operations/op1:delete")), "NOT_FOUND");
}

TEST(RouteTableTest, VerbOnLiteralRoute) {
  ASSERT_TABLE(table, {"POST", "/v1/books:batchGet", 1}, {"GET", "/v1/books", 2});
  EXPECT_EQ(Describe(table->Match("POST", "/v1/books:batchGet")), "1");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/books:batchGet")), "NOT_FOUND");
}

TEST(RouteTableTest, ColonWithoutKnownVerbMatchesWholeSegment) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{name}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a:b")), "1 name=a:b");
}

TEST(RouteTableTest, ColonFallsBackToWholeSegmentWhenVerbRouteFails) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{name}", 1}, {"GET", "/v1/other/{name}:b", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a:b")), "1 name=a:b");
}

TEST(RouteTableTest, VerbRouteBeatsWholeSegment) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{name}", 1}, {"GET", "/v1/files/{name}:b", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a:b")), "2 name=a");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a")), "1 name=a");
}

TEST(RouteTableTest, VerbIsTextAfterTheLastColon) {
  ASSERT_TABLE(table, {"GET", "/v1/{name}:c", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a:b:c")), "1 name=a:b");
}

TEST(RouteTableTest, ColonBeforeLastSegmentIsNotAVerb) {
  ASSERT_TABLE(table, {"GET", "/v1/{name}:b", 1}, {"GET", "/v1/{name}/x", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a:b/x")), "2 name=a:b");
}

TEST(RouteTableTest, EmptyVerbMatchesWholeSegment) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{name}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a:")), "1 name=a:");
}

TEST(RouteTableTest, VerbWithEmptySegmentDoesNotMatchSingleWildcard) {
  ASSERT_TABLE(table, {"GET", "/v1/{name}:go", 1}, {"GET", "/v1/{rest=**}:go", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/:go")), "2 rest=");
}

TEST(RouteTableTest, EncodedColonIsNotAVerb) {
  ASSERT_TABLE(table, {"GET", "/v1/{name}:cancel", 1}, {"GET", "/v2/{name}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/op%3Acancel")), "NOT_FOUND");
  EXPECT_EQ(Describe(table->Match("GET", "/v2/op%3Acancel")), "2 name=op:cancel");
}

TEST(RouteTableTest, VerbIsPercentDecoded) {
  ASSERT_TABLE(table, {"GET", "/v1/{name}:cancel", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/op:c%61ncel")), "1 name=op");
}

TEST(RouteTableTest, MultiWildcardWithVerb) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}:download", 1}, {"GET", "/v1/{path=**}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a/b:download")), "1 path=a/b");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a/b:upload")), "2 path=a/b:upload");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a/b")), "2 path=a/b");
}

TEST(RouteTableTest, SameShapeConflictsWhateverTheVariableNames) {
  RouteTable::Builder b;
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/users/{user_id}"), 1, "users.Get").ok());
  absl::Status status = b.Add("GET", *HttpTemplate::Parse("/v1/users/{name}"), 2, "users.Lookup");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(),
            "route users.Lookup conflicts with route users.Get: both match GET /v1/users/*");
}

TEST(RouteTableTest, VariableBoundariesDoNotChangeTheShape) {
  RouteTable::Builder b;
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/{name=shelves/*}:get"), 1, "A").ok());
  absl::Status status = b.Add("GET", *HttpTemplate::Parse("/v1/shelves/{id}:get"), 2, "B");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(), "route B conflicts with route A: both match GET /v1/shelves/*:get");
}

TEST(RouteTableTest, MultiWildcardShapesConflict) {
  RouteTable::Builder b;
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/{a=**}"), 1, "A").ok());
  absl::Status status = b.Add("GET", *HttpTemplate::Parse("/v1/**"), 2, "B");
  EXPECT_EQ(status.message(), "route B conflicts with route A: both match GET /v1/**");
}

TEST(RouteTableTest, ConflictMakesBuildFail) {
  RouteTable::Builder b;
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/users/{a}"), 1, "A").ok());
  ASSERT_FALSE(b.Add("GET", *HttpTemplate::Parse("/v1/users/{b}"), 2, "B").ok());
  ASSERT_TRUE(b.Add("GET", *HttpTemplate::Parse("/v1/other"), 3, "C").ok());
  absl::StatusOr<RouteTable> table = std::move(b).Build();
  EXPECT_EQ(table.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(table.status().message(), "route B conflicts with route A"));
}

TEST(RouteTableTest, DifferentMethodsDoNotConflict) {
  ASSERT_TABLE(table, {"GET", "/v1/users/{id}", 1}, {"DELETE", "/v1/users/{id}", 2});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/x")), "1 id=x");
  EXPECT_EQ(Describe(table->Match("DELETE", "/v1/users/x")), "2 id=x");
}

TEST(RouteTableTest, DifferentVerbsDoNotConflict) {
  ASSERT_TABLE(table, {"POST", "/v1/{name}:a", 1}, {"POST", "/v1/{name}:b", 2},
               {"POST", "/v1/{name}", 3});
  EXPECT_EQ(Describe(table->Match("POST", "/v1/x:a")), "1 name=x");
  EXPECT_EQ(Describe(table->Match("POST", "/v1/x:b")), "2 name=x");
  EXPECT_EQ(Describe(table->Match("POST", "/v1/x")), "3 name=x");
}

TEST(RouteTableTest, OverlappingButDifferentShapesDoNotConflict) {
  ASSERT_TABLE(table, {"GET", "/v1/{a}", 1}, {"GET", "/v1/x", 2}, {"GET", "/v1/**", 3},
               {"GET", "/v1/*/y", 4});
  EXPECT_EQ(table->size(), 4u);
}

TEST(RouteTableTest, OneRouteIdMayHaveSeveralBindings) {
  // Like google.api.http additional_bindings: several templates, one method.
  ASSERT_TABLE(table, {"GET", "/v1/{name=messages/*}", 5}, {"GET", "/v1/users/{user}/m/{id}", 5},
               {"POST", "/v1/{name=messages/*}:get", 5});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/messages/1")), "5 name=messages/1");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/u/m/2")), "5 user=u id=2");
  EXPECT_EQ(Describe(table->Match("POST", "/v1/messages/1:get")), "5 name=messages/1");
  EXPECT_EQ(table->size(), 3u);
}

TEST(RouteTableTest, AllowedMethodsAreSortedAndUnique) {
  ASSERT_TABLE(table, {"POST", "/v1/users/{id}", 1}, {"GET", "/v1/users/{id}", 2},
               {"DELETE", "/v1/users/{id}", 3}, {"GET", "/v1/users/me", 4},
               {"PATCH", "/v1/users/me", 5}, {"PUT", "/v1/teams/{id}", 6});
  EXPECT_EQ(table->AllowedMethods("/v1/users/me"),
            (std::vector<std::string>{"DELETE", "GET", "PATCH", "POST"}));
  EXPECT_EQ(table->AllowedMethods("/v1/users/42"),
            (std::vector<std::string>{"DELETE", "GET", "POST"}));
  EXPECT_EQ(table->AllowedMethods("/v1/teams/1"), std::vector<std::string>{"PUT"});
  EXPECT_TRUE(table->AllowedMethods("/v1/nothing").empty());
}

TEST(RouteTableTest, AllowedMethodsFollowVerbs) {
  ASSERT_TABLE(table, {"POST", "/v1/{name}:cancel", 1}, {"GET", "/v1/{name}", 2});
  EXPECT_EQ(table->AllowedMethods("/v1/op:cancel"), (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(table->AllowedMethods("/v1/op"), std::vector<std::string>{"GET"});
}

TEST(RouteTableTest, CustomMethodsAreKeptAsGiven) {
  ASSERT_TABLE(table, {"PURGE", "/cache/{key}", 1}, {"M-SEARCH", "/cache/{key}", 2});
  EXPECT_EQ(Describe(table->Match("PURGE", "/cache/k")), "1 key=k");
  EXPECT_EQ(table->AllowedMethods("/cache/k"), (std::vector<std::string>{"M-SEARCH", "PURGE"}));
}

TEST(RouteTableTest, RejectsInvalidMethods) {
  RouteTable::Builder b;
  HttpTemplate tmpl = *HttpTemplate::Parse("/x");
  EXPECT_EQ(b.Add("", tmpl, 1, "A").code(), absl::StatusCode::kInvalidArgument);
  absl::Status status = b.Add("GE T", tmpl, 2, "B");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid HTTP method \"GE T\"");
}

TEST(RouteTableTest, BuilderCannotBeUsedAfterBuild) {
  RouteTable::Builder b;
  ASSERT_TRUE(std::move(b).Build().ok());
  EXPECT_EQ(
      b.Add("GET", *HttpTemplate::Parse("/x"), 1, "A").code(),  // NOLINT(bugprone-use-after-move)
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::move(b).Build().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RouteTableTest, MovedBuilderKeepsItsRoutes) {
  RouteTable::Builder a;
  ASSERT_TRUE(a.Add("GET", *HttpTemplate::Parse("/x"), 1, "A").ok());
  RouteTable::Builder b = std::move(a);
  absl::StatusOr<RouteTable> table = std::move(b).Build();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(Describe(table->Match("GET", "/x")), "1");
}

TEST(RouteTableTest, EmptyTableMatchesNothing) {
  RouteTable table;
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(Describe(table.Match("GET", "/")), "NOT_FOUND");
  EXPECT_TRUE(table.AllowedMethods("/").empty());
}

TEST(RouteTableTest, MovedTableKeepsItsRoutes) {
  ASSERT_TABLE(table, {"GET", "/x", 1});
  RouteTable moved = *std::move(table);
  EXPECT_EQ(Describe(moved.Match("GET", "/x")), "1");
  EXPECT_EQ(moved.size(), 1u);
}

TEST(RouteTableTest, SingleSegmentVariableIsFullyDecoded) {
  ASSERT_TABLE(table, {"GET", "/v1/users/{id}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/a%2Fb")), "1 id=a/b");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/users/a%20b%3f%25")), "1 id=a b?%");
}

TEST(RouteTableTest, EncodedSlashDoesNotSplitSegments) {
  ASSERT_TABLE(table, {"GET", "/v1/{a}/{b}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x%2Fy/z")), "1 a=x/y b=z");
}

TEST(RouteTableTest, MultiSegmentVariableKeepsReservedCharactersEncoded) {
  ASSERT_TABLE(table, {"GET", "/v1/files/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/files/a%2Fb/c%20d")), "1 path=a%2Fb/c d");
}

TEST(RouteTableTest, MultiSegmentVariableKeepsEveryReservedCharacterEncoded) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}", 1});
  for (char c : std::string(":/?#[]@!$&'()*+,;=")) {
    const std::string escape =
        absl::StrCat("%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    const std::string upper = absl::AsciiStrToUpper(escape);
    EXPECT_EQ(Describe(table->Match("GET", absl::StrCat("/v1/a", escape, "b"))),
              absl::StrCat("1 path=a", escape, "b"))
        << c;
    EXPECT_EQ(Describe(table->Match("GET", absl::StrCat("/v1/a", upper, "b"))),
              absl::StrCat("1 path=a", upper, "b"))
        << c;
  }
}

TEST(RouteTableTest, MultiSegmentVariableKeepsReservedEscapesExactlyAsSent) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a%2fb%3a")), "1 path=a%2fb%3a");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a%2Fb%3A")), "1 path=a%2Fb%3A");
}

TEST(RouteTableTest, MultiSegmentVariableDecodesUnreservedAndOtherCharacters) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/%41%7e/%25%22%C3%A9")), "1 path=A~/%\"\xC3\xA9");
}

TEST(RouteTableTest, MultiSegmentVariableKeepsRawReservedCharacters) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a:b/c=d;e")), "1 path=a:b/c=d;e");
}

TEST(RouteTableTest, MultiSegmentVariableWithoutMultiWildcardAlsoKeepsReserved) {
  ASSERT_TABLE(table, {"GET", "/v1/{name=shelves/*}", 1});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/shelves/a%2Fb%20c")), "1 name=shelves/a%2Fb c");
}

TEST(RouteTableTest, LiteralsAreComparedDecoded) {
  ASSERT_TABLE(table, {"GET", "/v1/users", 1}, {"GET", "/v1/a%20b", 2}, {"GET", "/v1/x%2Fy", 3});
  EXPECT_EQ(Describe(table->Match("GET", "/v1/%75sers")), "1");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/a%20b")), "2");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x%2fy")), "3");
  EXPECT_EQ(Describe(table->Match("GET", "/v1/x/y")), "NOT_FOUND");
}

TEST(RouteTableTest, InvalidPercentEncodingMatchesNothing) {
  ASSERT_TABLE(table, {"GET", "/v1/{path=**}", 1});
  for (const char* path : {"/v1/%G1", "/v1/%2", "/v1/a%", "/v1/%%41", "/v1/%2/x"}) {
    absl::StatusOr<RouteMatch> match = table->Match("GET", path);
    EXPECT_EQ(match.status().code(), absl::StatusCode::kNotFound) << path;
    EXPECT_TRUE(absl::StrContains(match.status().message(), "percent-encoding")) << path;
    EXPECT_TRUE(table->AllowedMethods(path).empty()) << path;
  }
}

TEST(RouteTableTest, NotFoundWhenMethodHasNoRoutes) {
  ASSERT_TABLE(table, {"GET", "/x", 1});
  EXPECT_EQ(table->Match("POST", "/x").status().code(), absl::StatusCode::kNotFound);
}

TEST(RouteTableTest, MatchesEachOfAThousandRoutes) {
  RouteTable::Builder b;
  for (int i = 0; i < 1000; ++i) {
    const std::string tmpl = absl::StrCat("/v1/svc", i / 10, "/res", i % 10, "/{id}");
    ASSERT_TRUE(AddRoute(b, {"GET", tmpl.c_str(), i}).ok()) << tmpl;
  }
  absl::StatusOr<RouteTable> table = std::move(b).Build();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    const std::string path = absl::StrCat("/v1/svc", i / 10, "/res", i % 10, "/x", i);
    EXPECT_EQ(Describe(table->Match("GET", path)), absl::StrCat(i, " id=x", i));
  }
}

TEST(RouteTableTest, DeepPathsMatch) {
  std::string tmpl;
  std::string path;
  for (int i = 0; i < 40; ++i) {
    absl::StrAppend(&tmpl, "/s", i);
    absl::StrAppend(&path, "/s", i);
  }
  absl::StrAppend(&tmpl, "/{rest=**}");
  ASSERT_TABLE(table, {"GET", tmpl.c_str(), 1});
  EXPECT_EQ(Describe(table->Match("GET", absl::StrCat(path, "/a/b"))), "1 rest=a/b");
}

TEST(RouteTableTest, ConcurrentMatchesAgree) {
  ASSERT_TABLE(table, {"GET", "/v1/users/{id}", 1}, {"GET", "/v1/users/me", 2});
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&table, &failures, t] {
      for (int i = 0; i < 1000; ++i) {
        if (Describe(table->Match("GET", "/v1/users/me")) != "2") ++failures[t];
        if (Describe(table->Match("GET", "/v1/users/7")) != "1 id=7") ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace protogate::routing
