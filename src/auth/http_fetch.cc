#include "auth/http_fetch.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace protogate::auth {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// One GET as a chain of asynchronous steps, so that a single deadline on the
// context bounds all of them.
class GetOperation {
 public:
  GetOperation(asio::io_context& io, HttpUrl url, size_t max_body_bytes)
      : resolver_(io), stream_(io), url_(std::move(url)), max_body_bytes_(max_body_bytes) {
    parser_.body_limit(max_body_bytes);
    request_.version(11);
    request_.method(http::verb::get);
    request_.target(url_.target);
    request_.set(http::field::host, url_.host);
    request_.set(http::field::accept, "application/json");
    request_.set(http::field::user_agent, "protogate");
  }

  void Start() {
    resolver_.async_resolve(url_.host, url_.port, [this](beast::error_code ec, auto results) {
      if (ec) return Fail("resolve", ec);
      stream_.async_connect(results, [this](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return Fail("connect", ec);
        http::async_write(stream_, request_, [this](beast::error_code ec, size_t) {
          if (ec) return Fail("write", ec);
          http::async_read(stream_, buffer_, parser_, [this](beast::error_code ec, size_t) {
            if (ec) return Fail("read", ec);
            Done();
          });
        });
      });
    });
  }

  std::optional<absl::StatusOr<std::string>> result() const { return result_; }

 private:
  void Fail(absl::string_view step, const beast::error_code& ec) {
    result_ = absl::UnavailableError(absl::StrCat(step, ": ", ec.message()));
  }
  void Done() {
    const auto& response = parser_.get();
    if (response.result_int() != 200) {
      result_ = absl::UnavailableError(absl::StrCat("HTTP status ", response.result_int()));
      return;
    }
    if (response.body().size() > max_body_bytes_) {
      result_ = absl::UnavailableError("response body too large");
      return;
    }
    result_ = response.body();
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  HttpUrl url_;
  size_t max_body_bytes_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  std::optional<absl::StatusOr<std::string>> result_;
};

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat("not an http:// URL: ", url));
  }
  HttpUrl out;
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  if (slash != absl::string_view::npos) out.target = std::string(rest.substr(slash));
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("unclosed [ in URL");
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (absl::ConsumePrefix(&authority, ":")) out.port = std::string(authority);
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty() || out.port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no host or port in URL: ", url));
  }
  return out;
}

absl::StatusOr<std::string> HttpGet(const std::string& url, absl::Duration timeout,
                                    size_t max_body_bytes) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  asio::io_context io;
  GetOperation get(io, *std::move(parsed), max_body_bytes);
  get.Start();
  io.run_for(absl::ToChronoMilliseconds(timeout));
  if (!get.result()) return absl::UnavailableError(absl::StrCat("GET ", url, ": timed out"));
  if (!get.result()->ok()) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": ", get.result()->status().message()));
  }
  return *get.result();
}

}  // namespace protogate::auth
