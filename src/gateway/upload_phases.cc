// The transcode and call phases of a client-streaming route: the request
// body is a stream of JSON objects (NDJSON or one JSON array), each
// transcoded and written to the upstream as soon as it is whole. The next
// piece of the body is read only once every message before it is written
// (the call's flow control), so a slow service slows its client and memory
// per upload stays one piece and one message. The one answer is rendered by
// the respond phase like a unary call's.
//
// Path variables and query parameters apply to every message. A failure of
// ours (a malformed or oversized message, a body that fails or stalls)
// cancels the call and is the answer; so is the service ending the call
// early, with its status.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "gateway/error_response.h"
#include "gateway/partial_response.h"
#include "gateway/request_context.h"
#include "transcode/json_sequence.h"

namespace protogate::gateway {

struct UploadState {
  explicit UploadState(size_t max_message_bytes) : reader(max_message_bytes) {}

  transcode::JsonSequenceReader reader;
  std::shared_ptr<upstream::ClientStream> call;
  bool body_ended = false;
  std::optional<http::Response> refused{};  // ours: the answer once the call has ended
  std::optional<std::string> answer{};      // the service's one message
};

namespace {

// The body's pieces wait this long for the client when streams never idle.
constexpr absl::Duration kNoIdleLimit = absl::Hours(24);

void Pump(const ContextPtr& ctx);

// Ends the upload with an answer of ours: the call is cancelled, and its
// end (done) renders `refused`.
void Refuse(UploadState& upload, http::Response refused) {
  if (!upload.refused) upload.refused = std::move(refused);
  upload.call->Cancel();
}

http::Response StreamError(const absl::Status& status) {
  // An object over the limit is too large, like a whole body over its own.
  if (status.code() == absl::StatusCode::kOutOfRange) {
    return HttpErrorResponse(413, status.message());
  }
  return ErrorResponse(status);
}

void OnPiece(const ContextPtr& ctx, http::BodyPiece piece) {
  UploadState& upload = *ctx->upload;
  if (upload.refused) return;
  if (piece.error_status != 0)
    return Refuse(upload, HttpErrorResponse(piece.error_status, piece.error));
  upload.reader.Push(piece.bytes);
  upload.body_ended = piece.last;
  Pump(ctx);
}

void ReadPiece(const ContextPtr& ctx) {
  if (ctx->request.body_stream == nullptr) {  // the whole body came with the request
    OnPiece(ctx, {.bytes = std::move(ctx->request.body), .last = true});
    return;
  }
  const std::chrono::milliseconds idle = ctx->snapshot->config.streaming.idle_timeout;
  ctx->request.body_stream->Read(
      idle.count() > 0 ? absl::FromChrono(idle) : kNoIdleLimit, [ctx](http::BodyPiece piece) {
        RunOnLoop(ctx, "call",
                  [ctx, piece = std::move(piece)]() mutable { OnPiece(ctx, std::move(piece)); });
      });
}

// The next message out, or the next piece in, or the end of the writes.
void Pump(const ContextPtr& ctx) {
  UploadState& upload = *ctx->upload;
  if (upload.refused) return;
  auto object = upload.reader.Next();
  if (!object.ok()) return Refuse(upload, StreamError(object.status()));
  if (!object->has_value()) {
    if (!upload.body_ended) return ReadPiece(ctx);
    if (absl::Status end = upload.reader.Finish(); !end.ok()) {
      return Refuse(upload, StreamError(end));
    }
    return upload.call->WritesDone();
  }
  auto bytes = TranscodeMessage(*ctx, **object);
  if (!bytes.ok()) {
    return Refuse(
        upload,
        ErrorResponse(absl::InvalidArgumentError(absl::StrCat(
            "request stream: message ", upload.reader.count(), ": ", bytes.status().message()))));
  }
  upload.call->Write(*std::move(bytes), [ctx](bool written) {
    // Not written: the call has ended, and its end says how.
    if (written) RunOnLoop(ctx, "call", [ctx] { Pump(ctx); });
  });
}

// The end of the call, on the loop: ours, the service's error, or its answer
// for the respond phase.
Next EndUpload(const ContextPtr& ctx, upstream::UnaryCallResult end) {
  UploadState& upload = *ctx->upload;
  ctx->upstream_code = end.code;
  if (upload.refused) {
    ctx->upstream_code = 0;  // the upstream did nothing wrong
    return Answer(*ctx, *std::move(upload.refused));
  }
  if (end.code != 0) return Answer(*ctx, UpstreamErrorResponse(*ctx, end));
  if (!upload.answer) {
    return Answer(
        *ctx, ErrorResponse(absl::InternalError("the service ended the stream without an answer")));
  }
  end.response = *std::move(upload.answer);
  ctx->result = std::move(end);
  return Next::kContinue;
}

}  // namespace

// The query (and the client's `fields`) once, for every message.
Next TranscodeStreamedRequest(const ContextPtr& ctx) {
  auto query = transcode::ParseQueryString(ctx->request.Query());
  if (!query.ok()) return Answer(*ctx, ErrorResponse(query.status()));
  if (absl::Status fields = TakeFieldSelection(*ctx, *query); !fields.ok()) {
    return Answer(*ctx, ErrorResponse(fields));
  }
  ctx->message_parts =
      MessageParts{.bindings = std::move(ctx->match->bindings), .query = *std::move(query)};
  return Next::kContinue;
}

absl::StatusOr<std::string> TranscodeMessage(const RequestContext& ctx, absl::string_view json) {
  const MessageParts& parts = *ctx.message_parts;
  ASSIGN_OR_RETURN(std::string bytes,
                   ctx.route->request->Transcode(
                       {.body = json, .bindings = parts.bindings, .query = parts.query}));
  PushDownReadMask(ctx, &bytes);
  PushDownRequestView(ctx, &bytes);
  return bytes;
}

Next CallUpload(const ContextPtr& ctx) {
  ctx->upload = std::make_shared<UploadState>(ctx->snapshot->config.limits.max_body_bytes);
  auto call = UpstreamCallOf(*ctx);
  if (!call.ok()) return Answer(*ctx, ErrorResponse(call.status()));
  upstream::StreamHandlers handlers{
      .message =
          [ctx](std::string bytes) {
            RunOnLoop(ctx, "call", [ctx, bytes = std::move(bytes)]() mutable {
              ctx->upload->answer = std::move(bytes);
            });
          },
      .done =
          [ctx, start = absl::Now()](upstream::UnaryCallResult end) {
            const absl::Duration took = absl::Now() - start;
            Resume(ctx, "call", [ctx, took, end = std::move(end)]() mutable {
              ctx->route->metrics->upstream->Record(end.code, took);
              return EndUpload(ctx, std::move(end));
            });
          },
  };
  UploadState& upload = *ctx->upload;
  upload.call = ctx->streams->OpenClient(ctx->route->stub, *std::move(call), std::move(handlers));
  // Weak: the writer keeps its callbacks, and the state holds the call.
  ctx->respond->OnCancel([weak = std::weak_ptr<UploadState>(ctx->upload)] {
    if (auto upload = weak.lock()) upload->call->Cancel();
  });
  ctx->respond->OnShutdown([weak = std::weak_ptr<UploadState>(ctx->upload)] {
    if (auto upload = weak.lock()) Refuse(*upload, ErrorResponse(CutByShutdown()));
  });
  if (!ctx->resumed_inline) Pump(ctx);  // unless the call could not even start
  return Suspend(*ctx);
}

}  // namespace protogate::gateway
