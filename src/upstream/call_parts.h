#pragma once

// What unary and streaming calls share: request metadata in, the server's
// metadata out, messages to and from gRPC's byte buffers.

#include <map>
#include <string>

#include "grpcpp/client_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/string_ref.h"
#include "upstream/unary_caller.h"

namespace protogate::upstream {

// Adds `metadata` to the call, dropping keys gRPC owns (grpc-*, :*,
// content-type, te, user-agent, host), invalid keys, and non-ASCII values of
// keys without the -bin suffix.
void AddMetadata(grpc::ClientContext& context, const Metadata& metadata);

// The server's metadata without the keys gRPC owns.
Metadata CopyMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& from);

// One message's bytes, in one piece.
std::string Flatten(const grpc::ByteBuffer& buffer);

// A serialized message as a byte buffer: copied when small, handed over
// without a copy when large.
grpc::ByteBuffer ToByteBuffer(std::string message);

}  // namespace protogate::upstream
