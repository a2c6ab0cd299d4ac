#pragma once

// What crosses the gateway between HTTP headers and gRPC metadata.
//
// Request: headers on the configured allow-list go to the upstream under
// their own (lowercase) name; any "Grpc-Metadata-<name>" header goes as
// <name>. Hop-by-hop and framing headers (connection, keep-alive, te,
// transfer-encoding, upgrade, proxy-*, trailer, host, content-length) and
// gRPC's own grpc-* keys are never forwarded, whatever the configuration
// says; nor is x-request-id (the gateway sends its own, see IsSafeRequestId). Header values are
// bytes from the client: a value that is to become metadata under a non-"-bin" key must be
// printable ASCII (what gRPC allows), and a Grpc-Metadata-<name> must be a valid metadata key;
// otherwise the request is refused (InvalidArgument naming the header), never passed on mangled or
// dropped in silence. "-bin" values pass as bytes. Response: upstream initial and trailing metadata
// come back as "Grpc-Metadata-<name>" headers ("-bin" values base64-encoded).
//
// Pure functions; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "http/message.h"
#include "upstream/unary_call.h"

namespace protogate::gateway {

absl::StatusOr<upstream::Metadata> ForwardedMetadata(const http::HeaderList& headers,
                                                     const std::vector<std::string>& allow_list);

// Whether `id` may be used as a request id as the client sent it: 1 to 128
// characters of letters, digits and - _ . : + / = @ (anything else could
// forge log fields or break the metadata and tokens it travels in).
bool IsSafeRequestId(absl::string_view id);

void AppendResponseMetadata(const upstream::Metadata& metadata, http::HeaderList& headers);

// Parses a gRPC "grpc-timeout" value ("100m", "5S", "2H": 1-8 digits and a
// unit of H, M, S, m, u, n). nullopt when malformed.
std::optional<absl::Duration> ParseGrpcTimeout(absl::string_view value);

// A fresh request id: 32 lowercase hex characters.
std::string NewRequestId();

}  // namespace protogate::gateway
