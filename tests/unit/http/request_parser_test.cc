#include "http/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace protogate::http {
namespace {

namespace bhttp = boost::beast::http;
using boost::system::error_code;

constexpr std::uint32_t kHeaderLimit = 1024;
constexpr std::uint64_t kBodyLimit = 64;

// Feeds `bytes` to the parser in pieces of at most `piece` bytes, the way a
// socket delivers them: unconsumed bytes are presented again with the next.
error_code Feed(RequestParser& parser, const std::string& bytes, size_t piece = 1 << 20) {
  std::string pending;
  size_t offset = 0;
  while (!parser.is_done()) {
    if (pending.empty() && offset == bytes.size()) return bhttp::error::need_more;
    if (offset < bytes.size()) {
      const size_t n = std::min(piece, bytes.size() - offset);
      pending.append(bytes, offset, n);
      offset += n;
    }
    error_code ec;
    const size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == bhttp::error::need_more) {
      if (offset == bytes.size()) return ec;
      continue;
    }
    if (ec) return ec;
  }
  return {};
}

HeaderList Headers(std::vector<std::pair<std::string, std::string>> list) { return list; }

TEST(RequestParserTest, ParsesRequestLineAndHeadersInWireOrder) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  ASSERT_FALSE(Feed(parser,
                    "PURGE /v1/a?b=c HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nAccept: */*\r\n"
                    "x-dup: 2\r\n\r\n"));

  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(parser.version(), 11u);
  EXPECT_FALSE(parser.is_head());
  Request request = parser.Release();
  EXPECT_EQ(request.method, "PURGE");
  EXPECT_EQ(request.target, "/v1/a?b=c");
  EXPECT_EQ(request.headers,
            Headers({{"host", "h"}, {"x-dup", "1"}, {"accept", "*/*"}, {"x-dup", "2"}}));
  EXPECT_EQ(request.body, "");
}

TEST(RequestParserTest, LowercasesNamesButKeepsValuesAndTrimsWhitespace) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  ASSERT_FALSE(Feed(parser, "GET / HTTP/1.1\r\nHost: h\r\nX-Mixed-Case:  Some Value\t \r\n\r\n"));

  EXPECT_EQ(parser.Release().headers, Headers({{"host", "h"}, {"x-mixed-case", "Some Value"}}));
}

TEST(RequestParserTest, ContentLengthBody) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  ASSERT_FALSE(Feed(parser, "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"));

  EXPECT_EQ(parser.Release().body, "hello");
}

TEST(RequestParserTest, ChunkedBodyArrivingByteByByte) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  ASSERT_FALSE(Feed(parser,
                    "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n4;name=value\r\ndefg\r\n0\r\nTrailer: t\r\n\r\n",
                    /*piece=*/1));

  EXPECT_EQ(parser.Release().body, "abcdefg");
}

TEST(RequestParserTest, StopsAtTheEndOfTheMessage) {
  RequestParser parser(kHeaderLimit, kBodyLimit);
  const std::string first = "POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab";
  const std::string bytes = first + "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n";

  error_code ec;
  const size_t header = parser.put(boost::asio::buffer(bytes), ec);
  ASSERT_FALSE(ec);
  const size_t body =
      parser.put(boost::asio::buffer(bytes.data() + header, bytes.size() - header), ec);

  ASSERT_FALSE(ec);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(header + body, first.size());  // the pipelined request stays unread
}

TEST(RequestParserTest, RecognisesExpectContinue) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  const error_code ec = Feed(
      parser, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n");

  EXPECT_EQ(ec, bhttp::error::need_more);  // the body is not sent before the 100

  EXPECT_TRUE(parser.is_header_done());
  EXPECT_TRUE(parser.expects_continue());
}

TEST(RequestParserTest, NoExpectContinueByDefault) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  ASSERT_FALSE(Feed(parser, "GET / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n"));

  EXPECT_FALSE(parser.expects_continue());
}

