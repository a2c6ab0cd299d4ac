#include "demo_auth/demo_auth_server.h"

#include <chrono>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"

namespace protogate::demo_auth {
namespace {

struct DemoPrincipal {
  const char* principal;
  const char* client_id;
  std::vector<std::string> scopes;
};

const std::map<std::string, DemoPrincipal>& DemoTokens() {
  static const auto* tokens = new std::map<std::string, DemoPrincipal>{
      {"demo-token-alice",
       {"alice", "demo-web", {"users:read", "users:write", "orders:read", "orders:write"}}},
      {"demo-token-bob", {"bob", "demo-web", {"users:read"}}},
  };
  return *tokens;
}

}  // namespace

grpc::ServerUnaryReactor* DemoAuthService::Check(grpc::CallbackServerContext* context,
                                                 const protogate::auth::v1::CheckRequest* request,
                                                 protogate::auth::v1::CheckResponse* response) {
  check_calls_.fetch_add(1);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto it = DemoTokens().find(request->token());
  if (it == DemoTokens().end()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token"));
    return reactor;
  }
  response->set_principal(it->second.principal);
  response->set_client_id(it->second.client_id);
  for (const std::string& scope : it->second.scopes) response->add_scopes(scope);
  absl::Duration ttl;
  {
    absl::MutexLock lock(&mu_);
    ttl = ttl_;
  }
  const int64_t nanos = absl::ToInt64Nanoseconds(ttl);
  response->mutable_ttl()->set_seconds(nanos / 1'000'000'000);
  response->mutable_ttl()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

void DemoAuthService::set_ttl(absl::Duration ttl) {
  absl::MutexLock lock(&mu_);
  ttl_ = ttl;
}

absl::Status DemoAuthServer::Start() {
  const size_t colon = requested_.rfind(':');
  host_ = requested_.substr(0, colon);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(requested_, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    return absl::UnavailableError(absl::StrCat("demo auth service: cannot listen on ", requested_));
  }
  port_ = port;
  requested_ = absl::StrCat(host_, ":", port_);  // a restart takes the same port
  return absl::OkStatus();
}

void DemoAuthServer::Stop() {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_->Wait();
  server_.reset();
}

absl::Status DemoAuthServer::Restart() {
  Stop();
  return Start();
}

std::string DemoAuthServer::address() const { return absl::StrCat(host_, ":", port_); }

}  // namespace protogate::demo_auth
