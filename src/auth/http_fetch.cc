#include "auth/http_fetch.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

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
// context bounds all of them. `Stream` is a tcp_stream (http://) or an
// ssl_stream over one (https://).
template <typename Stream>
class GetOperation {
 public:
  GetOperation(Stream& stream, tcp::resolver& resolver, const HttpUrl& url, size_t max_body_bytes)
      : stream_(stream), resolver_(resolver), url_(url), max_body_bytes_(max_body_bytes) {
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
      beast::get_lowest_layer(stream_).async_connect(
          results, [this](beast::error_code ec, const tcp::endpoint&) {
            if (ec) return Fail("connect", ec);
            Handshake();
          });
    });
  }

  std::optional<absl::StatusOr<std::string>> result() const { return result_; }

 private:
  void Handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Write();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::client, [this](beast::error_code ec) {
        if (ec) return Fail("TLS handshake", ec);
        Write();
      });
    }
  }

  void Write() {
    http::async_write(stream_, request_, [this](beast::error_code ec, size_t) {
      if (ec) return Fail("write", ec);
      http::async_read(stream_, buffer_, parser_, [this](beast::error_code ec, size_t) {
        if (ec) return Fail("read", ec);
        Done();
      });
    });
  }

  void Fail(absl::string_view step, const beast::error_code& ec) {
    std::string why = ec.message();
    // OpenSSL's reason ("certificate verify failed") says less than the
    // verifier's ("self-signed certificate", "Hostname mismatch").
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      const long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK) {
        absl::StrAppend(&why, " (", X509_verify_cert_error_string(verify), ")");
      }
    }
    result_ = absl::UnavailableError(absl::StrCat(step, ": ", why));
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

  Stream& stream_;
  tcp::resolver& resolver_;
  const HttpUrl& url_;
  size_t max_body_bytes_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  std::optional<absl::StatusOr<std::string>> result_;
};

template <typename Stream>
std::optional<absl::StatusOr<std::string>> Run(asio::io_context& io, Stream& stream,
                                               const HttpUrl& url, const HttpGetOptions& options) {
  tcp::resolver resolver(io);
  GetOperation<Stream> get(stream, resolver, url, options.max_body_bytes);
  get.Start();
  io.run_for(absl::ToChronoMilliseconds(options.timeout));
  return get.result();
}

// A client context that verifies the peer's chain and its name.
absl::StatusOr<std::optional<absl::StatusOr<std::string>>> RunTls(asio::io_context& io,
                                                                  const HttpUrl& url,
                                                                  const HttpGetOptions& options) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  beast::error_code ec;
  if (options.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot load trusted certificates from ",
        options.ca_file.empty() ? "the system store" : options.ca_file, ": ", ec.message()));
  }
  context.set_verify_mode(asio::ssl::verify_peer);
  context.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  // SNI, so that a server hosting several names picks the right certificate.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return absl::UnavailableError("cannot set the TLS server name");
  }
  return Run(io, stream, url, options);
}

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  absl::string_view rest = url;
  HttpUrl out;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.tls = true;
    out.port = "443";
  } else if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat("not an http:// or https:// URL: ", url));
  }
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

absl::StatusOr<std::string> HttpGet(const std::string& url, const HttpGetOptions& options) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  asio::io_context io;
  std::optional<absl::StatusOr<std::string>> result;
  if (parsed->tls) {
    auto ran = RunTls(io, *parsed, options);
    if (!ran.ok())
      return absl::UnavailableError(absl::StrCat("GET ", url, ": ", ran.status().message()));
    result = *std::move(ran);
  } else {
    beast::tcp_stream stream(io);
    result = Run(io, stream, *parsed, options);
  }
  if (!result) return absl::UnavailableError(absl::StrCat("GET ", url, ": timed out"));
  if (!result->ok()) {
    return absl::UnavailableError(absl::StrCat("GET ", url, ": ", result->status().message()));
  }
  return *std::move(*result);
}

}  // namespace protogate::auth
