// End to end with the real binaries: protogate-demo-services and protogate
// as child processes — startup errors, graceful shutdown on SIGTERM, reload
// on SIGHUP.

#include "support/process.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("protogate-e2e-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    users_ = FreeLoopbackPort();
    orders_ = FreeLoopbackPort();
    catalog_ = FreeLoopbackPort();
    services_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PROTOGATE_DEMO_BINARY, absl::StrCat("--users=127.0.0.1:", users_),
                                 absl::StrCat("--orders=127.0.0.1:", orders_),
                                 absl::StrCat("--catalog=127.0.0.1:", catalog_)},
        Path("services.log"));
  }

  void TearDown() override {
    gateway_.reset();
    services_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::string ConfigYaml(const std::string& json_names = "lower_camel") const {
    return absl::StrCat("listen: 127.0.0.1:", gateway_port_, "\n",
                        "threads: 1\n"
                        "descriptors: ",
                        PROTOGATE_DEMO_DESCRIPTORS, "\n",
                        "drain_timeout: 10s\n"
                        "transcoding:\n"
                        "  json_names: ",
                        json_names, "\n",
                        "upstreams:\n"
                        "  - service: demo.users.v1.UserService\n"
                        "    addresses: [127.0.0.1:",
                        users_,
                        "]\n"
                        "  - service: demo.orders.v1.OrderService\n"
                        "    addresses: [127.0.0.1:",
                        orders_,
                        "]\n"
                        "  - service: demo.catalog.v1.CatalogService\n"
                        "    addresses: [127.0.0.1:",
                        catalog_, "]\n");
  }

  void StartGateway(const std::string& yaml) {
    gateway_port_ = gateway_port_ ? gateway_port_ : FreeLoopbackPort();
    WriteWholeFile(Path("gateway.yaml"), yaml.empty() ? ConfigYaml() : yaml);
    gateway_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PROTOGATE_GATEWAY_BINARY, "--config=" + Path("gateway.yaml")},
        Path("gateway.log"));
  }

  // Polls /healthz (bounded): the process has no other readiness signal.
  bool WaitUntilServing() {
    for (int i = 0; i < 500; ++i) {
      if (!gateway_->running()) return false;
      auto client = HttpClient::Connect(gateway_port_);
      if (client.ok()) {
        auto response = (*client)->RoundTrip({.target = "/healthz"});
        if (response.ok() && response->status == 200) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  absl::StatusOr<HttpResponse> Get(const std::string& target) {
    auto client = HttpClient::Connect(gateway_port_);
    if (!client.ok()) return client.status();
    return (*client)->RoundTrip({.target = target});
  }

  std::filesystem::path dir_;
  int users_ = 0, orders_ = 0, catalog_ = 0, gateway_port_ = 0;
  std::unique_ptr<ChildProcess> services_;
  std::unique_ptr<ChildProcess> gateway_;
};

TEST_F(ProcessTest, ServesTheDemoAndStopsWithExitZeroOnSigterm) {
  gateway_port_ = FreeLoopbackPort();
  StartGateway(ConfigYaml());
  ASSERT_TRUE(WaitUntilServing()) << ReadWholeFile(Path("gateway.log"));
  // The services may need a moment to bind; poll a bounded number of times.
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    auto response = Get("/v1/users/1");
    status = response.ok() ? response->status : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
  gateway_->Signal(SIGTERM);
  EXPECT_EQ(gateway_->Wait(), 0) << ReadWholeFile(Path("gateway.log"));
}

TEST_F(ProcessTest, SighupReloadsAndABadReloadKeepsServing) {
  gateway_port_ = FreeLoopbackPort();
  StartGateway(ConfigYaml());
  ASSERT_TRUE(WaitUntilServing()) << ReadWholeFile(Path("gateway.log"));

  WriteWholeFile(Path("gateway.yaml"), ConfigYaml("proto"));
  gateway_->Signal(SIGHUP);
  // Bounded waits, generous for a loaded machine (a sanitized reload can take seconds).
  constexpr int kTries = 1500;  // of 20 ms each
  bool reloaded = false;
  for (int i = 0; i < kTries && !reloaded; ++i) {
    auto response = Get("/v1/users/1");
    reloaded = response.ok() && response->body.find("\"user_id\"") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reloaded) << ReadWholeFile(Path("gateway.log"));

  WriteWholeFile(Path("gateway.yaml"), "listen: [this is not valid\n");
  gateway_->Signal(SIGHUP);
  bool logged = false;
  for (int i = 0; i < kTries && !logged; ++i) {
    logged = ReadWholeFile(Path("gateway.log")).find("reload refused") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(logged) << ReadWholeFile(Path("gateway.log"));
  auto response = Get("/v1/users/1");
  ASSERT_TRUE(response.ok());
  EXPECT_NE(response->body.find("\"user_id\""), std::string::npos) << response->body;
  gateway_->Signal(SIGTERM);
  EXPECT_EQ(gateway_->Wait(), 0);
}

TEST_F(ProcessTest, BadConfigExitsNonZeroNamingFileAndLine) {
  gateway_port_ = FreeLoopbackPort();
  StartGateway(absl::StrReplaceAll(ConfigYaml(), {{"threads: 1", "threads: many"}}));
  EXPECT_EQ(gateway_->Wait(), 1);
  std::string log = ReadWholeFile(Path("gateway.log"));
  EXPECT_NE(log.find(Path("gateway.yaml") + ":2:"), std::string::npos) << log;
  EXPECT_NE(log.find("threads"), std::string::npos) << log;
}

}  // namespace
}  // namespace protogate::test
