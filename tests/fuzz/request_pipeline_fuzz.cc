// Fuzzes the whole request pipeline (gateway::RequestHandler) with what a
// client could send and what an upstream could answer: the demo's config
// (config/gateway.yaml: routes, composites, auth policies, API keys, the
// external auth service) plus a JWT issuer, in front of a scripted gRPC
// backend whose replies come from the input.
//
// Invariants, per input: the handler answers exactly once (never drops the
// Responder, never answers twice), on the request's event loop (a TaskLoop
// here), within kAnswerCap, with a status in
// 100..599; every non-2xx body is the JSON error model {"code": <int>,
// "message": <string>, ...} and every 2xx JSON body is JSON, both parsed
// strictly (nlohmann, which also rejects invalid UTF-8); nothing crashes.
// A WebSocket upgrade (flags bit 1) is answered by opening a scripted
// WebSocket whose client sends the input's frames, then closes: its answer
// is the gateway's close, whose code must be one the gateway documents
// (1000, 1001, 1007, 1008, 1009, 4000 + a gRPC code), and every frame the
// gateway sends must be a JSON object.
//
// Built once at startup (LLVMFuzzerInitialize): one scripted gRPC server on
// 127.0.0.1:0 that answers every method, the demo auth service on
// 127.0.0.1:0, and two snapshots of the same config that differ only in the
// external auth service they ask (the demo one, which knows demo-token-alice
// and demo-token-bob, or the scripted one, whose answers come from the
// input). Per input only RequestHandler::Handle runs, on the loop.
//
// Input encoding (every "str" is a little-endian u16 length and that many
// bytes, cut short at the end of the input; a missing byte reads as 0):
//   u8  flags            bit 0: the scripted auth service answers Check;
//                        bit 1: a WebSocket upgrade (GET, Upgrade: websocket
//                        added), its frames after the replies
//   str method
//   str target           path and query, as sent
//   u8  header count     (at most kMaxHeaders), then per header:
//       str name         lowercased here, as the HTTP layer gives them
//       str value
//   str body
//   u8  reply count      1 + count % kMaxReplies; a call to method M gets
//                        reply Fnv1a(M) % count, so composites can mix
//   per reply:
//       u8  grpc code    % 17; 0 sends the message, others only the status
//       str message      the response message's bytes, as sent
//       str status message
//       str status details (grpc-status-details-bin)
//       u8  metadata count (% kMaxMetadata), then per entry:
//           u8  kind     bit 0: trailing (else initial); bit 1: "-bin" key
//           str key      mapped into gRPC's key alphabet
//           str value    printable ASCII unless the key is "-bin"
//   with flags bit 1:
//   u8  frame count      % kMaxFrames, then per frame: str text
//   u8  client's end     0: close 1000, 1: close 1001, else the connection drops
// PROTOGATE_FUZZ_PRINT=1 prints each request and its answer (for reading a
// reproducer: request_pipeline_fuzz -runs=1 <file>).
//
// Metadata keys and values are made legal for gRPC because a gRPC server
// aborts on illegal ones: the backend is scripted, not hostile at the
// transport level.

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "config/gateway_config.h"
#include "demo_auth/demo_auth_server.h"
#include "gateway/gateway_metrics.h"
#include "gateway/request_handler.h"
#include "gateway/snapshot.h"
#include "gateway/snapshot_holder.h"
#include "google/protobuf/stubs/logging.h"
#include "http/message.h"
#include "nlohmann/json.hpp"
#include "observability/logger.h"
#include "support/task_loop.h"
#include "upstream/unary_call.h"

