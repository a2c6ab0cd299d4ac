// Refusal lines are the client's to cause: a flood of refused requests
// writes a bounded number of log lines, each escaped.

#include <future>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/api_key.h"
#include "auth/auth_engine.h"
#include "gtest/gtest.h"
#include "observability/logger.h"

namespace protogate::auth {
namespace {

absl::Status Refusal(const AuthEngine& engine, http::Request request) {
  std::promise<absl::Status> answer;
  engine.Authenticate(
      *engine.TakeCredentials(request), request, engine.PolicyFor("svc.Orders.Get"),
      [&answer](absl::StatusOr<Identity> identity) { answer.set_value(identity.status()); });
  return answer.get_future().get();
}

TEST(RefusalLogTest, AFloodOfRefusalsWritesABoundedNumberOfEscapedLines) {
  config::AuthConfig config;
  config.enabled = true;
  config.default_policy = "authenticated";
  config.has_api_keys = true;
  config.api_keys.keys = {{.id = "partner",
                           .hash = *HashApiKey(*NewApiKey("partner")),
                           .client_id = "acme",
                           .scopes = {}}};
  auto engine = AuthEngine::Create(config, nullptr, {});
  ASSERT_TRUE(engine.ok()) << engine.status();

  auto captured = std::make_shared<std::string>();
  observability::Logger& logger = observability::Logger::Get();
  logger.Flush();
  logger.set_sink([captured](absl::string_view batch) { absl::StrAppend(captured.get(), batch); });
  constexpr int kRequests = 300;
  for (int i = 0; i < kRequests; ++i) {
    http::Request request;
    request.method = "GET";
    request.target = "/x\nforged line \xff";
    // Half without a credential, half with a wrong key (the callback path).
    if (i % 2 == 1) request.headers = {{"x-api-key", "wrong"}};
    EXPECT_FALSE(Refusal(**engine, std::move(request)).ok());
  }
  logger.Flush();
  logger.set_sink(nullptr);

  int refusals = 0;
  for (absl::string_view line : absl::StrSplit(*captured, '\n', absl::SkipEmpty())) {
    EXPECT_FALSE(absl::StartsWith(line, "forged")) << line;
    if (absl::StrContains(line, "auth: GET")) {
      ++refusals;
      EXPECT_TRUE(absl::StrContains(line, "/x\\nforged line \\xff refused")) << line;
    }
  }
  // 10 a second (shared with the other tests of the process, so possibly
  // none at all here): 150 lines would need 15 seconds.
  EXPECT_LT(refusals, kRequests / 2) << *captured;
}

}  // namespace
}  // namespace protogate::auth
