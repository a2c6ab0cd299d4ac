#include "routing/http_template.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace protogate::routing {

// Readable gtest failure output for the template structs.
void PrintTo(const TemplateSegment& segment, std::ostream* os) {
  switch (segment.kind) {
    case TemplateSegment::Kind::kLiteral:
      *os << "literal(\"" << segment.literal << "\")";
      break;
    case TemplateSegment::Kind::kSingleWildcard:
      *os << "*";
      break;
    case TemplateSegment::Kind::kMultiWildcard:
      *os << "**";
      break;
  }
}

void PrintTo(const TemplateVariable& variable, std::ostream* os) {
  *os << "{" << absl::StrJoin(variable.field_path, ".") << " [" << variable.start_segment << ", "
      << variable.end_segment << ")" << (variable.multi_segment ? " multi" : "") << "}";
}

namespace {

using Kind = TemplateSegment::Kind;

TemplateSegment Lit(std::string text) { return {Kind::kLiteral, std::move(text)}; }
const TemplateSegment kStar{Kind::kSingleWildcard, ""};
const TemplateSegment kStarStar{Kind::kMultiWildcard, ""};

TemplateVariable Var(std::vector<std::string> field_path, int start, int end, bool multi) {
  return {std::move(field_path), start, end, multi};
}

HttpTemplate MustParse(absl::string_view text) {
  absl::StatusOr<HttpTemplate> parsed = HttpTemplate::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.ok() ? *std::move(parsed) : HttpTemplate();
}

TEST(HttpTemplateTest, ParsesLiteralPath) {
  HttpTemplate t = MustParse("/v1/shelves");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("shelves")}));
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.verb(), "");
}

TEST(HttpTemplateTest, ParsesRootAsNoSegments) {
  HttpTemplate t = MustParse("/");
  EXPECT_TRUE(t.segments().empty());
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.ToString(), "/");
}

TEST(HttpTemplateTest, ShortVariableIsSingleWildcard) {
  HttpTemplate t = MustParse("/v1/users/{user_id}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("users"), kStar}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"user_id"}, 2, 3, false)}));
}

TEST(HttpTemplateTest, ExplicitStarVariableEqualsShortForm) {
  HttpTemplate t = MustParse("/v1/users/{user_id=*}");
  HttpTemplate short_form = MustParse("/v1/users/{user_id}");
  EXPECT_EQ(t.segments(), short_form.segments());
  EXPECT_EQ(t.variables(), short_form.variables());
}

TEST(HttpTemplateTest, ParsesHeaderExample) {
  HttpTemplate t = MustParse("/v1/{name=shelves/*/books/*}:publish");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Lit("v1"), Lit("shelves"), kStar, Lit("books"), kStar}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"name"}, 1, 5, true)}));
  EXPECT_EQ(t.verb(), "publish");
}

TEST(HttpTemplateTest, ParsesVerbAfterVariable) {
  HttpTemplate t = MustParse("/v1/{name=*}:cancel");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), kStar}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"name"}, 1, 2, false)}));
  EXPECT_EQ(t.verb(), "cancel");
}

TEST(HttpTemplateTest, ParsesVerbAfterLiteral) {
  HttpTemplate t = MustParse("/v1/operations:batchGet");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("operations")}));
  EXPECT_EQ(t.verb(), "batchGet");
}

TEST(HttpTemplateTest, ParsesVerbAfterWildcards) {
  EXPECT_EQ(MustParse("/v1/*:undelete").verb(), "undelete");
  HttpTemplate t = MustParse("/v1/**:download");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), kStarStar}));
  EXPECT_EQ(t.verb(), "download");
}

TEST(HttpTemplateTest, ColonInsideVariableIsLiteral) {
  HttpTemplate t = MustParse("/v1/{name=a:b}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("a:b")}));
  EXPECT_EQ(t.verb(), "");
}

TEST(HttpTemplateTest, ColonBeforeLastSegmentIsLiteral) {
  HttpTemplate t = MustParse("/v1/projects:list/x");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Lit("v1"), Lit("projects:list"), Lit("x")}));
  EXPECT_EQ(t.verb(), "");
}

