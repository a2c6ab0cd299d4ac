#pragma once

// A loopback HTTP server that serves one JWKS document (changeable) at any
// path and counts the requests, for tests of JWKS fetching.

#include <atomic>
#include <boost/asio.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"

namespace protogate::auth::testing {

class JwksServer {
 public:
  JwksServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~JwksServer() {
    io_.stop();
    thread_.join();
  }

  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", acceptor_.local_endpoint().port(), "/jwks.json");
  }
  void set_body(std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    body_ = std::move(body);
  }
  void set_status(int status) { status_ = status; }
  int requests() const { return requests_.load(); }

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    boost::asio::streambuf in;
    std::string out;
  };

  void Accept() {
    auto connection = std::make_shared<Connection>(io_);
    acceptor_.async_accept(connection->socket, [this, connection](boost::system::error_code ec) {
      if (ec) return;
      Serve(connection);
      Accept();
    });
  }

  void Serve(std::shared_ptr<Connection> connection) {
    boost::asio::async_read_until(
        connection->socket, connection->in, "\r\n\r\n",
        [this, connection](boost::system::error_code ec, size_t) {
          if (ec) return;
          ++requests_;
          std::string body;
          {
            std::lock_guard<std::mutex> lock(mu_);
            body = body_;
          }
          connection->out =
              absl::StrCat("HTTP/1.1 ", status_.load(), " X\r\nContent-Length: ", body.size(),
                           "\r\nConnection: close\r\n\r\n", body);
          boost::asio::async_write(connection->socket, boost::asio::buffer(connection->out),
                                   [connection](boost::system::error_code, size_t) {
                                     boost::system::error_code ignored;
                                     connection->socket.shutdown(
                                         boost::asio::ip::tcp::socket::shutdown_both, ignored);
                                   });
        });
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::string body_;
  std::atomic<int> status_{200};
  std::atomic<int> requests_{0};
};

}  // namespace protogate::auth::testing