namespace {

using protogate::gateway::RequestHandler;
using protogate::gateway::SnapshotHolder;
using protogate::test::Recorded;
using protogate::test::RecordingWriter;
namespace config = protogate::config;
namespace http = protogate::http;

constexpr size_t kMaxHeaders = 32;
constexpr size_t kMaxReplies = 4;
constexpr size_t kMaxMetadata = 8;
constexpr size_t kMaxFrames = 16;
// The scripted backend answers at once and the upstream deadlines are capped
// at kUpstreamTimeoutCap, so a correct gateway always answers well within this.
constexpr absl::Duration kAnswerCap = absl::Seconds(5);
constexpr std::chrono::milliseconds kUpstreamTimeoutCap{2000};

constexpr char kHmacSecret[] = "protogate-fuzz-hmac-secret-not-a-real-one";
// A P-256 public key (its private half is not kept anywhere): ES256 tokens
// naming kid "fuzz-es256" reach signature verification and fail there.
constexpr char kJwks[] = R"({"keys":[{"kty":"EC","crv":"P-256","kid":"fuzz-es256","alg":"ES256",)"
                         R"("x":"CZTzuxIHhAGFtdwlbxy0dkx8-HAJIRuTdDQ5Q16qrrk",)"
                         R"("y":"OPBikPzX5HaUb2pEVK6WqIH7UOKrGEEh4t8WIu_umQ8"}]})";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "request_pipeline_fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}

  uint8_t Byte() {
    if (data_.empty()) return 0;
    const auto byte = static_cast<uint8_t>(data_.front());
    data_.remove_prefix(1);
    return byte;
  }

  std::string String() {
    size_t size = Byte();
    size |= static_cast<size_t>(Byte()) << 8;
    size = std::min(size, data_.size());
    std::string out(data_.substr(0, size));
    data_.remove_prefix(size);
    return out;
  }

 private:
  absl::string_view data_;
};

struct ScriptedMetadata {
  bool trailing = false;
  std::string key;
  std::string value;
};

struct ScriptedReply {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string status_message;
  std::string status_details;
  std::vector<ScriptedMetadata> metadata;
};

// Keys: gRPC's legal alphabet, never one gRPC or HTTP/2 reserves for itself.
std::string LegalKey(const std::string& raw, bool binary) {
  static constexpr absl::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
  std::string key;
  for (char c : raw) key.push_back(kAlphabet[static_cast<uint8_t>(c) % kAlphabet.size()]);
  if (key.empty()) key = "x";
  for (absl::string_view reserved : {"grpc-", "content-type", "te", "user-agent", "host",
                                     "content-encoding", "accept-encoding", "lb-"}) {
    if (absl::StartsWith(key, reserved)) {
      key = "x-" + key;
      break;
    }
  }
  if (absl::EndsWith(key, "-bin") != binary) key += binary ? "-bin" : "-x";
  return key;
}

std::string PrintableValue(const std::string& raw) {
  std::string value;
  for (char c : raw) value.push_back(static_cast<char>(0x20 + static_cast<uint8_t>(c) % 95));
  return value;
}

ScriptedReply ReadReply(Reader& in) {
  ScriptedReply reply;
  reply.code = static_cast<grpc::StatusCode>(in.Byte() % 17);
  reply.message = in.String();
  reply.status_message = in.String();
  reply.status_details = in.String();
  const size_t count = in.Byte() % kMaxMetadata;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t kind = in.Byte();
    const bool binary = (kind & 2) != 0;
    ScriptedMetadata entry{.trailing = (kind & 1) != 0, .key = LegalKey(in.String(), binary)};
    entry.value = binary ? in.String() : PrintableValue(in.String());
    reply.metadata.push_back(std::move(entry));
  }
  return reply;
}

uint32_t Fnv1a(absl::string_view text) {
  uint32_t hash = 2166136261u;
  for (char c : text) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  return hash;
}