TEST(HttpTemplateTest, LastColonOfLastSegmentStartsVerb) {
  HttpTemplate t = MustParse("/v1/a:b:c");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("a:b")}));
  EXPECT_EQ(t.verb(), "c");
}

TEST(HttpTemplateTest, ParsesBareWildcards) {
  HttpTemplate t = MustParse("/v1/*/**");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), kStar, kStarStar}));
  EXPECT_TRUE(t.variables().empty());
}

TEST(HttpTemplateTest, MultiWildcardVariableIsMultiSegment) {
  HttpTemplate t = MustParse("/v1/{path=**}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), kStarStar}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"path"}, 1, 2, true)}));
}

TEST(HttpTemplateTest, MultiWildcardAtEndOfLongerVariable) {
  HttpTemplate t = MustParse("/v1/{name=files/**}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("v1"), Lit("files"), kStarStar}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"name"}, 1, 3, true)}));
}

TEST(HttpTemplateTest, SingleLiteralVariableIsNotMultiSegment) {
  HttpTemplate t = MustParse("/{kind=books}");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("books")}));
  EXPECT_EQ(t.variables(), (std::vector<TemplateVariable>{Var({"kind"}, 0, 1, false)}));
}

TEST(HttpTemplateTest, ParsesNestedFieldPaths) {
  HttpTemplate t = MustParse("/v1/{book.shelf.name}/{_a1.B_2=x/*}");
  EXPECT_EQ(t.variables(),
            (std::vector<TemplateVariable>{Var({"book", "shelf", "name"}, 1, 2, false),
                                           Var({"_a1", "B_2"}, 2, 4, true)}));
}

TEST(HttpTemplateTest, ParsesSeveralVariablesInOrder) {
  HttpTemplate t = MustParse("/v1/{a}/x/{b=y/*}/{c=**}");
  EXPECT_EQ(t.segments(),
            (std::vector<TemplateSegment>{Lit("v1"), kStar, Lit("x"), Lit("y"), kStar, kStarStar}));
  EXPECT_EQ(t.variables(),
            (std::vector<TemplateVariable>{Var({"a"}, 1, 2, false), Var({"b"}, 3, 5, true),
                                           Var({"c"}, 5, 6, true)}));
}

TEST(HttpTemplateTest, SameLeafNameUnderDifferentParentsIsAllowed) {
  HttpTemplate t = MustParse("/{a.name}/{b.name}");
  EXPECT_EQ(t.variables().size(), 2u);
}

TEST(HttpTemplateTest, DecodesPercentEncodedLiterals) {
  HttpTemplate t = MustParse("/a%20b/c%2fd/%41%7e");
  EXPECT_EQ(t.segments(), (std::vector<TemplateSegment>{Lit("a b"), Lit("c/d"), Lit("A~")}));
}

TEST(HttpTemplateTest, DecodesPercentEncodedVerb) {
  EXPECT_EQ(MustParse("/v1/x:do%20it").verb(), "do it");
}

TEST(HttpTemplateTest, AcceptsEveryPathCharacterInLiterals) {
  HttpTemplate t = MustParse("/-._~!$&'()+,;=:@AZaz09/x");
  EXPECT_EQ(t.segments()[0], Lit("-._~!$&'()+,;=:@AZaz09"));
}

struct ParseErrorCase {
  const char* text;
  const char* message;  // a fragment of the expected message
  int position;
};

class HttpTemplateErrorTest : public testing::TestWithParam<ParseErrorCase> {};

