// The call phase of a bidirectional-streaming route: a WebSocket (RFC 6455)
// on the route's path, one JSON message per frame each way. Each frame from
// the client is transcoded and written upstream, and the next frame is read
// only once it is written; each message of the service is printed and sent
// as a text frame, and the next is read from the service only once the frame
// is out: both directions are flow-controlled end to end.
//
// The end: the service's status ends the WebSocket, OK with close code 1000,
// a failure with a last text frame {"error": {code, message, details}} and
// close code 4000 + the gRPC code. The client's close frame ends the
// client's side of the call (the service sees its request stream end); a
// dropped connection cancels the call. Failures of ours (a frame that is not
// a message, too many frames) send the error frame and close with 1007 or
// 1008, and cancel the call.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/error_response.h"
#include "gateway/partial_response.h"
#include "gateway/request_context.h"

namespace protogate::gateway {

// The token subprotocol a browser carries its bearer token in (it cannot
// set Authorization on a WebSocket), and the one the gateway answers with.
constexpr absl::string_view kBearerProtocolPrefix = "bearer.";
constexpr absl::string_view kProtocol = "protogate.v1";

struct SocketState {
  std::shared_ptr<http::WebSocket> socket;
  std::shared_ptr<upstream::BidiStream> call;
  int64_t received = 0;  // frames from the client
  // Rate: frames in the current one-second window.
  absl::Time window_start;
  int64_t window_frames = 0;
  std::optional<absl::Status> failure{};  // ours
  int failure_close_code = 0;
  bool client_closed = false;
  // One frame at a time: what comes while one is on its way waits.
  bool sending = false;
  std::deque<std::string> queued;
  absl::AnyInvocable<void()> after_sent;  // the close, once the queue is out
};

namespace {

// Close codes (RFC 6455, 7.4.1) and the private range for gRPC codes.
constexpr int kCloseNormal = 1000;
constexpr int kCloseGoingAway = 1001;
constexpr int kCloseInvalidPayload = 1007;
constexpr int kClosePolicy = 1008;
constexpr int kCloseGrpcBase = 4000;

void SendFrame(const std::shared_ptr<SocketState>& state, std::string text);

void OnSent(const std::shared_ptr<SocketState>& state) {
  state->sending = false;
  if (!state->queued.empty()) {
    std::string next = std::move(state->queued.front());
    state->queued.pop_front();
    return SendFrame(state, std::move(next));
  }
  if (state->after_sent) {
    auto after = std::move(state->after_sent);
    after();
  }
}

void SendFrame(const std::shared_ptr<SocketState>& state, std::string text,
               absl::AnyInvocable<void(bool)> written) {
  state->sending = true;
  state->socket->Send(std::move(text), [state, written = std::move(written)](bool ok) mutable {
    if (written) written(ok);
    OnSent(state);
  });
}

void SendFrame(const std::shared_ptr<SocketState>& state, std::string text) {
  if (state->sending) return state->queued.push_back(std::move(text));
  SendFrame(state, std::move(text), nullptr);
}

// Ends the exchange for a reason of ours: the call is cancelled; its end
// sends the error and closes with `close_code`.
void Fail(const ContextPtr& ctx, absl::Status status, int close_code) {
  SocketState& state = *ctx->socket;
  if (!state.failure) {
    state.failure = std::move(status);
    state.failure_close_code = close_code;
  }
  state.call->Cancel();
}

// At most max_messages_per_second frames in any one-second window.
bool WithinRate(const RequestContext& ctx, SocketState& state) {
  const int64_t limit = ctx.snapshot->config.streaming.max_messages_per_second;
  if (limit <= 0) return true;
  const absl::Time now = absl::Now();
  if (now - state.window_start >= absl::Seconds(1)) {
    state.window_start = now;
    state.window_frames = 0;
  }
  return ++state.window_frames <= limit;
}

// A frame from the client: one request message, written upstream; the
// next frame is read once it is written.
void OnClientFrame(const ContextPtr& ctx, const std::string& text) {
  SocketState& state = *ctx->socket;
  if (state.failure || state.client_closed) return;
  ++state.received;
  if (!WithinRate(*ctx, state)) {
    return Fail(ctx,
                absl::ResourceExhaustedError(absl::StrCat(
                    "more than ", ctx->snapshot->config.streaming.max_messages_per_second,
                    " messages per second (streaming.max_messages_per_second)")),
                kClosePolicy);
  }
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  if (!absl::StartsWith(trimmed, "{")) {
    return Fail(ctx,
                absl::InvalidArgumentError(absl::StrCat("WebSocket message ", state.received,
                                                        ": each message must be a JSON object")),
                kCloseInvalidPayload);
  }
  auto bytes = TranscodeMessage(*ctx, text);
  if (!bytes.ok()) {
    return Fail(ctx,
                absl::InvalidArgumentError(absl::StrCat("WebSocket message ", state.received, ": ",
                                                        bytes.status().message())),
                kCloseInvalidPayload);
  }
  state.call->Write(*std::move(bytes), [ctx](bool written) {
    if (written) RunOnLoop(ctx, "call", [ctx] { ctx->socket->socket->ReadNext(); });
  });
}

// A message of the service: printed and sent; the next is read once it is
// out.
void OnServiceMessage(const ContextPtr& ctx, const std::string& bytes) {
  auto json = ResponsePrinter(*ctx).Transcode(bytes, ctx->selection.get());
  if (!json.ok()) return Fail(ctx, json.status(), kCloseGrpcBase + 13);
  SendFrame(ctx->socket, *std::move(json), [ctx](bool written) {
    // Not written: the client is gone, and nobody will read the rest.
    if (written) {
      ctx->socket->call->ReadNext();
    } else {
      ctx->socket->call->Cancel();
    }
  });
}

// The client closed (its close frame: the end of its messages) or went away
// (the call is cancelled).
void OnClientClosed(const ContextPtr& ctx, int code) {
  SocketState& state = *ctx->socket;
  state.client_closed = true;
  if (code == kCloseNormal || code == kCloseGoingAway) {
    state.call->WritesDone();
  } else {
    state.call->Cancel();
  }
}

// The end of the call, on the loop: the error frame if any, then the close,
// after the log phase (status 101, the answer the client got).
Next EndSocket(const ContextPtr& ctx, const upstream::UnaryCallResult& end) {
  SocketState& state = *ctx->socket;
  ctx->upstream_code = end.code;
  if (state.socket == nullptr) {  // never upgraded: an ordinary answer
    if (state.failure) return Answer(*ctx, ErrorResponse(*state.failure));
    return Answer(*ctx, UpstreamErrorResponse(*ctx, end));
  }
  std::optional<std::string> error_frame;
  int close_code = kCloseNormal;
  if (state.failure) {
    ctx->upstream_code = 0;  // the upstream did nothing wrong
    error_frame = ErrorResponse(*state.failure).body;
    close_code = state.failure_close_code;
  } else if (end.code != 0) {
    error_frame = UpstreamErrorResponse(*ctx, end).body;
    close_code = kCloseGrpcBase + end.code;
  }
  ctx->send_end = [state = ctx->socket, error_frame, close_code]() mutable {
    if (error_frame) SendFrame(state, absl::StrCat(R"({"error":)", *error_frame, "}"));
    auto close = [state, close_code] {
      state->socket->Close(close_code, close_code == kCloseNormal ? "" : "see the error message");
    };
    if (state->sending) {
      state->after_sent = std::move(close);
    } else {
      close();
    }
  };
  http::Response upgraded;
  upgraded.status = 101;
  return Answer(*ctx, std::move(upgraded));
}

// The subprotocol to answer with: protogate.v1 when offered; never a
// bearer token.
std::string ChosenProtocol(const http::Request& request) {
  for (absl::string_view offered : absl::StrSplit(request.Header("sec-websocket-protocol"), ',')) {
    if (absl::StripAsciiWhitespace(offered) == kProtocol) return std::string(kProtocol);
  }
  return "";
}

bool IsUpgrade(const http::Request& request) {
  for (absl::string_view token : absl::StrSplit(request.Header("upgrade"), ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(token), "websocket")) return true;
  }
  return false;
}

}  // namespace

