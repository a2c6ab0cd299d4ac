// The call phase of a server-streaming route: one upstream call whose
// messages are written to the client one by one, each as it comes, framed as
// the client's Accept chooses (NDJSON, server-sent events or one JSON
// array). The next message is read from the upstream only once the previous
// one is written (backpressure); the client going away cancels the call.
//
// A failure before the first message is an ordinary answer (status and the
// error model); after it, the status has been sent and the error travels in
// the stream itself, and in the trailers when the client accepts them.
//
// A stream of google.api.HttpBody messages is one raw body instead: the
// first message's content type, each message's data as the next piece. Raw
// bytes have no room for an error: after the first message, a failure is in
// the trailers for a client that accepts them, and otherwise the body is cut
// short (no last chunk), which every HTTP client reports.

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/error_response.h"
#include "gateway/metadata.h"
#include "gateway/request_context.h"
#include "transcode/http_body.h"

namespace protogate::gateway {

using config::StreamFormat;

struct StreamState {
  StreamFormat format = StreamFormat::kNdjson;
  bool raw = false;  // google.api.HttpBody messages: one raw body
  http::Responder respond;
  upstream::Metadata initial_metadata;  // the service's, for the head
  std::shared_ptr<upstream::ServerStream> call;
  int64_t messages = 0;  // written to the client so far
  bool head_written = false;
  std::optional<absl::Status> failure{};  // ours: a message that would not print, an idle stream
  // Idle is the service's silence while the gateway waits for a message,
  // never a slow client's: since the start, or since the last ReadNext.
  bool awaiting_message = true;
  absl::Time awaiting_since;
  absl::Time last_write;  // to the client
  // One chunk at a time: a frame that comes while one is on its way waits,
  // and so does the end.
  struct Frame {
    std::string bytes;
    bool read_after = false;  // ask the service for the next message once written
  };
  bool writing = false;
  std::deque<Frame> queued;
  absl::AnyInvocable<void()> finish;
};

namespace {

constexpr absl::string_view kContentTypes[] = {"application/x-ndjson", "text/event-stream",
                                               "application/json"};

absl::string_view ContentType(StreamFormat format) {
  return kContentTypes[static_cast<int>(format)];
}

// The format the Accept header prefers (highest q; the earlier on a tie);
// the configured default for none, */* or only media types of other kinds.
StreamFormat ChooseFormat(absl::string_view accept, StreamFormat fallback) {
  StreamFormat best = fallback;
  double best_q = 0;
  for (absl::string_view range : absl::StrSplit(accept, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(range, ';');
    const absl::string_view type = absl::StripAsciiWhitespace(parts[0]);
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::StartsWithIgnoreCase(param, "q=") && !absl::SimpleAtod(param.substr(2), &q)) q = 0;
    }
    for (int f = 0; f < 3; ++f) {
      if (absl::EqualsIgnoreCase(type, kContentTypes[f]) && q > best_q) {
        best = static_cast<StreamFormat>(f);
        best_q = q;
      }
    }
  }
  return best;
}

// One message in the stream's framing. SSE data is one line: the printer's
// JSON never holds a raw newline.
std::string Frame(const StreamState& state, absl::string_view json) {
  switch (state.format) {
    case StreamFormat::kNdjson:
      return absl::StrCat(json, "\n");
    case StreamFormat::kSse:
      return absl::StrCat("id: ", state.messages + 1, "\ndata: ", json, "\n\n");
    case StreamFormat::kJsonArray:
      return absl::StrCat(state.messages == 0 ? "[" : ",", json);
  }
  return std::string(json);
}

// The error after the first message, as the stream's last element.
std::string ErrorFrame(const StreamState& state, absl::string_view error_json) {
  switch (state.format) {
    case StreamFormat::kNdjson:
      return absl::StrCat(R"({"error":)", error_json, "}\n");
    case StreamFormat::kSse:
      return absl::StrCat("event: error\ndata: ", error_json, "\n\n");
    case StreamFormat::kJsonArray:
      return absl::StrCat(state.messages == 0 ? "[" : ",", R"({"error":)", error_json, "}]");
  }
  return std::string(error_json);
}

// What closes a stream that ended well.
std::string EndFrame(const StreamState& state) {
  if (state.format != StreamFormat::kJsonArray) return "";
  return state.messages == 0 ? "[]" : "]";
}

// grpc-message is percent-encoded (the gRPC over HTTP/2 spec).
std::string PercentEncoded(absl::string_view message) {
  std::string out;
  for (unsigned char c : message) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

void WriteHead(RequestContext& ctx, StreamState& state,
               std::string content_type = "application/octet-stream") {
  state.head_written = true;
  ctx.streamed = true;
  if (!state.raw) content_type = std::string(ContentType(state.format));
  http::HeaderList headers = {{"Content-Type", std::move(content_type)},
                              {"Cache-Control", "no-cache"},
                              {"X-Request-Id", ctx.request_id}};
  // Proxies that buffer (nginx) pass an event stream on as it comes.
  if (state.format == StreamFormat::kSse && !state.raw) {
    headers.emplace_back("X-Accel-Buffering", "no");
  }
  AppendResponseMetadata(state.initial_metadata, headers);
  ctx.respond->WriteHead(200, std::move(headers));
}

// Asks the service for its next message.
void ReadNext(StreamState& state) {
  state.awaiting_message = true;
  state.awaiting_since = absl::Now();
  state.call->ReadNext();
}

void Send(const std::shared_ptr<StreamState>& stream, StreamState::Frame frame);

// A frame is out (or never will be: the client is gone, and so is the call).
void OnWritten(const std::shared_ptr<StreamState>& stream, bool read_after, bool written) {
  stream->writing = false;
  if (!written) {
    stream->queued.clear();
    stream->call->Cancel();
  } else if (read_after) {
    ReadNext(*stream);
  }
  if (!stream->queued.empty()) {
    StreamState::Frame next = std::move(stream->queued.front());
    stream->queued.pop_front();
    return Send(stream, std::move(next));
  }
  if (stream->finish) {
    auto finish = std::move(stream->finish);
    finish();
  }
}

void Send(const std::shared_ptr<StreamState>& stream, StreamState::Frame frame) {
  if (stream->writing) return stream->queued.push_back(std::move(frame));
  stream->writing = true;
  stream->last_write = absl::Now();
  stream->respond->WriteChunk(std::move(frame.bytes),
                              [stream, read_after = frame.read_after](bool written) {
                                OnWritten(stream, read_after, written);
                              });
}

// One google.api.HttpBody message: its data is the body's next piece.
void WriteRawMessage(const ContextPtr& ctx, const std::string& bytes) {
  StreamState& state = *ctx->stream;
  auto raw = transcode::ParseHttpBody(bytes);
  if (!raw.ok()) {
    state.failure = raw.status();
    return state.call->Cancel();
  }
  if (!state.head_written) WriteHead(*ctx, state, raw->MediaType());
  ++state.messages;
  // An empty chunk would end the body: nothing to write, read on.
  if (raw->data.empty()) return ReadNext(state);
  Send(ctx->stream, {.bytes = std::move(raw->data), .read_after = true});
}

// One upstream message, on the loop: printed, framed, written; the next one
// is read once this one is out.
void WriteMessage(const ContextPtr& ctx, const std::string& bytes) {
  StreamState& state = *ctx->stream;
  state.awaiting_message = false;
  if (state.raw) return WriteRawMessage(ctx, bytes);
  auto json = ResponsePrinter(*ctx).Transcode(bytes, ctx->selection.get());
  if (!json.ok()) {
    state.failure = json.status();
    return state.call->Cancel();
  }
  if (!state.head_written) WriteHead(*ctx, state);
  std::string frame = Frame(state, *json);
  ++state.messages;
  Send(ctx->stream, {.bytes = std::move(frame), .read_after = true});
}

// How often a stream looks at the clock: for its heartbeat (event streams)
// and its idle timeout; zero: never.
absl::Duration TickPeriod(const StreamState& state, const config::StreamingConfig& config) {
  absl::Duration period = absl::InfiniteDuration();
  if (state.format == StreamFormat::kSse && config.heartbeat.count() > 0) {
    period = absl::FromChrono(config.heartbeat);
  }
  if (config.idle_timeout.count() > 0) {
    period = std::min(period, absl::FromChrono(config.idle_timeout) / 4);
  }
  return period == absl::InfiniteDuration() ? absl::ZeroDuration() : period;
}

void ScheduleTick(const ContextPtr& ctx);

// An idle stream ends (the call cancelled, the error in the stream); an
// event stream with nothing written for a heartbeat gets a comment (and
// its head, when no message came yet: an idle stream is still a stream).
void Tick(const ContextPtr& ctx) {
  StreamState& state = *ctx->stream;
  const config::StreamingConfig& config = ctx->snapshot->config.streaming;
  const absl::Time now = absl::Now();
  if (config.idle_timeout.count() > 0 && state.awaiting_message &&
      now - state.awaiting_since >= absl::FromChrono(config.idle_timeout)) {
    state.failure = absl::DeadlineExceededError(absl::StrCat(
        "the service sent nothing for ",
        absl::FormatDuration(absl::FromChrono(config.idle_timeout)), " (streaming.idle_timeout)"));
    return state.call->Cancel();
  }
  if (state.format == StreamFormat::kSse && config.heartbeat.count() > 0 && !state.writing &&
      now - state.last_write >= absl::FromChrono(config.heartbeat)) {
    if (!state.head_written) WriteHead(*ctx, state);
    Send(ctx->stream, {.bytes = ": heartbeat\n\n", .read_after = false});
  }
  ScheduleTick(ctx);
}

void ScheduleTick(const ContextPtr& ctx) {
  const absl::Duration period = TickPeriod(*ctx->stream, ctx->snapshot->config.streaming);
  if (period == absl::ZeroDuration()) return;
  // Weak: a timer must not keep an ended request (and its snapshot) alive.
  ctx->respond->PostAfter(period, [weak = std::weak_ptr<RequestContext>(ctx)] {
    if (ContextPtr ctx = weak.lock()) RunOnLoop(ctx, "call", [ctx] { Tick(ctx); });
  });
}

// The end of the upstream call, on the loop: the answer when nothing was
// written yet, else the stream's last frame and its trailers.
Next EndStream(const ContextPtr& ctx, const upstream::UnaryCallResult& end) {
  StreamState& state = *ctx->stream;
  ctx->upstream_code = end.code;
  http::Response failed;
  if (state.failure) {
    failed = ErrorResponse(*state.failure);
    ctx->upstream_code = 0;  // the upstream did nothing wrong
  } else if (end.code != 0) {
    failed = UpstreamErrorResponse(*ctx, end);
  }
  const bool ok = !state.failure && end.code == 0;
  if (!ok && !state.head_written) return Answer(*ctx, std::move(failed));
  if (!state.head_written) WriteHead(*ctx, state);
  std::string last;
  if (!state.raw) last = ok ? EndFrame(state) : ErrorFrame(state, failed.body);
  // Raw bytes cannot say they failed; a client without trailers sees the
  // body cut short.
  const bool cut = state.raw && !ok && !ctx->request.AcceptsTrailers();
  const int code = state.failure ? static_cast<int>(state.failure->code()) : end.code;
  http::HeaderList trailers = {{"grpc-status", absl::StrCat(code)}};
  if (code != 0) {
    trailers.emplace_back("grpc-message",
                          PercentEncoded(state.failure ? state.failure->message() : end.message));
  }
  AppendResponseMetadata(end.trailing_metadata, trailers);
  // One chunk at a time: after the one on its way, if any.
  auto finish = [respond = ctx->respond, last = std::move(last), trailers = std::move(trailers),
                 cut]() mutable {
    if (!last.empty()) respond->WriteChunk(std::move(last), [](bool) {});
    if (cut) return respond->Abort();
    respond->Finish(std::move(trailers));
  };
  // After the log phase, like every answer (a client that has read the end
  // sees the request counted); after the chunk on its way, if any.
  ctx->send_end = [stream = ctx->stream, finish = std::move(finish)]() mutable {
    if (stream->writing) {  // the queue drains first
      stream->finish = std::move(finish);
    } else {
      finish();
    }
  };
  // For the log phase: the status the client got.
  http::Response sent;
  sent.status = 200;
  return Answer(*ctx, std::move(sent));
}

}  // namespace

absl::Status CutByShutdown() {
  return absl::UnavailableError(
      "the gateway is shutting down: the stream was still open at its drain_timeout");
}

Next CallStream(const ContextPtr& ctx) {
  auto call = UpstreamCallOf(*ctx);
  if (!call.ok()) return Answer(*ctx, ErrorResponse(call.status()));
  auto state = std::make_shared<StreamState>();
  state->raw = ctx->route->raw_response;
  // Raw bytes have one format of their own (no heartbeats among them).
  state->format = state->raw ? StreamFormat::kNdjson
                             : ChooseFormat(ctx->request.Header("accept"),
                                            ctx->snapshot->config.streaming.default_format);
  state->respond = ctx->respond;
  state->awaiting_since = state->last_write = absl::Now();
  ctx->stream = state;
  upstream::StreamHandlers handlers{
      .message =
          [ctx](std::string bytes) {
            RunOnLoop(ctx, "call", [ctx, bytes = std::move(bytes)] { WriteMessage(ctx, bytes); });
          },
      .done =
          [ctx, start = absl::Now()](upstream::UnaryCallResult end) {
            const absl::Duration took = absl::Now() - start;
            Resume(ctx, "call", [ctx, took, end = std::move(end)] {
              ctx->route->metrics->upstream->Record(end.code, took);
              return EndStream(ctx, end);
            });
          },
      // Posted before the first message: it is on the loop when the head is written.
      .head =
          [ctx](upstream::Metadata initial) {
            if (initial.empty()) return;  // nothing to carry: no hop to the loop
            RunOnLoop(ctx, "call", [ctx, initial = std::move(initial)]() mutable {
              ctx->stream->initial_metadata = std::move(initial);
            });
          },
  };
  state->call = ctx->streams->Open(ctx->route->stub, *std::move(call), std::move(handlers));
  // Registered after Open: a client already gone cancels the call at once.
  // Weak: the writer keeps its callbacks, and the state holds the writer.
  ctx->respond->OnCancel([weak = std::weak_ptr<StreamState>(state)] {
    if (auto state = weak.lock()) state->call->Cancel();
  });
  // At the drain timeout the stream ends with the error element.
  ctx->respond->OnShutdown([weak = std::weak_ptr<StreamState>(state)] {
    auto state = weak.lock();
    if (state == nullptr) return;
    if (!state->failure) state->failure = CutByShutdown();
    state->call->Cancel();
  });
  ScheduleTick(ctx);
  return Suspend(*ctx);
}

}  // namespace protogate::gateway
