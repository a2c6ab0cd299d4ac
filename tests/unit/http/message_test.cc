#include "http/message.h"

#include "gtest/gtest.h"

namespace protogate::http {
namespace {

TEST(RequestTest, HeaderReturnsFirstValueOfLowercaseName) {
  Request request;
  request.headers = {{"accept", "a/b"}, {"x-token", "one"}, {"x-token", "two"}};
  EXPECT_EQ(request.Header("x-token"), "one");
  EXPECT_EQ(request.Header("accept"), "a/b");
}

TEST(RequestTest, MissingHeaderIsEmpty) {
  Request request;
  request.headers = {{"accept", "a/b"}};
  EXPECT_EQ(request.Header("authorization"), "");
}

TEST(RequestTest, PathAndQuerySplitAtFirstQuestionMark) {
  Request request;
  request.target = "/v1/items/7?view=full&x=a?b";
  EXPECT_EQ(request.Path(), "/v1/items/7");
  EXPECT_EQ(request.Query(), "view=full&x=a?b");
}

TEST(RequestTest, TargetWithoutQuery) {
  Request request;
  request.target = "/v1/items";
  EXPECT_EQ(request.Path(), "/v1/items");
  EXPECT_EQ(request.Query(), "");
}

TEST(RequestTest, EmptyQueryAfterQuestionMark) {
  Request request;
  request.target = "/a?";
  EXPECT_EQ(request.Path(), "/a");
  EXPECT_EQ(request.Query(), "");
}

}  // namespace
}  // namespace protogate::http
