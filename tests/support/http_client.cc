#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace protogate::test {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

constexpr std::uint64_t kMaxResponseBody = 256ull << 20;

bool IsClosedByPeer(const error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message;
}

absl::Status ToStatus(const error_code& ec, absl::string_view what) {
  if (!ec) return absl::OkStatus();
  if (ec == beast::error::timeout) {
    return absl::DeadlineExceededError(absl::StrCat(what, ": timed out"));
  }
  if (IsClosedByPeer(ec)) {
    return absl::UnavailableError(
        absl::StrCat(what, ": server closed the connection (", ec.message(), ")"));
  }
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

}  // namespace

absl::string_view HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool HttpResponse::HasHeader(absl::string_view name) const {
  for (const auto& header : headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

// Every call starts one asynchronous operation under the stream's timeout and
// runs the private io_context until it completes: blocking to the caller,
// bounded in time.
struct HttpClient::Impl {
  void Run() {
    ioc.restart();
    ioc.run();
  }

  boost::asio::io_context ioc{1};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  // The response ReadHead began.
  std::optional<bhttp::response_parser<bhttp::string_body>> streamed;
};

namespace {

HttpResponse FromMessage(const bhttp::response<bhttp::string_body>& message) {
  HttpResponse response;
  response.version = static_cast<int>(message.version());
  response.status = static_cast<int>(message.result_int());
  response.reason = std::string(message.reason().data(), message.reason().size());
  for (const auto& field : message) {
    response.headers.emplace_back(
        std::string(field.name_string().data(), field.name_string().size()),
        std::string(field.value().data(), field.value().size()));
  }
  response.body = message.body();
  return response;
}

}  // namespace

HttpClient::HttpClient(int port, Options options)
    : port_(port), options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() {
  error_code ec;
  impl_->stream.socket().close(ec);
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Connect(int port) {
  return Connect(port, Options());
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Connect(int port, Options options) {
  error_code ec;
  const auto address = boost::asio::ip::make_address(options.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad host ", options.host));
  std::unique_ptr<HttpClient> client(new HttpClient(port, std::move(options)));
  Impl& impl = *client->impl_;
  impl.stream.expires_after(client->options_.timeout);
  error_code result;
  impl.stream.async_connect(
      boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)),
      [&result](const error_code& connect_ec) { result = connect_ec; });
  impl.Run();
  if (result) {
    return absl::UnavailableError(
        absl::StrCat("connect to ", client->options_.host, ":", port, ": ", result.message()));
  }
  impl.stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  return client;
}

std::string HttpClient::Serialize(const HttpRequest& request) const {
  bool has_host = false;
  bool has_framing = false;
  for (const auto& [name, value] : request.headers) {
    has_host = has_host || absl::EqualsIgnoreCase(name, "host");
    has_framing = has_framing || absl::EqualsIgnoreCase(name, "content-length") ||
                  absl::EqualsIgnoreCase(name, "transfer-encoding");
  }
  std::string out = absl::StrCat(request.method, " ", request.target, " ", request.version, "\r\n");
  if (!has_host) absl::StrAppend(&out, "Host: ", options_.host, ":", port_, "\r\n");
  for (const auto& [name, value] : request.headers) {
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!request.body.empty() && !has_framing) {
    absl::StrAppend(&out, "Content-Length: ", request.body.size(), "\r\n");
  }
  absl::StrAppend(&out, "\r\n", request.body);
  return out;
}

absl::Status HttpClient::Send(const HttpRequest& request) { return SendRaw(Serialize(request)); }

absl::Status HttpClient::SendRaw(absl::string_view bytes) {
  impl_->stream.expires_after(options_.timeout);
  error_code result;
  boost::asio::async_write(impl_->stream, boost::asio::buffer(bytes.data(), bytes.size()),
                           [&result](const error_code& ec, size_t) { result = ec; });
  impl_->Run();
  return ToStatus(result, "send");
}

absl::StatusOr<HttpResponse> HttpClient::ReadResponse(bool head_request) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(1u << 20);
  parser.body_limit(kMaxResponseBody);
  if (head_request) parser.skip(true);
  impl_->stream.expires_after(options_.timeout);
  error_code result;
  bhttp::async_read(impl_->stream, impl_->buffer, parser,
                    [&result](const error_code& ec, size_t) { result = ec; });
  impl_->Run();
  if (result) return ToStatus(result, "read response");

  return FromMessage(parser.get());
}

absl::StatusOr<HttpResponse> HttpClient::ReadHead() {
  impl_->streamed.emplace();
  impl_->streamed->header_limit(1u << 20);
  impl_->streamed->body_limit(kMaxResponseBody);
  impl_->stream.expires_after(options_.timeout);
  error_code result;
  bhttp::async_read_header(impl_->stream, impl_->buffer, *impl_->streamed,
                           [&result](const error_code& ec, size_t) { result = ec; });
  impl_->Run();
  if (result) return ToStatus(result, "read head");
  return FromMessage(impl_->streamed->get());
}

absl::StatusOr<std::string> HttpClient::ReadBodyUntil(absl::string_view needle) {
  if (!impl_->streamed) return absl::FailedPreconditionError("ReadHead first");
  auto& parser = *impl_->streamed;
  while (!absl::StrContains(parser.get().body(), needle)) {
    if (parser.is_done()) {
      return absl::NotFoundError(
          absl::StrCat("the body ended without \"", needle, "\": ", parser.get().body()));
    }
    impl_->stream.expires_after(options_.timeout);
    error_code result;
    bhttp::async_read_some(impl_->stream, impl_->buffer, parser,
                           [&result](const error_code& ec, size_t) { result = ec; });
    impl_->Run();
    if (result) return ToStatus(result, "read body");
  }
  return parser.get().body();
}

absl::StatusOr<HttpResponse> HttpClient::ReadRest() {
  if (!impl_->streamed) return absl::FailedPreconditionError("ReadHead first");
  auto& parser = *impl_->streamed;
  if (!parser.is_done()) {
    impl_->stream.expires_after(options_.timeout);
    error_code result;
    bhttp::async_read(impl_->stream, impl_->buffer, parser,
                      [&result](const error_code& ec, size_t) { result = ec; });
    impl_->Run();
    if (result) return ToStatus(result, "read the rest");
  }
  HttpResponse response = FromMessage(parser.get());
  impl_->streamed.reset();
  return response;
}

absl::StatusOr<HttpResponse> HttpClient::RoundTrip(const HttpRequest& request) {
  if (absl::Status sent = Send(request); !sent.ok()) return sent;
  return ReadResponse(request.method == "HEAD");
}

absl::Status HttpClient::WaitForClose() {
  if (impl_->buffer.size() > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("unread bytes before close: ", impl_->buffer.size()));
  }
  impl_->stream.expires_after(options_.timeout);
  error_code result;
  size_t received = 0;
  impl_->stream.async_read_some(impl_->buffer.prepare(4096), [&](const error_code& ec, size_t n) {
    result = ec;
    received = n;
  });
  impl_->Run();
  if (received > 0) {
    impl_->buffer.commit(received);
    return absl::FailedPreconditionError(
        absl::StrCat("expected the server to close, got ", received, " bytes"));
  }
  if (IsClosedByPeer(result)) return absl::OkStatus();
  if (result) return ToStatus(result, "wait for close");
  return absl::InternalError("wait for close: empty read");
}

absl::Status HttpClient::ShutdownWrite() {
  error_code ec;
  impl_->stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  return ToStatus(ec, "shutdown write");
}

}  // namespace protogate::test