// The replies of the current input, read by the backend's gRPC threads. A
// composite's late calls may read the next input's replies; that is fine.
class Script {
 public:
  void Set(std::vector<ScriptedReply> replies) {
    absl::MutexLock lock(&mu_);
    replies_ = std::move(replies);
  }
  ScriptedReply For(absl::string_view method) const {
    absl::MutexLock lock(&mu_);
    if (replies_.empty()) return {};
    return replies_[Fnv1a(method) % replies_.size()];
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ScriptedReply> replies_ ABSL_GUARDED_BY(mu_);
};

// Reads the one request message, then answers as scripted.
class ScriptedReactor : public grpc::ServerGenericBidiReactor {
 public:
  ScriptedReactor(grpc::GenericCallbackServerContext* context, ScriptedReply reply)
      : reply_(std::move(reply)) {
    for (const ScriptedMetadata& entry : reply_.metadata) {
      if (entry.trailing) {
        context->AddTrailingMetadata(entry.key, entry.value);
      } else {
        context->AddInitialMetadata(entry.key, entry.value);
      }
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok || reply_.code != grpc::StatusCode::OK) {
      Finish(grpc::Status(reply_.code, reply_.status_message, reply_.status_details));
      return;
    }
    grpc::Slice slice(reply_.message);
    response_ = grpc::ByteBuffer(&slice, 1);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }

  void OnDone() override { delete this; }

 private:
  ScriptedReply reply_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

class ScriptedService : public grpc::CallbackGenericService {
 public:
  explicit ScriptedService(const Script* script) : script_(script) {}
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new ScriptedReactor(context, script_->For(context->method()));
  }

 private:
  const Script* script_;
};

// What the scripted WebSocket client sends, and how it ends.
struct SocketScript {
  std::vector<std::string> frames;
  int close_code = 1000;
};

// The WebSocket a FuzzWriter opens: delivers the script's frames one per
// ReadNext, then the client's close; records what the gateway sends, and
// its close as the request's answer (status 101, the code as the body).
// Drops its handlers at the end, as the server's session does (they hold
// the request, which holds this socket). Loop only.
class ScriptedSocket final : public http::WebSocket,
                             public std::enable_shared_from_this<ScriptedSocket> {
 public:
  ScriptedSocket(protogate::test::TaskLoop* loop, std::shared_ptr<Recorded> recorded,
                 SocketScript script, Handlers handlers)
      : loop_(loop),
        recorded_(std::move(recorded)),
        script_(std::move(script)),
        handlers_(std::move(handlers)) {}

  void ReadNext() override {
    loop_->Post([self = shared_from_this()] { self->DeliverNext(); });
  }
  void Send(std::string text, absl::AnyInvocable<void(bool written)> written) override {
    if (!ended_) sent_.push_back(std::move(text));
    loop_->Post([written = std::move(written), ok = !ended_]() mutable {
      if (written) written(ok);
    });
  }
  void Close(int code, std::string reason) override {
    {
      absl::MutexLock lock(&recorded_->mu);
      if (recorded_->answers++ == 0) {
        recorded_->answered_on_loop = loop_->OnLoop();
        recorded_->response.status = 101;
        recorded_->response.body = std::to_string(code);
      }
    }
    End(code);
  }

  const std::vector<std::string>& sent() const { return sent_; }

 private:
  void DeliverNext() {
    if (ended_) return;
    if (next_ < script_.frames.size()) {
      if (handlers_.message) handlers_.message(script_.frames[next_++]);
      return;
    }
    End(script_.close_code);
  }
  void End(int code) {
    if (ended_) return;
    ended_ = true;
    Handlers handlers = std::move(handlers_);
    handlers_ = {};
    if (handlers.closed) handlers.closed(code, "");
  }

  protogate::test::TaskLoop* const loop_;
  const std::shared_ptr<Recorded> recorded_;
  const SocketScript script_;
  Handlers handlers_;
  size_t next_ = 0;
  bool ended_ = false;
  std::vector<std::string> sent_;
};

// A RecordingWriter that can open a ScriptedSocket (when given a script).
class FuzzWriter final : public RecordingWriter {
 public:
  FuzzWriter(protogate::test::TaskLoop* loop, std::shared_ptr<Recorded> recorded,
             std::optional<SocketScript> script, std::shared_ptr<ScriptedSocket>* opened)
      : RecordingWriter(loop, recorded),
        loop_(loop),
        recorded_(std::move(recorded)),
        script_(std::move(script)),
        opened_(opened) {}