TEST(RequestParserTest, HeadAndVersionAndKeepAlive) {
  struct Case {
    std::string bytes;
    bool head;
    unsigned version;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", true, 11, true},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false, 11, false},
      {"GET / HTTP/1.0\r\n\r\n", false, 10, false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, 10, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bytes);
    RequestParser parser(kHeaderLimit, kBodyLimit);
    ASSERT_FALSE(Feed(parser, c.bytes));
    EXPECT_EQ(parser.is_head(), c.head);
    EXPECT_EQ(parser.version(), c.version);
    EXPECT_EQ(parser.keep_alive(), c.keep_alive);
  }
}

TEST(RequestParserTest, HeaderLimit) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  const error_code ec =
      Feed(parser, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2 * kHeaderLimit, 'a') +
                       "\r\n\r\n");

  EXPECT_EQ(ec, bhttp::error::header_limit);
}

TEST(RequestParserTest, BodyLimitFromContentLengthBeforeAnyBody) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  const error_code ec = Feed(parser, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n");

  EXPECT_EQ(ec, bhttp::error::body_limit);
}

TEST(RequestParserTest, BodyLimitWhileReadingChunks) {
  RequestParser parser(kHeaderLimit, kBodyLimit);

  const error_code ec = Feed(parser,
                             "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "40\r\n" +
                                 std::string(64, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n");

  EXPECT_EQ(ec, bhttp::error::body_limit);
}

TEST(RequestParserTest, OnlyPlainChunkedTransferEncodingIsAccepted) {
  for (const char* coding :
       {"gzip", "chunked, chunked", "gzip, chunked", "chunked, gzip", "identity", ""}) {
    SCOPED_TRACE(coding);
    RequestParser parser(kHeaderLimit, kBodyLimit);
    const error_code ec =
        Feed(parser, std::string("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ") + coding +
                         "\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(ec, bhttp::error::bad_transfer_encoding);
  }
  RequestParser parser(kHeaderLimit, kBodyLimit);
  EXPECT_FALSE(
      Feed(parser, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"));
}

TEST(RequestParserTest, MalformedInputIsAnHttpError) {
  for (const char* bytes : {"G E T / HTTP/1.1\r\nHost: h\r\n\r\n", "GET / HTTP/2\r\n\r\n",
                            "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n",
                            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n"}) {
    SCOPED_TRACE(bytes);
    RequestParser parser(kHeaderLimit, kBodyLimit);
    const error_code ec = Feed(parser, bytes);
    EXPECT_TRUE(ec);
    EXPECT_NE(ec, bhttp::error::need_more);
    EXPECT_EQ(ec.category(), bhttp::make_error_code(bhttp::error::bad_method).category());
  }
}

TEST(RequestParserTest, Http11NeedsExactlyOneHost) {
  for (const char* bytes :
       {"GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n"}) {
    SCOPED_TRACE(bytes);
    RequestParser parser(kHeaderLimit, kBodyLimit);
    EXPECT_EQ(Feed(parser, bytes), bhttp::error::bad_field);
    EXPECT_NE(parser.problem(), "");
  }
  RequestParser http10(kHeaderLimit, kBodyLimit);
  EXPECT_FALSE(Feed(http10, "GET / HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(http10.problem(), "");
}

TEST(RequestParserTest, AbsoluteFormTargetBecomesOriginForm) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://h/v1/a?b=c", "/v1/a?b=c"},
      {"https://h:443/x", "/x"},
      {"http://h", "/"},
      {"http://h?q=1", "/?q=1"},
      {"/already/origin", "/already/origin"},
      {"httpx://h/p", "httpx://h/p"},
  };
  for (const auto& [target, origin] : cases) {
    SCOPED_TRACE(target);
    RequestParser parser(kHeaderLimit, kBodyLimit);
    ASSERT_FALSE(Feed(parser, "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n"));
    EXPECT_EQ(parser.Release().target, origin);
  }
}

}  // namespace
}  // namespace protogate::http
