// `protogate-routes diff`: what reviewers see, and which changes break clients.

#include "routes/route_map_diff.h"

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "routes/cli.h"
#include "unit/routes/proto_tree.h"

namespace protogate::routes {
namespace {

using ::testing::HasSubstr;

RouteMapEntry Entry(std::string method, std::string path, std::string grpc, std::string body = "") {
  RouteMapEntry e;
  e.http_method = std::move(method);
  e.path = std::move(path);
  e.grpc_service = "pkg.Svc";
  e.grpc_method = std::move(grpc);
  e.body = std::move(body);
  e.source = "a.proto:1:1";
  return e;
}

TEST(RouteMapDiffTest, IdenticalMapsHaveNoChanges) {
  std::vector<RouteMapEntry> map = {Entry("GET", "/v1/a", "A")};
  ApiDiff diff = DiffRouteMaps(map, map);
  EXPECT_TRUE(diff.empty());
  EXPECT_FALSE(diff.breaking());
  EXPECT_EQ(diff.ToString(), "0 added, 0 removed, 0 changed\n");
}

TEST(RouteMapDiffTest, AddedRouteIsNotBreaking) {
  ApiDiff diff = DiffRouteMaps({Entry("GET", "/v1/a", "A")},
                               {Entry("GET", "/v1/a", "A"), Entry("GET", "/v1/b", "B")});
  EXPECT_FALSE(diff.breaking());
  EXPECT_THAT(diff.ToString(), HasSubstr("+ GET /v1/b (pkg.Svc.B)"));
}

TEST(RouteMapDiffTest, RemovedRouteIsBreaking) {
  ApiDiff diff = DiffRouteMaps({Entry("GET", "/v1/a", "A"), Entry("GET", "/v1/b", "B")},
                               {Entry("GET", "/v1/a", "A")});
  EXPECT_TRUE(diff.breaking());
  EXPECT_THAT(diff.ToString(), HasSubstr("- GET /v1/b (pkg.Svc.B)  BREAKING: removed"));
}

TEST(RouteMapDiffTest, MovedRouteIsOneBreakingChange) {
  ApiDiff diff = DiffRouteMaps({Entry("GET", "/v1/a", "A")}, {Entry("POST", "/v2/a", "A")});
  ASSERT_EQ(diff.changes.size(), 1u);
  EXPECT_TRUE(diff.breaking());
  EXPECT_THAT(diff.ToString(), HasSubstr("http method \"GET\" -> \"POST\""));
  EXPECT_THAT(diff.ToString(), HasSubstr("path \"/v1/a\" -> \"/v2/a\""));
}

TEST(RouteMapDiffTest, BodyAndGrpcMethodChangesAreBreaking) {
  EXPECT_TRUE(DiffRouteMaps({Entry("POST", "/v1/a", "A", "x")}, {Entry("POST", "/v1/a", "A", "*")})
                  .breaking());
  ApiDiff diff = DiffRouteMaps({Entry("GET", "/v1/a", "A")}, {Entry("GET", "/v1/a", "Other")});
  EXPECT_TRUE(diff.breaking());
  EXPECT_THAT(diff.ToString(), HasSubstr("grpc method \"pkg.Svc.A\" -> \"pkg.Svc.Other\""));
}

TEST(RouteMapDiffTest, UpstreamAuthAndSourceChangesAreReportedButNotBreaking) {
  RouteMapEntry before = Entry("GET", "/v1/a", "A");
  RouteMapEntry after = before;
  after.upstream = {"10.0.0.1:50051"};
  after.auth = {{"policy", "default"}, {"kind", "public"}};
  after.source = "a.proto:9:5";
  ApiDiff diff = DiffRouteMaps({before}, {after});
  ASSERT_EQ(diff.changes.size(), 1u);
  EXPECT_FALSE(diff.breaking());
  EXPECT_EQ(diff.changes[0].details.size(), 3u);
}

// Per client profile: a route or a view field taken from a profile breaks
// that client; what a profile gains does not.
TEST(RouteMapDiffTest, WhatAClientProfileLosesIsBreakingForIt) {
  RouteMapEntry before = Entry("GET", "/v1/a", "A");
  before.clients = {{.name = "default"},
                    {.name = "mobile", .view = {"user_id", "profile.region"}},
                    {.name = "partner"}};
  RouteMapEntry gains = before;
  gains.clients[1].view.push_back("email");
  gains.clients.push_back({.name = "tablet"});
  ApiDiff gained = DiffRouteMaps({before}, {gains});
  EXPECT_FALSE(gained.breaking()) << gained.ToString();
  EXPECT_THAT(gained.ToString(), HasSubstr("client profile tablet may call it"));

  RouteMapEntry loses = before;
  loses.clients = {{.name = "default", .view = {"user_id"}},
                   {.name = "mobile", .view = {"user_id"}}};
  ApiDiff lost = DiffRouteMaps({before}, {loses});
  EXPECT_TRUE(lost.breaking());
  const std::string text = lost.ToString();
  EXPECT_THAT(text, HasSubstr("client profile partner may no longer call it"));
  EXPECT_THAT(text, HasSubstr("client profile mobile's view loses profile.region"));
  EXPECT_THAT(text,
              HasSubstr("client profile default's view narrows from the whole answer to user_id"));

  // A map made without profiles says nothing of them either way.
  RouteMapEntry unlisted = before;
  unlisted.clients.clear();
  EXPECT_FALSE(DiffRouteMaps({before}, {unlisted}).breaking());
  EXPECT_FALSE(DiffRouteMaps({unlisted}, {before}).breaking());
}

// A member a profile's client reads changes name: breaking for that client.
TEST(RouteMapDiffTest, ARenameChangedForAProfileIsBreakingForIt) {
  RouteMapEntry before = Entry("GET", "/v1/a", "A");
  before.clients = {{.name = "default"},
                    {.name = "mobile", .renames = {{"user_id", "id"}, {"email", "mail"}}}};
  RouteMapEntry after = before;
  after.clients[1].renames = {{"user_id", "uid"}, {"profile.region", "area"}};
  ApiDiff diff = DiffRouteMaps({before}, {after});
  EXPECT_TRUE(diff.breaking());
  const std::string text = diff.ToString();
  EXPECT_THAT(text, HasSubstr("client profile mobile renames user_id to \"uid\" (was \"id\")"));
  EXPECT_THAT(text, HasSubstr("client profile mobile no longer renames email (was \"mail\")"));
  EXPECT_THAT(text, HasSubstr("client profile mobile renames profile.region to \"area\""));
  EXPECT_TRUE(DiffRouteMaps({before}, {before}).empty());

  RouteMapEntry viewed = before;
  viewed.clients[1].view_enum = "USER_VIEW_BASIC";
  ApiDiff view_diff = DiffRouteMaps({before}, {viewed});
  EXPECT_TRUE(view_diff.breaking());
  EXPECT_THAT(view_diff.ToString(),
              HasSubstr("client profile mobile's request view \"(none)\" -> \"USER_VIEW_BASIC\""));
}

TEST(RouteMapDiffTest, RenderedMapsRoundTrip) {
  std::vector<RouteMapEntry> map = {Entry("GET", "/v1/a", "A", "*")};
  map[0].upstream = {"h:1"};
  map[0].clients = {{.name = "default"},
                    {.name = "mobile",
                     .view = {"user_id"},
                     .view_enum = "USER_VIEW_BASIC",
                     .renames = {{"user_id", "id"}}}};
  const std::string rendered = RenderRouteMap(map);
  EXPECT_THAT(rendered, HasSubstr("\"renames\""));
  auto parsed = ParseRouteMap(rendered, "m");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ((*parsed)[0].clients[1].renames.size(), 1u);
  EXPECT_EQ((*parsed)[0].clients[1].view_enum, "USER_VIEW_BASIC");
  EXPECT_TRUE(DiffRouteMaps(map, *parsed).empty());
  EXPECT_FALSE(ParseRouteMap("{\"routes\": 3}", "m").ok());
  EXPECT_FALSE(ParseRouteMap("not json", "m").ok());
}

TEST(RouteMapDiffTest, CliExitCodeIsOneOnlyWhenBreaking) {
  test::ProtoTree tree;
  const std::string a = tree.Write("a.json", RenderRouteMap({Entry("GET", "/v1/a", "A")}));
  const std::string b = tree.Write(
      "b.json", RenderRouteMap({Entry("GET", "/v1/a", "A"), Entry("GET", "/v1/b", "B")}));
  std::ostringstream out, err;
  EXPECT_EQ(RunRoutesCli({"diff", a, b}, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("1 added, 0 removed, 0 changed"));
  std::ostringstream out2;
  EXPECT_EQ(RunRoutesCli({"diff", b, a}, out2, err), kExitProblems);
  EXPECT_THAT(out2.str(), HasSubstr("(breaking)"));
  EXPECT_EQ(RunRoutesCli({"diff", a}, out, err), kExitUsage);
  EXPECT_EQ(RunRoutesCli({"diff", a, tree.Path("missing.json")}, out, err), kExitUsage);
}

}  // namespace
}  // namespace protogate::routes