  std::shared_ptr<http::WebSocket> AcceptWebSocket(http::WebSocketOptions,
                                                   http::WebSocket::Handlers handlers) override {
    if (!script_ || *opened_ != nullptr) return nullptr;
    {
      absl::MutexLock lock(&recorded_->mu);
      recorded_->upgraded = true;
    }
    *opened_ = std::make_shared<ScriptedSocket>(loop_, recorded_, *std::move(script_),
                                                std::move(handlers));
    return *opened_;
  }

 private:
  protogate::test::TaskLoop* const loop_;
  const std::shared_ptr<Recorded> recorded_;
  std::optional<SocketScript> script_;
  std::shared_ptr<ScriptedSocket>* const opened_;
};

SocketScript ReadSocketScript(Reader& in) {
  SocketScript script;
  const size_t count = in.Byte() % kMaxFrames;
  for (size_t i = 0; i < count; ++i) script.frames.push_back(in.String());
  const uint8_t end = in.Byte();
  script.close_code = end == 0 ? 1000 : end == 1 ? 1001 : 1006;
  return script;
}

struct Pipeline {
  Script script;
  std::unique_ptr<ScriptedService> service;
  std::unique_ptr<grpc::Server> backend;
  std::unique_ptr<protogate::demo_auth::DemoAuthServer> demo_auth;
  SnapshotHolder with_demo_auth;
  SnapshotHolder with_scripted_auth;
  std::unique_ptr<RequestHandler> demo_auth_handler;
  std::unique_ptr<RequestHandler> scripted_auth_handler;
  // The request's event loop: Handle runs there, as the server runs it.
  protogate::test::TaskLoop loop;
  protogate::upstream::CallQueues calls;  // the upstream calls, as the server makes them
};

std::string WriteFile(const std::filesystem::path& dir, const std::string& name,
                      const std::string& text) {
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// config/gateway.yaml pointed at the in-process servers, without files
// written, access log or watching, plus an HS256/ES256 JWT issuer.
config::GatewayConfig FuzzConfig(const std::string& backend_address,
                                 const std::string& auth_address,
                                 const std::filesystem::path& key_dir) {
  auto loaded = config::LoadGatewayConfig(PROTOGATE_SOURCE_DIR "/config/gateway.yaml");
  if (!loaded.ok()) Fail(absl::StrCat("config: ", loaded.status().ToString()));
  config::GatewayConfig config = *std::move(loaded);
  config.descriptors = PROTOGATE_DEMO_DESCRIPTORS;
  config.access_log = false;
  config.log_level = "error";
  config.reload.watch = false;
  config.streaming.timeout = kUpstreamTimeoutCap;  // a stream asked to last is cut short too
  for (config::UpstreamConfig& upstream : config.upstreams) {
    upstream.addresses = {backend_address};
    upstream.timeout = std::min(upstream.timeout, kUpstreamTimeoutCap);
    for (auto& [method, timeout] : upstream.method_timeouts) {
      timeout = std::min(timeout, kUpstreamTimeoutCap);
    }
  }
  config.auth.external.address = auth_address;
  config.auth.stamping.jwks_out.clear();
  config::JwtIssuerConfig issuer;
  issuer.issuer = "https://fuzz.issuer.example";
  issuer.audiences = {"protogate"};
  issuer.algorithms = {"HS256", "ES256"};
  issuer.jwks_file = WriteFile(key_dir, "jwks.json", kJwks);
  issuer.hmac_secret_file = WriteFile(key_dir, "hmac.secret", kHmacSecret);
  config.auth.has_jwt = true;
  config.auth.jwt.issuers = {issuer};
  return config;
}

void Install(SnapshotHolder& holder, const config::GatewayConfig& config) {
  auto snapshot = protogate::gateway::BuildSnapshot(
      config, nullptr, std::make_shared<protogate::gateway::GatewayMetrics>());
  if (!snapshot.ok()) Fail(absl::StrCat("snapshot: ", snapshot.status().ToString()));
  holder.Set(*std::move(snapshot));
}

// Never destroyed: gRPC's threads may still run while the process exits.
Pipeline* StartPipeline() {
  protogate::observability::Logger::Get().set_level(
      protogate::observability::ParseLogLevel("error"));
  // protobuf logs every string field that is not UTF-8 (a client's bearer
  // token goes into CheckRequest.token as is); at fuzzing rates that is
  // most of the output and much of the time.
  google::protobuf::SetLogHandler(nullptr);
  auto* pipeline = new Pipeline();
  pipeline->service = std::make_unique<ScriptedService>(&pipeline->script);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(pipeline->service.get());
  pipeline->backend = builder.BuildAndStart();
  if (!pipeline->backend || port == 0) Fail("scripted backend did not start");
  const std::string backend_address = absl::StrCat("127.0.0.1:", port);

  pipeline->demo_auth = std::make_unique<protogate::demo_auth::DemoAuthServer>();
  if (absl::Status started = pipeline->demo_auth->Start(); !started.ok()) {
    Fail(absl::StrCat("demo auth: ", started.ToString()));
  }

  char dir_template[] = "/tmp/protogate-pipeline-fuzz-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) Fail("mkdtemp failed");
  const std::filesystem::path key_dir(dir_template);
  Install(pipeline->with_demo_auth,
          FuzzConfig(backend_address, pipeline->demo_auth->address(), key_dir));
  Install(pipeline->with_scripted_auth, FuzzConfig(backend_address, backend_address, key_dir));
  std::filesystem::remove_all(key_dir);  // read while building the snapshots

  pipeline->demo_auth_handler =
      std::make_unique<RequestHandler>(&pipeline->with_demo_auth, &pipeline->calls.caller());
  pipeline->scripted_auth_handler =
      std::make_unique<RequestHandler>(&pipeline->with_scripted_auth, &pipeline->calls.caller());
  return pipeline;
}

Pipeline* pipeline = nullptr;
bool print_answers = false;  // PROTOGATE_FUZZ_PRINT=1: each request and its answer on stderr

std::string Describe(const http::Request& request) {
  std::string text =
      absl::StrCat(absl::CEscape(request.method), " ", absl::CEscape(request.target));
  for (const auto& [name, value] : request.headers) {
    absl::StrAppend(&text, "\n  ", absl::CEscape(name), ": ", absl::CEscape(value));
  }
  absl::StrAppend(&text, "\n  body: ", absl::CEscape(request.body));
  return text;
}

absl::string_view HeaderOf(const http::Response& response, absl::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

void CheckAnswer(const http::Request& request, const http::Response& response) {
  const auto fail = [&](absl::string_view what) {
    Fail(absl::StrCat(what, " (status ", response.status, ", body \"", absl::CEscape(response.body),
                      "\") for\n", Describe(request)));
  };
  if (response.status < 100 || response.status > 599) fail("status out of range");
  const bool success = response.status >= 200 && response.status <= 299;
  if (!success) {
    const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) fail("error body is not a JSON object");
    // The GraphQL endpoint answers in GraphQL's own shape: a list of errors.
    if (body.contains("errors")) {
      if (!body["errors"].is_array() || body["errors"].empty() ||
          !body["errors"][0].contains("message") || !body["errors"][0]["message"].is_string()) {
        fail("GraphQL error without a message");
      }
      return;
    }
    if (!body.contains("code") || !body["code"].is_number_integer()) fail("error without code");
    if (!body.contains("message") || !body["message"].is_string()) fail("error without message");
  } else if (absl::StartsWithIgnoreCase(HeaderOf(response, "content-type"), "application/json")) {
    if (nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
      fail("JSON answer is not JSON");
    }
  }
}

// The close codes the gateway documents (config/README.md, WebSocket).
bool DocumentedCloseCode(int code) {
  return code == 1000 || code == 1001 || code == 1007 || code == 1008 || code == 1009 ||
         (code >= 4000 && code <= 4016);
}

void CheckSocket(const http::Request& request, const http::Response& closed,
                 const ScriptedSocket& socket) {
  int code = 0;
  if (!absl::SimpleAtoi(closed.body, &code) || !DocumentedCloseCode(code)) {
    Fail(absl::StrCat("WebSocket closed with undocumented code ", closed.body, " for\n",
                      Describe(request)));
  }
  for (const std::string& frame : socket.sent()) {
    const nlohmann::json message = nlohmann::json::parse(frame, nullptr, false);
    if (message.is_discarded() || !message.is_object()) {
      Fail(absl::StrCat("WebSocket frame is not a JSON object: \"", absl::CEscape(frame),
                        "\" for\n", Describe(request)));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  pipeline = StartPipeline();
  print_answers = std::getenv("PROTOGATE_FUZZ_PRINT") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(absl::string_view(reinterpret_cast<const char*>(data), size));
  const uint8_t flags = in.Byte();
  http::Request request;
  request.method = in.String();
  request.target = in.String();
  const size_t header_count = std::min<size_t>(in.Byte(), kMaxHeaders);
  for (size_t i = 0; i < header_count; ++i) {
    std::string name = absl::AsciiStrToLower(in.String());
    request.headers.emplace_back(std::move(name), in.String());
  }
  request.body = in.String();
  request.remote_address = "127.0.0.1:40000";
  std::vector<ScriptedReply> replies(1 + in.Byte() % kMaxReplies);
  for (ScriptedReply& reply : replies) reply = ReadReply(in);
  pipeline->script.Set(std::move(replies));
  std::optional<SocketScript> socket_script;
  if (flags & 2) {
    request.method = "GET";
    request.headers.emplace_back("upgrade", "websocket");
    socket_script = ReadSocketScript(in);
  }

  const http::Request copy = request;
  auto answer = std::make_shared<Recorded>();
  std::shared_ptr<ScriptedSocket> socket;
  http::Responder respond(
      std::make_shared<FuzzWriter>(&pipeline->loop, answer, std::move(socket_script), &socket));
  RequestHandler& handler =
      (flags & 1) ? *pipeline->scripted_auth_handler : *pipeline->demo_auth_handler;
  pipeline->loop.Post(
      [&handler, request = std::move(request), respond = std::move(respond)]() mutable {
        handler.Handle(std::move(request), std::move(respond));
      });

  if (!answer->Wait(kAnswerCap)) {
    Fail(absl::StrCat("no answer within ", absl::FormatDuration(kAnswerCap), " for\n",
                      Describe(copy)));
  }
  absl::MutexLock lock(&answer->mu);
  if (answer->answers == 0) {
    Fail(absl::StrCat("Responder dropped without an answer for\n", Describe(copy)));
  }
  // A second answer after this point is not seen; the pipeline's own
  // guard (the log phase runs once) is what prevents it.
  if (answer->answers > 1) Fail("answered twice");
  if (!answer->answered_on_loop) Fail("answered off the request's event loop");
  if (print_answers) {
    std::fprintf(stderr, "%s\n-> %d %s\n", Describe(copy).c_str(), answer->response.status,
                 absl::CEscape(answer->response.body).c_str());
  }
  if (socket != nullptr) {
    CheckSocket(copy, answer->response, *socket);
  } else {
    CheckAnswer(copy, answer->response);
  }
  return 0;
}
