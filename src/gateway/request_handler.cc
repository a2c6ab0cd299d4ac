#include "gateway/request_handler.h"

#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/error_response.h"
#include "gateway/local_answers.h"
#include "gateway/request_context.h"
#include "observability/access_log.h"
#include "observability/logger.h"

namespace protogate::gateway {
namespace {

struct Phase {
  const char* name;
  PhaseFunction run;
};

// THE phase list (request_handler.h says what each does). Adding a phase is
// adding one entry here and one function.
constexpr Phase kPhases[] = {
    {"admit", Admit},
    {"health", ServeHealth},
    {"credentials", TakeCredentials},
    {"client", RecogniseClient},
    {"route", MatchRoute},
    {"authenticate", Authenticate},
    {"client_view", ApplyClientView},
    {"rate_limit", ApplyRateLimit},
    {"transcode", Transcode},
    {"call", Call},
    {"respond", Respond},
    {"log", Log},
};
constexpr size_t kLogPhase = std::size(kPhases) - 1;

void Observe(const RequestContext& ctx, const char* phase, bool resumed) {
  if (ctx.options->on_phase) {
    ctx.options->on_phase({.request_id = ctx.request_id, .phase = phase, .resumed = resumed});
  }
}

// The last resort: an exception that escaped a phase answers its request
// with a 500 in the error model, and the process serves on. Whatever the
// phase had done, the Responder takes only the first answer.
void AnswerInternalError(const ContextPtr& ctx, const char* what) noexcept {
  ctx->in_phase = false;
  try {
    PG_LOG(kError, "request ", ctx->request_id, ": internal error: ", what);
    if (!ctx->finished) {
      ctx->answer = ErrorResponse(absl::InternalError("internal error"));
      Log(ctx);
      ctx->respond(std::move(ctx->answer));
      return;
    }
  } catch (...) {
  }
  try {
    http::Response response;
    response.status = 500;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = R"({"code":13,"message":"internal error","details":[]})";
    ctx->respond(std::move(response));
  } catch (...) {
    // Nothing is left to try: dropping the Responder closes the connection.
  }
}

template <typename Step>
void Guarded(const ContextPtr& ctx, Step&& step) noexcept {
  try {
    step();
  } catch (const std::exception& e) {
    AnswerInternalError(ctx, e.what());
  } catch (...) {
    AnswerInternalError(ctx, "unknown exception");
  }
}

// Runs the phases from ctx->next_phase until one suspends or the log phase
// has run; then the answer leaves. On the request's event loop only.
void Advance(const ContextPtr& ctx, Next next) {
  while (!ctx->finished) {
    if (next == Next::kSuspended) return;
    if (next == Next::kAnswered) ctx->next_phase = kLogPhase;
    // The log phase is last and always ends the loop.
    const Phase& phase = kPhases[ctx->next_phase++];
    ctx->in_phase = true;
    ctx->resumed_inline.reset();
    next = phase.run(ctx);
    ctx->in_phase = false;
    Observe(*ctx, phase.name, /*resumed=*/false);
    if (!ctx->finished) continue;
    if (ctx->send_end) {
      auto end = std::move(ctx->send_end);
      end();
    } else if (!ctx->streamed) {
      ctx->respond(std::move(ctx->answer));
    }
  }
}

// Goes on with an asynchronous result of `phase`, on the loop.
void Continue(const ContextPtr& ctx, const char* phase, absl::AnyInvocable<Next()>& step) {
  Guarded(ctx, [&] {
    if (ctx->finished) return;  // answered meanwhile (the last resort): nothing to resume
    Observe(*ctx, phase, /*resumed=*/true);
    Advance(ctx, step());
  });
}

}  // namespace

Next Suspend(RequestContext& ctx) {
  if (!ctx.resumed_inline) return Next::kSuspended;
  const Next next = *ctx.resumed_inline;
  ctx.resumed_inline.reset();
  return next;
}

void Resume(const ContextPtr& ctx, const char* phase, absl::AnyInvocable<Next()> step) {
  if (!ctx->respond->OnLoop()) {
    ctx->respond->Post(
        [ctx, phase, step = std::move(step)]() mutable { Continue(ctx, phase, step); });
  } else if (ctx->in_phase) {  // completed before the phase that started it returned
    ctx->resumed_inline = step();
  } else {
    Continue(ctx, phase, step);
  }
}

void RunOnLoop(const ContextPtr& ctx, const char* phase, absl::AnyInvocable<void()> task) {
  auto run = [ctx, phase, task = std::move(task)]() mutable {
    Guarded(ctx, [&] {
      if (ctx->finished) return;  // the request has its answer; late results change nothing
      Observe(*ctx, phase, /*resumed=*/true);
      task();
    });
  };
  if (ctx->respond->OnLoop()) {
    run();
  } else {
    ctx->respond->Post(std::move(run));
  }
}

namespace {

void WriteAccessLog(const RequestContext& ctx, const http::Response& response,
                    absl::Duration elapsed) {
  if (!ctx.snapshot->config.access_log) return;
  // The path as the client sent it, before its profile's prefix was taken off.
  const std::string path = absl::StrCat(ctx.client_prefix, ctx.request.Path());
  observability::Logger::Get().Access(observability::FormatAccessLine({
      .method = ctx.request.method,
      .path = path,
      .status = response.status,
      .upstream_code = ctx.upstream_code,
      .duration = elapsed,
      .request_id = ctx.request_id,
      .route = ctx.route ? absl::string_view(ctx.route->method_path) : absl::string_view(),
      .remote = ctx.request.remote_address,
      .calls = ctx.call_timings,
      .client = ctx.snapshot->clients->empty() ? absl::string_view()
                                               : ctx.snapshot->clients->Name(ctx.client),
  }));
}

// Requests that matched no route (or were answered before routing) count
// under route="".
void RecordRequestMetrics(const RequestContext& ctx, const http::Response& response,
                          absl::Duration elapsed) {
  RouteMetrics& metrics = ctx.route ? *ctx.route->metrics : ctx.snapshot->metrics->unrouted();
  metrics.RecordRequest(ctx.request.method, response.status, elapsed);
  if (ClientMetrics* clients = ctx.snapshot->client_metrics.get()) {
    // The route table's routes only: the GraphQL endpoint's is none of them.
    clients->Record(ctx.client, ctx.match && !ctx.graphql ? ctx.match->route_id : -1,
                    response.status);
  }
}

}  // namespace

// The log phase, the single exit of every request: the answer leaves right
// after it (Advance). Metrics are recorded first, so a client that has its
// answer sees it counted.
Next Log(const ContextPtr& ctx) {
  ctx->finished = true;
  http::Response& response = ctx->answer;
  response.headers.emplace_back("X-Request-Id", ctx->request_id);
  const absl::Duration elapsed = absl::Now() - ctx->start;
  RecordRequestMetrics(*ctx, response, elapsed);
  WriteAccessLog(*ctx, response, elapsed);
  return Next::kContinue;
}

RequestHandler::RequestHandler(const SnapshotHolder* snapshots, upstream::UnaryCaller* caller,
                               Options options)
    : snapshots_(snapshots), caller_(caller), options_(std::move(options)) {}

void RequestHandler::Handle(http::Request request, http::Responder respond) {
  auto ctx = std::make_shared<RequestContext>();
  ctx->options = &options_;
  ctx->caller = caller_;
  ctx->streams = options_.streams ? options_.streams : &grpc_streams_;
  ctx->start = absl::Now();
  ctx->snapshot = snapshots_->Get();
  ctx->request = std::move(request);
  ctx->respond = std::move(respond);
  Guarded(ctx, [&] { Advance(ctx, Next::kContinue); });
}

bool RequestHandler::StreamsBody(const http::Request& head) {
  return TakesRequestStream(*snapshots_->Get(), head);
}

void RequestHandler::LogLocalAnswer(const http::LocalAnswer& answer) const {
  RecordLocalAnswer(*snapshots_->Get(), answer);
}

}  // namespace protogate::gateway
