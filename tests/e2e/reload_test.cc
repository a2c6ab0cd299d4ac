// Reloads under load: two client threads keep calling the gateway over
// loopback while the config and descriptor files change 50 times, through
// the file watcher and GatewayServer::Reload, some changes invalid. Not one
// request may fail or get a wrong answer, and the admin status names the
// last error.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "config/gateway_config.h"
#include "gateway/gateway_server.h"
#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/demo_backend.h"
#include "support/http_client.h"
#include "support/process.h"

namespace protogate {
namespace {

using ::testing::HasSubstr;

constexpr int kReloads = 50;
constexpr int kMaxRequestsPerClient = 20000;
const absl::Duration kWatchBound = absl::Seconds(60);  // a hang bound, not a timing assertion

class ReloadUnderLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / absl::StrCat("protogate_reload_", ::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    good_descriptors_ = test::ReadWholeFile(PROTOGATE_DEMO_DESCRIPTORS);
    ReplaceFile("demo.pb", good_descriptors_);
    ReplaceFile("conflict.pb", ConflictingDescriptors());
    ReplaceFile("gateway.yaml", ConfigText("demo.pb", 1));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Written aside and renamed, as deploy tools do, so no reader sees half a file.
  void ReplaceFile(const std::string& name, const std::string& contents) {
    test::WriteWholeFile((dir_ / (name + ".tmp")).string(), contents);
    std::filesystem::rename(dir_ / (name + ".tmp"), dir_ / name);
  }

  std::string ConfigText(const std::string& descriptors, int timeout_seconds) const {
    std::string text = absl::StrCat(
        "listen: 127.0.0.1:0\nthreads: 2\naccess_log: false\nlog_level: error\n",
        "descriptors: ", descriptors, "\n", "reload: {watch: true, poll_interval: 10ms}\n",
        "admin_listen: 127.0.0.1:0\nupstreams:\n");
    for (auto [service, address] :
         {std::pair{"demo.users.v1.UserService", backend_.users_address()},
          std::pair{"demo.orders.v1.OrderService", backend_.orders_address()},
          std::pair{"demo.catalog.v1.CatalogService", backend_.catalog_address()}}) {
      absl::StrAppend(&text, "  - service: ", service, "\n    addresses: [", address,
                      "]\n    timeout: ", timeout_seconds, "s\n");
    }
    return text;
  }

  // The demo set with ListUsers moved onto GetUser's route.
  std::string ConflictingDescriptors() const {
    google::protobuf::FileDescriptorSet set;
    EXPECT_TRUE(set.ParseFromString(good_descriptors_));
    for (auto& file : *set.mutable_file()) {
      for (auto& service : *file.mutable_service()) {
        for (auto& method : *service.mutable_method()) {
          if (method.name() != "ListUsers") continue;
          google::api::HttpRule rule;
          rule.set_get("/v1/users/{page_token}");
          *method.mutable_options()->MutableExtension(google::api::http) = rule;
        }
      }
    }
    return set.SerializeAsString();
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  test::DemoBackend backend_;
  std::filesystem::path dir_;
  std::string good_descriptors_;
};

// Keeps one keep-alive connection; reconnects only after the server closed it.
void Client(int port, const std::atomic<bool>& stop, std::atomic<int>& ok, std::atomic<int>& failed,
            std::string& first_failure) {
  std::unique_ptr<test::HttpClient> client;
  for (int i = 0; i < kMaxRequestsPerClient && !stop.load(); ++i) {
    if (!client) {
      auto connected = test::HttpClient::Connect(port);
      if (!connected.ok()) {
        if (failed++ == 0) first_failure = std::string(connected.status().message());
        continue;
      }
      client = *std::move(connected);
    }
    auto response = client->RoundTrip({.target = "/v1/users/1"});
    if (response.ok() && response->status == 200 &&
        response->body.find("ada@example.com") != std::string::npos) {
      ++ok;
      continue;
    }
    if (failed++ == 0) {
      first_failure = response.ok() ? absl::StrCat(response->status, " ", response->body)
                                    : std::string(response.status().message());
    }
    client.reset();
  }
}

nlohmann::json AdminGet(int admin_port, const std::string& path) {
  auto client = test::HttpClient::Connect(admin_port);
  if (!client.ok()) return nullptr;
  auto response = (*client)->RoundTrip({.target = path});
  if (!response.ok() || response->status != 200) return nullptr;
  return nlohmann::json::parse(response->body, nullptr, false);
}

TEST_F(ReloadUnderLoadTest, FiftyReloadsSomeInvalidAndNoRequestFails) {
  auto config = config::LoadGatewayConfig(Path("gateway.yaml"));
  ASSERT_TRUE(config.ok()) << config.status();
  auto created = gateway::GatewayServer::Create(*config);
  ASSERT_TRUE(created.ok()) << created.status();
  gateway::GatewayServer& gateway = **created;
  auto port = gateway.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  ASSERT_GT(gateway.admin_port(), 0);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::string failures[2];
  std::thread clients[2];
  for (int c = 0; c < 2; ++c) {
    clients[c] = std::thread(Client, *port, std::cref(stop), std::ref(ok), std::ref(failed),
                             std::ref(failures[c]));
  }
  // Joins the clients however the test body ends (a failed ASSERT returns early).
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread* threads;
    ~Joiner() {
      stop = true;
      for (int c = 0; c < 2; ++c) {
        if (threads[c].joinable()) threads[c].join();
      }
    }
  } joiner{stop, clients};

  int64_t generation = gateway.reload_status().Get().generation;
  for (int i = 0; i < kReloads; ++i) {
    SCOPED_TRACE(absl::StrCat("reload ", i));
    const int64_t seen = gateway.reload_status().Get().attempts;
    std::string expected_error;
    switch (i % 5) {
      case 0:
        ReplaceFile("gateway.yaml", "listen: [unclosed\n");
        expected_error = "invalid YAML";
        break;
      case 1:
        ReplaceFile("gateway.yaml", ConfigText("missing.pb", 2));
        expected_error = "cannot read descriptor set";
        break;
      case 2:
        ReplaceFile("gateway.yaml", ConfigText("demo.pb", 3 + i));
        break;
      case 3: {  // the direct path (what SIGHUP calls), with conflicting routes
        auto conflicting = config::ParseGatewayConfig(ConfigText("conflict.pb", 1), Path("x.yaml"));
        ASSERT_TRUE(conflicting.ok()) << conflicting.status();
        EXPECT_FALSE(gateway.Reload(*conflicting).ok());
        expected_error = "demo.users.v1.UserService.GetUser";
        break;
      }
      case 4:
        ReplaceFile("demo.pb", good_descriptors_);  // same bytes, a new file
        break;
    }
    const auto status = gateway.reload_status().WaitForAttemptAfter(seen, kWatchBound);
    ASSERT_GT(status.attempts, seen) << "the watcher did not pick up the change";
    if (expected_error.empty()) {
      EXPECT_EQ(status.last_error, std::nullopt);
      EXPECT_EQ(status.generation, ++generation);
      continue;
    }
    ASSERT_TRUE(status.last_error.has_value());
    EXPECT_THAT(*status.last_error, HasSubstr(expected_error));
    EXPECT_EQ(status.generation, generation);
    const nlohmann::json admin = AdminGet(gateway.admin_port(), "/admin/status");
    ASSERT_TRUE(admin.is_object());
    EXPECT_THAT(admin["last_reload_error"].get<std::string>(), HasSubstr(expected_error));
    EXPECT_EQ(admin["generation"], generation);
  }
  stop = true;
  for (auto& client : clients) client.join();

  EXPECT_EQ(failed.load(), 0) << failures[0] << " / " << failures[1];
  EXPECT_GT(ok.load(), 0);
  const nlohmann::json status = AdminGet(gateway.admin_port(), "/admin/status");
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["reload_attempts"], kReloads);
  EXPECT_EQ(status["config_path"], Path("gateway.yaml"));
  EXPECT_EQ(status["descriptor_path"], Path("demo.pb"));
  EXPECT_EQ(status["descriptor_source"], "file");
  EXPECT_TRUE(status["last_reload_error"].is_null());
  EXPECT_TRUE(status["loaded_at"].is_string());
  const nlohmann::json routes = AdminGet(gateway.admin_port(), "/admin/routes");
  ASSERT_TRUE(routes.is_object());
  EXPECT_EQ(routes["routes"].size(), status["route_count"].get<size_t>());
  EXPECT_EQ(AdminGet(gateway.admin_port(), "/healthz")["status"], "ok");
  gateway.Shutdown();
}

}  // namespace
}  // namespace protogate
