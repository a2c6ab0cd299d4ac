#include "http/request_parser.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/header_names.h"

namespace protogate::http {
namespace {

namespace bhttp = boost::beast::http;

absl::string_view ToAbsl(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

RequestParser::RequestParser(std::uint32_t header_limit, std::uint64_t body_limit) {
  this->header_limit(header_limit);
  this->body_limit(body_limit);
}

void RequestParser::on_request_impl(bhttp::verb method, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  version_ = static_cast<unsigned>(version);
  is_head_ = method == bhttp::verb::head;
}

void RequestParser::on_response_impl(int, string_view, int, error_code&) {}

void RequestParser::on_field_impl(bhttp::field name, string_view name_string, string_view value,
                                  error_code& ec) {
  if (name == bhttp::field::transfer_encoding &&
      !absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(ToAbsl(value)), "chunked")) {
    // Beast frames such a body as empty ("gzip") or as it sees fit
    // ("chunked, chunked"); a peer may frame it differently, which is how
    // requests get smuggled. Only plain "chunked" is a body we can deliver.
    ec = bhttp::error::bad_transfer_encoding;
    return;
  }
  request_.headers.emplace_back(common::LowercaseHeaderName(ToAbsl(name_string)),
                                std::string(value.data(), value.size()));
  if (name == bhttp::field::expect) {
    expects_continue_ = absl::EqualsIgnoreCase(ToAbsl(value), "100-continue");
  }
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // basic_parser has already held the length against body_limit.
  if (content_length) request_.body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace protogate::http
