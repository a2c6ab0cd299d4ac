#include "support/websocket_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace protogate::test {
namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;
using boost::system::error_code;

}  // namespace

// Every call starts one asynchronous operation and runs the private
// io_context until it completes or the timeout passes (then the socket is
// closed, which ends the operation).
struct WebSocketClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}

  template <typename Start>
  error_code Run(Start start) {
    error_code result = boost::asio::error::would_block;
    start([&result](const error_code& ec, size_t = 0) { result = ec; });
    ioc.restart();
    ioc.run_for(timeout);
    if (result == boost::asio::error::would_block) {
      error_code ignored;
      beast::get_lowest_layer(ws).close(ignored);
      ioc.restart();
      ioc.run();
      return boost::asio::error::timed_out;
    }
    return result;
  }

  std::chrono::milliseconds timeout;
  boost::asio::io_context ioc{1};
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
};

WebSocketClient::WebSocketClient(Options options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_.timeout)) {}

WebSocketClient::~WebSocketClient() = default;

absl::StatusOr<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(int port,
                                                                          std::string target) {
  return Connect(port, std::move(target), Options());
}

absl::StatusOr<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(int port,
                                                                          std::string target,
                                                                          Options options) {
  std::unique_ptr<WebSocketClient> client(new WebSocketClient(std::move(options)));
  Impl& impl = *client->impl_;
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(port));
  error_code ec =
      impl.Run([&](auto done) { beast::get_lowest_layer(impl.ws).async_connect(endpoint, done); });
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  const TestHeaders headers = client->options_.headers;
  const std::string protocols = absl::StrJoin(client->options_.subprotocols, ", ");
  impl.ws.set_option(
      websocket::stream_base::decorator([headers, protocols](websocket::request_type& request) {
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!protocols.empty()) request.set(beast::http::field::sec_websocket_protocol, protocols);
      }));
  websocket::response_type response;
  ec = impl.Run([&](auto done) {
    impl.ws.async_handshake(response, "127.0.0.1", target,
                            [done](const error_code& e) mutable { done(e); });
  });
  client->handshake_.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    client->handshake_.headers.emplace_back(std::string(field.name_string()),
                                            std::string(field.value()));
  }
  client->handshake_.body = response.body();
  if (ec && client->handshake_.status == 0) {
    return absl::UnavailableError(absl::StrCat("handshake: ", ec.message()));
  }
  return client;
}

absl::Status WebSocketClient::Send(absl::string_view text) {
  impl_->ws.text(true);
  const error_code ec = impl_->Run([&](auto done) {
    impl_->ws.async_write(boost::asio::buffer(text.data(), text.size()), done);
  });
  if (ec) return absl::UnavailableError(absl::StrCat("send: ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<WebSocketMessage> WebSocketClient::Read() {
  impl_->buffer.clear();
  const error_code ec = impl_->Run([&](auto done) { impl_->ws.async_read(impl_->buffer, done); });
  WebSocketMessage message;
  if (ec == websocket::error::closed) {
    message.closed = true;
    message.close_code = static_cast<int>(impl_->ws.reason().code);
    message.reason = std::string(impl_->ws.reason().reason.c_str());
    return message;
  }
  if (ec) return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  message.text = beast::buffers_to_string(impl_->buffer.data());
  return message;
}

absl::StatusOr<int> WebSocketClient::Close(int code) {
  const error_code ec = impl_->Run([&](auto done) {
    impl_->ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(code)),
                          [done](const error_code& e) mutable { done(e); });
  });
  if (ec && ec != websocket::error::closed) {
    return absl::UnavailableError(absl::StrCat("close: ", ec.message()));
  }
  return static_cast<int>(impl_->ws.reason().code);
}

}  // namespace protogate::test
