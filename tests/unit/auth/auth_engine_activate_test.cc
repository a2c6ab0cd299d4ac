// AuthEngine::Create has no effect outside the engine; Activate publishes the
// JWKS file and starts the key refreshers, once.

#include <atomic>
#include <filesystem>
#include <fstream>

#include "auth/auth_engine.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class AuthEngineActivateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = testing::NewEcKey("P-256");
    jwks_ = testing::JwksOf({testing::PublicJwk(key_.get(), "k1")});
    jwks_out_ = (test::ProcessTempDir("auth_engine_activate_test") / "published.json").string();
    config_.enabled = true;
    config_.has_jwt = true;
    config_.jwt.issuers = {{.issuer = "https://issuer.example",
                            .audiences = {"protogate"},
                            .algorithms = {"ES256"},
                            .jwks_url = "http://jwks.invalid/jwks.json"}};
    config_.stamping.jwks_out = jwks_out_;
  }

  std::shared_ptr<const AuthEngine> Make() {
    auto engine = AuthEngine::Create(
        config_, nullptr,
        {.jwks_fetcher = [this](const std::string&) -> absl::StatusOr<std::string> {
          ++fetches_;
          return jwks_;
        }});
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *engine : nullptr;
  }

  PkeyPtr key_;
  std::string jwks_;
  std::string jwks_out_;
  std::atomic<int> fetches_{0};
  config::AuthConfig config_;
};

TEST_F(AuthEngineActivateTest, CreateWritesNoFileAndFetchesNoKeys) {
  std::ofstream(jwks_out_) << "previous";
  const auto mtime = std::filesystem::last_write_time(jwks_out_);
  auto engine = Make();
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(Contents(jwks_out_), "previous");
  EXPECT_EQ(std::filesystem::last_write_time(jwks_out_), mtime);
  EXPECT_EQ(fetches_.load(), 0);
}

TEST_F(AuthEngineActivateTest, ActivatePublishesThenFetchesOnceAndIsIdempotent) {
  auto engine = Make();
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Activate().ok());
  EXPECT_EQ(Contents(jwks_out_), engine->jwks_json());
  EXPECT_EQ(fetches_.load(), 1);  // the first fetch happens before Activate returns

  std::filesystem::remove(jwks_out_);
  ASSERT_TRUE(engine->Activate().ok());
  EXPECT_FALSE(std::filesystem::exists(jwks_out_));
  EXPECT_EQ(fetches_.load(), 1);
}

TEST_F(AuthEngineActivateTest, UnwritableJwksOutFailsActivateAndStartsNothing) {
  const auto blocker = test::ProcessTempDir("auth_engine_activate_test") / "a-file";
  std::ofstream(blocker) << "x";
  config_.stamping.jwks_out = (blocker / "published.json").string();  // a file as a folder
  auto engine = Make();
  ASSERT_NE(engine, nullptr);
  EXPECT_FALSE(engine->Activate().ok());
  EXPECT_EQ(fetches_.load(), 0);
}

}  // namespace
}  // namespace protogate::auth
