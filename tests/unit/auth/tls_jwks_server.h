#pragma once

// A loopback HTTPS server that serves one body at any path, with a
// certificate made at test time: self-signed, for IP address 127.0.0.1 only.
// `ca_file()` is that certificate as PEM, for clients to trust.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "support/temp_dir.h"
#include "test_keys.h"

namespace protogate::auth::testing {

class TlsJwksServer {
 public:
  explicit TlsJwksServer(std::string body)
      : body_(std::move(body)),
        ssl_(boost::asio::ssl::context::tls_server),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    MakeCertificate();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsJwksServer() {
    io_.stop();
    thread_.join();
  }

  int port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& host = "127.0.0.1") const {
    return absl::StrCat("https://", host, ":", port(), "/jwks.json");
  }
  const std::string& ca_file() const { return ca_file_; }

 private:
  struct Connection {
    Connection(boost::asio::io_context& io, boost::asio::ssl::context& ssl) : stream(io, ssl) {}
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream;
    boost::asio::streambuf in;
    std::string out;
  };

  void MakeCertificate() {
    key_ = NewEcKey("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key_.get());
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("protogate test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                     std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key_.get(), EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    const std::string pem(data, static_cast<size_t>(size));
    BIO_free(bio);
    ca_file_ =
        (test::ProcessTempDir("tls_jwks_server") / absl::StrCat("ca-", port(), ".pem")).string();
    std::ofstream(ca_file_) << pem;
    SSL_CTX_use_certificate(ssl_.native_handle(), cert);
    SSL_CTX_use_PrivateKey(ssl_.native_handle(), key_.get());
    X509_free(cert);
  }

  void Accept() {
    auto connection = std::make_shared<Connection>(io_, ssl_);
    acceptor_.async_accept(connection->stream.lowest_layer(),
                           [this, connection](boost::system::error_code ec) {
                             if (ec) return;
                             Serve(connection);
                             Accept();
                           });
  }

  void Serve(std::shared_ptr<Connection> connection) {
    connection->stream.async_handshake(
        boost::asio::ssl::stream_base::server, [this, connection](boost::system::error_code ec) {
          if (ec) return;  // the client refused our certificate
          boost::asio::async_read_until(
              connection->stream, connection->in, "\r\n\r\n",
              [this, connection](boost::system::error_code ec, size_t) {
                if (ec) return;
                connection->out = absl::StrCat(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
                    "Content-Length: ", body_.size(), "\r\nConnection: close\r\n\r\n", body_);
                boost::asio::async_write(connection->stream, boost::asio::buffer(connection->out),
                                         [connection](boost::system::error_code, size_t) {});
              });
        });
  }

  std::string body_;
  PkeyPtr key_;
  std::string ca_file_;
  boost::asio::io_context io_;
  boost::asio::ssl::context ssl_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace protogate::auth::testing
