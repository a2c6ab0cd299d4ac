// protogate-ws: talks to a bidirectional-streaming route over WebSocket.
// Each line of standard input is sent as one text message; each message that
// comes back is printed on a line of its own, as it comes. At the end of the
// input the client sends its close (the end of its messages) and waits for the
// gateway's; the close code goes to standard error, and the exit code is 0
// for a close of 1000, 1 for any other, 2 for a connection that failed.
//
// Usage: protogate-ws [-H 'Name: value']... [-p subprotocol]... ws://host:port/path
// Example:
//   printf '%s\n' '{"text":"where is my order?"}' |
//     protogate-ws -H 'Authorization: Bearer demo-token-alice'
//     ws://127.0.0.1:8080/v1/orders/o-1:chat

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;
using boost::system::error_code;

struct Target {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};

bool ParseUrl(const std::string& url, Target* target) {
  const std::string scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) return false;
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) target->path = rest.substr(slash);
  const size_t colon = authority.rfind(':');
  target->host = authority.substr(0, colon);
  if (colon != std::string::npos) target->port = authority.substr(colon + 1);
  return !target->host.empty();
}

// All WebSocket operations run on one io_context thread; the input thread
// only posts lines to it.
class Session {
 public:
  Session(boost::asio::io_context& ioc, websocket::stream<tcp::socket>& ws) : ioc_(ioc), ws_(ws) {}

  void Start() { Read(); }

  // From the input thread: one message, or the end of the input.
  void Post(std::string line) {
    boost::asio::post(ioc_, [this, line = std::move(line)]() mutable {
      queue_.push_back(std::move(line));
      Pump();
    });
  }
  void PostEnd() {
    boost::asio::post(ioc_, [this] {
      input_done_ = true;
      Pump();
    });
  }

  int close_code() const { return close_code_; }

 private:
  void Read() {
    ws_.async_read(buffer_, [this](const error_code& ec, size_t) {
      if (ec == websocket::error::closed) {
        close_code_ = ws_.reason().code;
        return;
      }
      if (ec) {
        if (close_code_ == 0) close_code_ = -1;
        std::fprintf(stderr, "protogate-ws: %s\n", ec.message().c_str());
        return;
      }
      std::cout << beast::buffers_to_string(buffer_.data()) << std::endl;
      buffer_.clear();
      Read();
    });
  }

  void Pump() {
    if (writing_ || closing_) return;
    if (!queue_.empty()) {
      writing_ = true;
      out_ = std::move(queue_.front());
      queue_.pop_front();
      ws_.text(true);
      ws_.async_write(boost::asio::buffer(out_), [this](const error_code& ec, size_t) {
        writing_ = false;
        if (ec) return;  // the read side reports why
        Pump();
      });
      return;
    }
    if (input_done_) {
      closing_ = true;
      ws_.async_close(websocket::close_code::normal, [this](const error_code& ec) {
        if (!ec && close_code_ == 0) close_code_ = ws_.reason().code;
      });
    }
  }

  boost::asio::io_context& ioc_;
  websocket::stream<tcp::socket>& ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::string out_;
  bool writing_ = false;
  bool closing_ = false;
  bool input_done_ = false;
  int close_code_ = 0;
};

int Usage() {
  std::fprintf(stderr,
               "usage: protogate-ws [-H 'Name: value']... [-p subprotocol]... ws://host:port/path\n"
               "  sends each line of standard input as a text message, prints each message\n"
               "  received; closes at the end of the input\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> protocols;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "-H" || arg == "-p") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "-p") {
        protocols.push_back(value);
        continue;
      }
      const size_t colon = value.find(':');
      if (colon == std::string::npos) return Usage();
      const size_t start = value.find_first_not_of(' ', colon + 1);
      headers.emplace_back(value.substr(0, colon),
                           start == std::string::npos ? "" : value.substr(start));
    } else if (url.empty() && arg.rfind("-", 0) != 0) {
      url = arg;
    } else {
      return Usage();
    }
  }
  Target target;
  if (!ParseUrl(url, &target)) return Usage();

  boost::asio::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  error_code ec;
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(target.host, target.port, ec);
  if (!ec) boost::asio::connect(ws.next_layer(), endpoints, ec);
  if (ec) {
    std::fprintf(stderr, "protogate-ws: connect %s:%s: %s\n", target.host.c_str(),
                 target.port.c_str(), ec.message().c_str());
    return 2;
  }
  std::string offered;
  for (const std::string& protocol : protocols) offered += (offered.empty() ? "" : ", ") + protocol;
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!offered.empty()) request.set(beast::http::field::sec_websocket_protocol, offered);
  }));
  websocket::response_type response;
  ws.handshake(response, target.host + ":" + target.port, target.path, ec);
  if (ec) {
    std::fprintf(stderr, "protogate-ws: the gateway answered %u instead of a WebSocket: %s\n",
                 response.result_int(), response.body().c_str());
    return 2;
  }

  Session session(ioc, ws);
  session.Start();
  std::thread input([&session] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty()) session.Post(line);
    }
    session.PostEnd();
  });
  ioc.run();
  // The connection is over; the input thread may still wait for a line.
  input.detach();
  const int code = session.close_code();
  std::fprintf(stderr, "protogate-ws: closed with %d\n", code);
  std::fflush(stdout);
  std::_Exit(code == 1000 ? 0 : 1);
}
