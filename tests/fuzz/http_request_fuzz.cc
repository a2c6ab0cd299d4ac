// Fuzzes the HTTP/1.x request parser with what a client could send: it must
// never crash, never hand over more body than its limit, and reach the same
// outcome (the same request, or an error) whether the bytes arrive at once or
// in small pieces, the way a socket may deliver them. A difference between
// the two is how requests get smuggled past one parser and not another.
// Half the inputs parse with streamed bodies (a handler that reads the body
// as it arrives, for targets under /s): taken piece by piece, they must add
// up to the same body within the stream's own limit.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "http/request_parser.h"

namespace {

namespace bhttp = boost::beast::http;
using protogate::http::Request;
using protogate::http::RequestParser;

constexpr std::uint32_t kHeaderLimit = 2048;
constexpr std::uint64_t kBodyLimit = 256;
constexpr std::uint64_t kStreamLimit = 1024;

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Outcome {
  bool done = false;
  boost::system::error_code error;
  size_t consumed = 0;  // bytes of the input that made up the request
  Request request;
};

// Feeds `bytes` in pieces of at most `piece` bytes; unconsumed bytes are
// presented again with the next piece, as the server's read loop does.
Outcome Parse(const std::string& bytes, size_t piece, bool streaming) {
  RequestParser parser(kHeaderLimit, kBodyLimit, kStreamLimit,
                       streaming ? RequestParser::StreamsBody([](const Request& head) {
                         return head.target.rfind("/s", 0) == 0;
                       })
                                 : nullptr);
  Outcome outcome;
  std::string streamed;
  std::string pending;
  size_t offset = 0;
  while (!parser.is_done()) {
    if (offset < bytes.size()) {
      const size_t n = std::min(piece, bytes.size() - offset);
      pending.append(bytes, offset, n);
      offset += n;
    } else if (pending.empty()) {
      outcome.error = bhttp::error::need_more;
      return outcome;
    }
    boost::system::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    outcome.consumed += used;
    if (parser.is_header_done() && parser.streams_body()) streamed += parser.TakeBody();
    if (ec == bhttp::error::need_more) {
      if (offset == bytes.size()) {
        outcome.error = ec;
        return outcome;
      }
      continue;
    }
    if (ec) {
      outcome.error = ec;
      return outcome;
    }
  }
  outcome.done = true;
  const bool streams = parser.streams_body();
  outcome.request = parser.Release();
  if (streams) {
    Check(outcome.request.body.empty() || streamed.empty());
    outcome.request.body = streamed + outcome.request.body;
  }
  Check(outcome.request.body.size() <= (streams ? kStreamLimit : kBodyLimit));
  return outcome;
}

void CheckRequest(const Request& request) {
  Check(!request.target.empty());
  for (const auto& [name, value] : request.headers) {
    Check(!name.empty());
    Check(absl::AsciiStrToLower(name) == name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Input: one byte choosing the piece size (1..16) and whether bodies may
  // stream (its top bit), then the bytes sent.
  const size_t piece = 1 + data[0] % 16;
  const bool streaming = (data[0] & 0x80) != 0;
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  const Outcome whole = Parse(bytes, bytes.size() + 1, streaming);
  const Outcome pieces = Parse(bytes, piece, streaming);
  // Beast counts the request line against the header limit when it has to
  // wait for more bytes, and not when the whole header is there: near the
  // limit one outcome is 431 and the other a request. Both are bounded.
  if (whole.error == bhttp::error::header_limit || pieces.error == bhttp::error::header_limit) {
    return 0;
  }
  Check(whole.done == pieces.done);
  if (!whole.done) {
    // Neither delivers a request. Beast may refuse a broken header line at
    // once when it sees it whole, and otherwise wait for the end of the
    // header (then the read timeout or the header limit answers): both
    // outcomes refuse the request.
    return 0;
  }
  CheckRequest(whole.request);
  Check(whole.consumed == pieces.consumed);
  Check(whole.request.method == pieces.request.method);
  Check(whole.request.target == pieces.request.target);
  Check(whole.request.headers == pieces.request.headers);
  Check(whole.request.body == pieces.request.body);
  return 0;
}
