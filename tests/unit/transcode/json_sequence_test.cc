#include "transcode/json_sequence.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace protogate::transcode {
namespace {

// The objects of `pieces`, pushed one after another, or the first error.
struct Read {
  std::vector<std::string> objects;
  std::string error;  // "" when the body read well
};

Read ReadAll(const std::vector<std::string>& pieces, size_t max_object_bytes = 1 << 20) {
  JsonSequenceReader reader(max_object_bytes);
  Read out;
  for (const std::string& piece : pieces) {
    reader.Push(piece);
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) {
        out.error = std::string(next.status().message());
        return out;
      }
      if (!next->has_value()) break;
      out.objects.push_back(**next);
    }
  }
  if (absl::Status end = reader.Finish(); !end.ok()) out.error = std::string(end.message());
  EXPECT_EQ(reader.count(), static_cast<int64_t>(out.objects.size()));
  return out;
}

// Every split of `body` into two pieces reads the same objects as the whole.
Read ReadEverySplit(const std::string& body) {
  const Read whole = ReadAll({body});
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    const Read split = ReadAll({body.substr(0, cut), body.substr(cut)});
    EXPECT_EQ(absl::StrJoin(split.objects, "|"), absl::StrJoin(whole.objects, "|")) << cut;
    EXPECT_EQ(split.error.empty(), whole.error.empty()) << cut << ": " << split.error;
  }
  return whole;
}

TEST(JsonSequenceReaderTest, ReadsNewlineDelimitedObjects) {
  const Read read = ReadEverySplit("{\"a\":1}\n{\"b\":{\"c\":[1,2]}}\n\n  {}\r\n");
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(absl::StrJoin(read.objects, "|"), R"({"a":1}|{"b":{"c":[1,2]}}|{})");
}

TEST(JsonSequenceReaderTest, ReadsAnArrayOfObjects) {
  const Read read = ReadEverySplit(" [ {\"a\":1} , {\"b\":\"]}\"} ]\n");
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(absl::StrJoin(read.objects, "|"), R"({"a":1}|{"b":"]}"})");
}

TEST(JsonSequenceReaderTest, EmptyBodiesHoldNoMessages) {
  for (const std::string body : {"", "  \n", "[]", " [ ] "}) {
    const Read read = ReadAll({body});
    EXPECT_EQ(read.error, "") << body;
    EXPECT_TRUE(read.objects.empty()) << body;
  }
}

TEST(JsonSequenceReaderTest, BracesAndQuotesInsideStringsDoNotEndAnObject) {
  const Read read = ReadEverySplit(R"({"s":"}{\"\\"}{"t":"\u007d"})");
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(absl::StrJoin(read.objects, "|"), R"({"s":"}{\"\\"}|{"t":"\u007d"})");
}

TEST(JsonSequenceReaderTest, AnObjectIsHandedOutBeforeTheNextArrives) {
  JsonSequenceReader reader(1024);
  reader.Push("{\"a\":1}\n{\"b\"");
  auto first = reader.Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ(**first, R"({"a":1})");
  auto second = reader.Next();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  reader.Push(":2}");
  second = reader.Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ(**second, R"({"b":2})");
}

TEST(JsonSequenceReaderTest, RefusesWhatIsNotASequenceOfObjects) {
  struct Case {
    std::string body;
    std::string error;
  };
  const Case cases[] = {
      {"{\"a\":1}\n42\n",
       "request stream: message 2 at byte 8: each message must be a JSON object"},
      {"[{\"a\":1} {\"b\":2}]",
       "request stream: message 2 at byte 9: expected , or ] after a message"},
      {"[{\"a\":1},]", "request stream: message 2 at byte 9: each message must be a JSON object"},
      {"[] {}", "request stream: message 1 at byte 3: bytes after the array's closing ]"},
      {"[{\"a\":1}",
       "request stream: message 2 at byte 8: the body ended before the array's "
       "closing ]"},
      {"{\"a\":\"}", "request stream: message 1 at byte 7: the body ended inside the message"},
      {"null", "request stream: message 1 at byte 0: each message must be a JSON object"},
      {"{\"a\":[1}]", "request stream: message 1 at byte 7: `}` where `]` closes"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReadAll({c.body}).error, c.error) << c.body;
  }
}

TEST(JsonSequenceReaderTest, AnObjectOverTheLimitIsRefused) {
  JsonSequenceReader reader(8);
  reader.Push("{\"a\":12}{\"a\":123}");
  auto fits = reader.Next();
  ASSERT_TRUE(fits.ok() && fits->has_value());
  auto over = reader.Next();
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(over.status().message(), "request stream: message 2 exceeds 8 bytes");
  // Failed for good.
  reader.Push("{}");
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_FALSE(reader.Finish().ok());
}

TEST(JsonSequenceReaderTest, HoldsOnlyTheUnreadRest) {
  // Many pieces of many objects: what was handed out is dropped on the next
  // push, so the body's size never matters.
  JsonSequenceReader reader(64);
  int64_t objects = 0;
  for (int i = 0; i < 10000; ++i) {
    reader.Push("{\"n\":1}\n{\"n\":");
    reader.Push("2}\n");
    EXPECT_LE(reader.buffered_bytes(), 32u);
    while (true) {
      auto next = reader.Next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      ++objects;
    }
  }
  EXPECT_EQ(objects, 20000);
  EXPECT_TRUE(reader.Finish().ok());
}

}  // namespace
}  // namespace protogate::transcode
