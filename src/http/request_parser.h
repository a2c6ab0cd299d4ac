#pragma once

// Internal to the http folder. Parses one HTTP/1.x request directly into a
// protogate::http::Request: header names are lowercased and kept in wire
// order (Beast's own fields container regroups repeated names), and nothing
// is copied twice. Validation and limits are Beast's (basic_parser): it
// reports header_limit, body_limit and malformed input as http::error codes.
//
// One parser per request; not thread-safe (one session's loop thread).

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "http/message.h"

namespace protogate::http {

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  // Asked once the head of a request with a body is in (Handler::StreamsBody).
  using StreamsBody = std::function<bool(const Request& head)>;

  RequestParser(std::uint32_t header_limit, std::uint64_t body_limit,
                std::uint64_t stream_body_limit = 0, StreamsBody streams_body = nullptr);

  // Valid once is_header_done().
  unsigned version() const { return version_; }
  bool is_head() const { return is_head_; }
  bool expects_continue() const { return expects_continue_; }
  // What was wrong when the parser refused a request for a reason of its own
  // (Beast's error code then only says "bad field"); empty otherwise.
  const std::string& problem() const { return problem_; }

  // The request as parsed so far: method and target once the request line
  // is in (for reporting an answer given before the request was whole).
  const Request& partial() const { return request_; }

  // The parsed request (remote_address unset); call once, after is_done(),
  // or once the head is in when the body streams.
  Request Release();

  // The body goes to the handler as it arrives (valid once the head is in).
  bool streams_body() const { return streams_body_result_; }
  // The body bytes parsed since the last call, when the body streams.
  std::string TakeBody();

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  bool AppendBody(string_view bytes, error_code& ec);

  Request request_;
  const std::uint64_t whole_body_limit_;
  const std::uint64_t stream_body_limit_;
  std::uint64_t body_bytes_ = 0;  // parsed so far
  StreamsBody streams_body_;
  bool streams_body_result_ = false;
  unsigned version_ = 11;
  bool is_head_ = false;
  bool expects_continue_ = false;
  int host_fields_ = 0;
  std::string problem_;
};

}  // namespace protogate::http
