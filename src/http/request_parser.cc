#include "http/request_parser.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/header_names.h"

namespace protogate::http {
namespace {

namespace bhttp = boost::beast::http;

absl::string_view ToAbsl(boost::beast::string_view s) { return {s.data(), s.size()}; }

// The origin-form ("/p?q") of an absolute-form target ("http://h:1/p?q"),
// which a server must accept (RFC 9112, 3.2.2); other targets as they are.
absl::string_view OriginForm(absl::string_view target) {
  for (absl::string_view scheme : {"http://", "https://"}) {
    if (!absl::StartsWithIgnoreCase(target, scheme)) continue;
    const absl::string_view rest = target.substr(scheme.size());
    const size_t path = rest.find_first_of("/?");
    if (path == absl::string_view::npos) return "/";
    return rest.substr(path);
  }
  return target;
}

}  // namespace

RequestParser::RequestParser(std::uint32_t header_limit, std::uint64_t body_limit,
                             std::uint64_t stream_body_limit, StreamsBody streams_body)
    : whole_body_limit_(body_limit),
      stream_body_limit_(stream_body_limit),
      streams_body_(std::move(streams_body)) {
  this->header_limit(header_limit);
  // Beast holds a Content-Length against its limit before the head is
  // known to stream: it gets the larger one, the whole body's is ours.
  this->body_limit(streams_body_ ? std::max(body_limit, stream_body_limit) : body_limit);
}

Request RequestParser::Release() {
  Request out = std::move(request_);
  request_.body.clear();  // a streamed body's pieces gather here
  return out;
}

std::string RequestParser::TakeBody() {
  std::string out = std::move(request_.body);
  request_.body.clear();
  return out;
}

bool RequestParser::AppendBody(string_view bytes, error_code& ec) {
  body_bytes_ += bytes.size();
  if (body_bytes_ > (streams_body_result_ ? stream_body_limit_ : whole_body_limit_)) {
    ec = bhttp::error::body_limit;
    return false;
  }
  request_.body.append(bytes.data(), bytes.size());
  return true;
}

void RequestParser::on_request_impl(bhttp::verb method, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_.method.assign(method_str.data(), method_str.size());
  const absl::string_view origin_form = OriginForm(ToAbsl(target));
  if (origin_form.empty() || origin_form.front() == '?') {
    request_.target = absl::StrCat("/", origin_form);
  } else {
    request_.target.assign(origin_form.data(), origin_form.size());
  }
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
  if (name == bhttp::field::host && ++host_fields_ > 1) {
    problem_ = "more than one Host header";
    ec = bhttp::error::bad_field;
    return;
  }
  request_.headers.emplace_back(common::LowercaseHeaderName(ToAbsl(name_string)),
                                std::string(value.data(), value.size()));
  if (name == bhttp::field::expect) {
    expects_continue_ = absl::EqualsIgnoreCase(ToAbsl(value), "100-continue");
  }
}

void RequestParser::on_header_impl(error_code& ec) {
  // RFC 9112, 3.2: an HTTP/1.1 request without Host is refused with 400.
  if (version_ >= 11 && host_fields_ == 0) {
    problem_ = "missing Host header";
    ec = bhttp::error::bad_field;
    return;
  }
  const bool has_body = this->chunked() || this->content_length().value_or(0) > 0;
  if (!has_body || !streams_body_) return;
  streams_body_result_ = streams_body_(request_);
  const std::uint64_t limit = streams_body_result_ ? stream_body_limit_ : whole_body_limit_;
  if (this->content_length().value_or(0) > limit) ec = bhttp::error::body_limit;
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // basic_parser has already held the length against body_limit.
  if (content_length && !streams_body_result_) {
    request_.body.reserve(static_cast<size_t>(*content_length));
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& ec) {
  return AppendBody(body, ec) ? body.size() : 0;
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  return AppendBody(body, ec) ? body.size() : 0;
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace protogate::http
