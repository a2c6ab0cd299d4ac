#pragma once

// What crosses the gateway between HTTP headers and gRPC metadata.
//
// Request: headers on the configured allow-list go to the upstream under
// their own (lowercase) name; any "Grpc-Metadata-<name>" header goes as
// <name>. Hop-by-hop and framing headers (connection, keep-alive, te,
// transfer-encoding, upgrade, proxy-*, trailer, host, content-length) are
// never forwarded, whatever the configuration says.
// Response: upstream initial and trailing metadata come back as
// "Grpc-Metadata-<name>" headers ("-bin" values base64-encoded).
//
// Pure functions; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "http/message.h"
#include "upstream/unary_call.h"

namespace protogate::gateway {

upstream::Metadata ForwardedMetadata(const http::HeaderList& headers,
                                     const std::vector<std::string>& allow_list);

void AppendResponseMetadata(const upstream::Metadata& metadata, http::HeaderList& headers);

// Parses a gRPC "grpc-timeout" value ("100m", "5S", "2H": 1-8 digits and a
// unit of H, M, S, m, u, n). nullopt when malformed.
std::optional<absl::Duration> ParseGrpcTimeout(absl::string_view value);

// A fresh request id: 32 lowercase hex characters.
std::string NewRequestId();

}  // namespace protogate::gateway