TEST_P(HttpTemplateErrorTest, RejectsWithPositionAndReason) {
  const ParseErrorCase& c = GetParam();
  absl::StatusOr<HttpTemplate> parsed = HttpTemplate::Parse(c.text);
  ASSERT_FALSE(parsed.ok()) << "accepted \"" << c.text << "\" as " << parsed->ToString();
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(parsed.status().message());
  EXPECT_TRUE(absl::StrContains(message, c.message)) << message;
  EXPECT_TRUE(absl::EndsWith(message, absl::StrCat(" at position ", c.position))) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, HttpTemplateErrorTest,
    testing::Values(ParseErrorCase{"", "the template is empty", 0},
                    ParseErrorCase{"v1/users", "expected '/' at the start", 0},
                    ParseErrorCase{"//", "empty segment", 1},
                    ParseErrorCase{"/v1//x", "empty segment", 4},
                    ParseErrorCase{"/v1/{a=x//y}", "empty segment", 9},
                    ParseErrorCase{"/v1/", "a trailing '/' is not allowed", 3},
                    ParseErrorCase{"/v1/x/:verb", "expected a segment before the verb", 6},
                    ParseErrorCase{"/:verb", "expected a segment before the verb", 1},
                    ParseErrorCase{"/{", "expected a field name", 2},
                    ParseErrorCase{"/v1/{a", "unbalanced '{': missing '}'", 4},
                    ParseErrorCase{"/v1/{a.b", "unbalanced '{': missing '}'", 4},
                    ParseErrorCase{"/v1/{a=*", "unbalanced '{': missing '}'", 4},
                    ParseErrorCase{"/v1/{a=x/*/y", "unbalanced '{': missing '}'", 4},
                    ParseErrorCase{"/{a=b:c", "unbalanced '{': missing '}'", 1},
                    ParseErrorCase{"/v1/a}", "unbalanced '}'", 5},
                    ParseErrorCase{"/v1/{a}}", "unbalanced '}'", 7},
                    ParseErrorCase{"/}", "unbalanced '}'", 1},
                    ParseErrorCase{"/{a={b}}", "nested variables are not allowed", 4},
                    ParseErrorCase{"/{a=x/{b}}", "nested variables are not allowed", 6},
                    ParseErrorCase{"/{a=x{b}}", "nested variables are not allowed", 5},
                    ParseErrorCase{"/**/a", "'**' is only allowed as the last segment", 1},
                    ParseErrorCase{"/v1/**/**", "'**' is only allowed as the last segment", 4},
                    ParseErrorCase{"/{a=**}/b", "'**' is only allowed as the last segment", 4},
                    ParseErrorCase{"/{a=**/b}", "'**' is only allowed as the last segment", 4},
                    ParseErrorCase{"/{a}/{a}", "field path 'a' is bound twice", 6},
                    ParseErrorCase{"/{a.b}/{a.b=x/*}", "field path 'a.b' is bound twice", 8},
                    ParseErrorCase{"/{}", "expected a field name", 2},
                    ParseErrorCase{"/{1a}", "expected a field name", 2},
                    ParseErrorCase{"/{a.}", "expected a field name", 4},
                    ParseErrorCase{"/{.a}", "expected a field name", 2},
                    ParseErrorCase{"/{a..b}", "expected a field name", 4},
                    ParseErrorCase{"/{a-b}", "invalid character '-' in field path", 3},
                    ParseErrorCase{"/{a b}", "invalid character ' ' in field path", 3},
                    ParseErrorCase{"/{a=}", "expected a segment after '=' or '/'", 4},
                    ParseErrorCase{"/{a=x/}", "expected a segment after '=' or '/'", 6},
                    ParseErrorCase{"/a b", "invalid character ' '", 2},
                    ParseErrorCase{"/a?b", "invalid character '?'", 2},
                    ParseErrorCase{"/a#", "invalid character '#'", 2},
                    ParseErrorCase{"/a[0]", "invalid character '['", 2},
                    ParseErrorCase{"/caf\xc3\xa9", "invalid character '\\xc3'", 4},
                    ParseErrorCase{"/a%G1", "invalid percent-encoding", 2},
                    ParseErrorCase{"/a%2", "invalid percent-encoding", 2},
                    ParseErrorCase{"/a%", "invalid percent-encoding", 2},
                    ParseErrorCase{"/a%2/b", "invalid percent-encoding", 2},
                    ParseErrorCase{"/a*", "'*' is only allowed as a whole segment", 2},
                    ParseErrorCase{"/*a", "'*' and '**' must be whole segments", 2},
                    ParseErrorCase{"/***", "'*' and '**' must be whole segments", 3},
                    ParseErrorCase{"/a/*:b:c", "'*' and '**' must be whole segments", 4},
                    ParseErrorCase{"/{a=**:x}", "'*' and '**' must be whole segments", 6},
                    ParseErrorCase{"/a{b}", "a variable must be a whole segment", 2},
                    ParseErrorCase{"/{a}b", "expected '/' instead of 'b'", 4},
                    ParseErrorCase{"/v1/*:", "expected a verb after ':'", 6},
                    ParseErrorCase{"/v1:do it", "invalid character ' '", 6},
                    ParseErrorCase{"/v1:a%zz", "invalid percent-encoding", 5},
                    ParseErrorCase{"/v1/*:a*", "'*' is only allowed as a whole segment", 7}));