std::string WebSocketBearer(const http::Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (name != "sec-websocket-protocol") continue;
    for (absl::string_view offered : absl::StrSplit(value, ',')) {
      offered = absl::StripAsciiWhitespace(offered);
      if (absl::StartsWith(offered, kBearerProtocolPrefix)) {
        return std::string(offered.substr(kBearerProtocolPrefix.size()));
      }
    }
  }
  return "";
}

Next CallSocket(const ContextPtr& ctx) {
  if (ctx->request.method != "GET" || !IsUpgrade(ctx->request)) {
    http::Response response = HttpErrorResponse(
        426, absl::StrCat(ctx->route->description,
                          " is a bidirectional stream: open a WebSocket on it (GET with "
                          "Upgrade: websocket)"));
    response.headers.emplace_back("Upgrade", "websocket");
    return Answer(*ctx, std::move(response));
  }
  auto call = UpstreamCallOf(*ctx);
  if (!call.ok()) return Answer(*ctx, ErrorResponse(call.status()));
  auto state = std::make_shared<SocketState>();
  state->window_start = absl::Now();
  ctx->socket = state;
  upstream::StreamHandlers handlers{
      .message =
          [ctx](std::string bytes) {
            RunOnLoop(ctx, "call",
                      [ctx, bytes = std::move(bytes)] { OnServiceMessage(ctx, bytes); });
          },
      .done =
          [ctx, start = absl::Now()](upstream::UnaryCallResult end) {
            const absl::Duration took = absl::Now() - start;
            Resume(ctx, "call", [ctx, took, end = std::move(end)] {
              ctx->route->metrics->upstream->Record(end.code, took);
              return EndSocket(ctx, end);
            });
          },
  };
  state->call = ctx->streams->OpenBidi(ctx->route->stub, *std::move(call), std::move(handlers));
  // A call that could not even start is answered as an ordinary error.
  if (ctx->resumed_inline) return Suspend(*ctx);
  const config::GatewayConfig& config = ctx->snapshot->config;
  const std::chrono::milliseconds idle = config.streaming.idle_timeout;
  http::WebSocket::Handlers socket_handlers{
      .message =
          [ctx](std::string text) {
            RunOnLoop(ctx, "call", [ctx, text = std::move(text)] { OnClientFrame(ctx, text); });
          },
      .closed =
          [ctx](int code, std::string) {
            RunOnLoop(ctx, "call", [ctx, code] { OnClientClosed(ctx, code); });
          },
  };
  state->socket = ctx->respond->AcceptWebSocket(
      {.subprotocol = ChosenProtocol(ctx->request),
       .max_message_bytes = config.limits.max_body_bytes,
       .idle_timeout = idle.count() > 0 ? absl::FromChrono(idle) : absl::InfiniteDuration()},
      std::move(socket_handlers));
  if (state->socket == nullptr) {
    Fail(ctx, absl::InvalidArgumentError("not a valid WebSocket upgrade request"), 0);
    return Suspend(*ctx);
  }
  ctx->streamed = true;  // the handshake's 101 is the answer
  // At the drain timeout: the error frame, then 1001 (going away).
  ctx->respond->OnShutdown([weak = std::weak_ptr<RequestContext>(ctx)] {
    if (ContextPtr ctx = weak.lock()) Fail(ctx, CutByShutdown(), kCloseGoingAway);
  });
  state->socket->ReadNext();
  return Suspend(*ctx);
}

}  // namespace protogate::gateway