TEST(HttpTemplateTest, ErrorMessageQuotesTheTemplateEscaped) {
  absl::StatusOr<HttpTemplate> parsed = HttpTemplate::Parse("/v1/\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "invalid path template \"/v1/\\n\": invalid character '\\n' at position 4");
}

class HttpTemplateCanonicalTest : public testing::TestWithParam<const char*> {};

TEST_P(HttpTemplateCanonicalTest, ToStringGivesBackCanonicalText) {
  EXPECT_EQ(MustParse(GetParam()).ToString(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Canonical, HttpTemplateCanonicalTest,
                         testing::Values("/", "/v1/shelves", "/v1/users/{user_id}",
                                         "/v1/{name=shelves/*}:get",
                                         "/v1/{name=shelves/*/books/*}:publish", "/v1/{path=**}",
                                         "/v1/{name=files/**}:download", "/v1/*/**:x",
                                         "/v1/{a.b.c}/x", "/v1/projects:list/x", "/v1/{name=a:b}",
                                         "/v1/{kind=books}", "/-._~!$&'()+,;=:@/x",
                                         "/a%20b/c%2Fd/%25", "/v1/{a}/x/{b=y/*}/{c=**}"));

TEST(HttpTemplateTest, ToStringWritesStarVariableInShortForm) {
  EXPECT_EQ(MustParse("/v1/{name=*}:cancel").ToString(), "/v1/{name}:cancel");
}

TEST(HttpTemplateTest, ToStringNormalizesEscapes) {
  EXPECT_EQ(MustParse("/%41/%2f/%7e").ToString(), "/A/%2F/~");
}

TEST(HttpTemplateTest, ToStringKeepsEncodedColonInLastSegment) {
  HttpTemplate t = MustParse("/v1/a%3Ab");
  EXPECT_EQ(t.verb(), "");
  EXPECT_EQ(t.segments().back(), Lit("a:b"));
  EXPECT_EQ(t.ToString(), "/v1/a%3Ab");
}

TEST(HttpTemplateTest, ToStringDecodesColonBeforeLastSegment) {
  EXPECT_EQ(MustParse("/v1/a%3Ab/c").ToString(), "/v1/a:b/c");
}

TEST(HttpTemplateTest, ToStringEncodesLiteralStar) {
  HttpTemplate t = MustParse("/v1/%2A");
  EXPECT_EQ(t.segments().back(), Lit("*"));
  EXPECT_EQ(t.ToString(), "/v1/%2A");
}

TEST(HttpTemplateTest, ToStringEncodesColonInVerb) {
  HttpTemplate t = MustParse("/v1/x:a%3Ab");
  EXPECT_EQ(t.verb(), "a:b");
  EXPECT_EQ(t.ToString(), "/v1/x:a%3Ab");
}

class HttpTemplateRoundTripTest : public testing::TestWithParam<const char*> {};

TEST_P(HttpTemplateRoundTripTest, ParseOfToStringHasSameStructure) {
  HttpTemplate t = MustParse(GetParam());
  HttpTemplate again = MustParse(t.ToString());
  EXPECT_EQ(again.segments(), t.segments()) << t.ToString();
  EXPECT_EQ(again.variables(), t.variables()) << t.ToString();
  EXPECT_EQ(again.verb(), t.verb()) << t.ToString();
}

INSTANTIATE_TEST_SUITE_P(Templates, HttpTemplateRoundTripTest,
                         testing::Values("/v1/{name=*}:cancel", "/v1/a%3Ab", "/v1/a%3Ab:c",
                                         "/v1/%2A/%2a%2A", "/v1/{x=%2A}", "/v1/x:%3A",
                                         "/%00%ff%7B%7D%2F%25", "/{a=b:c/**}:d", "/v1/{name=a%3Ab}",
                                         "/v1/{a.b}/{c=**}:x"));

}  // namespace
}  // namespace protogate::routing
