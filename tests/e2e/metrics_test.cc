// End to end: the gateway's metrics as a Prometheus server scrapes them from
// the admin listener, after real HTTP requests through the real gateway to
// the real demo services (a unary route, an upstream error, no route, a
// composite with fan-out) and two reloads, one refused.

#include "observability/metrics.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"
#include "observability/logger.h"
#include "support/composites.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

constexpr char kComposite[] = R"(composites:
  - name: dashboard
    get: /v1/dashboard/{user_id}
    calls:
      user:
        method: demo.users.v1.UserService/GetUser
        request: {user_id: $path.user_id}
      orders:
        method: demo.orders.v1.OrderService/ListOrders
        request: {user_id: $path.user_id, page_size: $query.limit}
      products:
        method: demo.catalog.v1.CatalogService/GetProduct
        for_each: $orders.orders[*].items[0].product_id
        request: {product_id: $item}
)";

void WithAdminAndComposite(config::GatewayConfig& config) {
  config.admin = {.enabled = true, .host = "127.0.0.1", .port = 0};
  config.composites = ParseComposites(kComposite);
}

// "name{labels}" → value, for every sample line of a scrape; "#" lines under
// their own text with an empty value, so HELP and TYPE can be looked up too.
std::map<std::string, std::string> Samples(const std::string& page) {
  std::map<std::string, std::string> samples;
  for (absl::string_view line : absl::StrSplit(page, '\n', absl::SkipEmpty())) {
    if (line.front() == '#') {
      samples[std::string(line)] = "";
      continue;
    }
    const size_t space = line.rfind(' ');
    samples[std::string(line.substr(0, space))] = std::string(line.substr(space + 1));
  }
  return samples;
}

class MetricsEndToEndTest : public ::testing::Test {
 protected:
  MetricsEndToEndTest() : gw_(WithAdminAndComposite) {}

  int Status(const std::string& target) { return gw_.Call({.target = target}).status; }

  // One scrape; the value of each sample by "name{labels}".
  std::map<std::string, std::string> Scrape() {
    auto client = HttpClient::Connect(gw_.gateway().admin_port());
    if (!client.ok()) {
      ADD_FAILURE() << client.status();
      return {};
    }
    auto response = (*client)->RoundTrip({.target = "/metrics"});
    if (!response.ok()) {
      ADD_FAILURE() << response.status();
      return {};
    }
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("Content-Type"), observability::kExpositionContentType);
    page_ = response->body;
    return Samples(page_);
  }

  GatewayUnderTest gw_;
  std::string page_;  // the last scrape, for failure messages
};

constexpr char kGetUser[] = "route=\"demo.users.v1.UserService.GetUser\"";
constexpr char kUsers[] = "service=\"demo.users.v1.UserService\",method=\"GetUser\"";

TEST_F(MetricsEndToEndTest, CountsRequestsAndUpstreamCallsExactly) {
  ASSERT_GT(gw_.gateway().admin_port(), 0);
  EXPECT_EQ(Status("/v1/users/1"), 200);
  EXPECT_EQ(Status("/v1/users/2"), 200);
  EXPECT_EQ(Status("/v1/users/42"), 404);  // the service's NOT_FOUND
  EXPECT_EQ(Status("/v1/nowhere"), 404);   // no route
  EXPECT_EQ(Status("/v1/dashboard/1?limit=3"), 200);

  std::map<std::string, std::string> s = Scrape();
  const std::string requests = "protogate_http_requests_total";
  EXPECT_EQ(s[requests + "{" + kGetUser + ",method=\"GET\",code=\"200\"}"], "2") << page_;
  EXPECT_EQ(s[requests + "{" + kGetUser + ",method=\"GET\",code=\"404\"}"], "1");
  EXPECT_EQ(s[requests + "{route=\"\",method=\"GET\",code=\"404\"}"], "1");
  EXPECT_EQ(s[requests + "{route=\"dashboard\",method=\"GET\",code=\"200\"}"], "1");

  const std::string duration = "protogate_http_request_duration_seconds";
  EXPECT_EQ(s[duration + "_count{" + kGetUser + "}"], "3");
  EXPECT_EQ(s[duration + "_bucket{" + kGetUser + ",le=\"+Inf\"}"], "3");
  EXPECT_EQ(s[duration + "_count{route=\"\"}"], "1");
  EXPECT_EQ(s[duration + "_count{route=\"dashboard\"}"], "1");

  // Two direct calls and the composite's one answered OK; one NOT_FOUND.
  const std::string calls = "protogate_upstream_calls_total";
  EXPECT_EQ(s[calls + "{" + kUsers + ",code=\"OK\"}"], "3");
  EXPECT_EQ(s[calls + "{" + kUsers + ",code=\"NOT_FOUND\"}"], "1");
  EXPECT_EQ(s["protogate_upstream_call_duration_seconds_count{" + std::string(kUsers) + "}"], "4");
  EXPECT_EQ(
      s[calls + "{service=\"demo.orders.v1.OrderService\",method=\"ListOrders\",code=\"OK\"}"],
      "1");
  // The fan-out: one call per order.
  EXPECT_EQ(
      s[calls + "{service=\"demo.catalog.v1.CatalogService\",method=\"GetProduct\",code=\"OK\"}"],
      "3");

  const std::string composite = "protogate_composite_call_duration_seconds_count";
  for (const char* call : {"user", "orders", "products"}) {
    EXPECT_EQ(s[composite + "{route=\"dashboard\",call=\"" + call + "\"}"], "1") << call;
  }
}

TEST_F(MetricsEndToEndTest, EveryMetricHasHelpAndType) {
  std::map<std::string, std::string> s = Scrape();
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"protogate_http_requests_total", "counter"},
           {"protogate_http_request_duration_seconds", "histogram"},
           {"protogate_upstream_calls_total", "counter"},
           {"protogate_upstream_call_duration_seconds", "histogram"},
           {"protogate_composite_call_duration_seconds", "histogram"},
           {"protogate_snapshot_generation", "gauge"},
           {"protogate_reloads_total", "counter"}}) {
    EXPECT_EQ(s.count("# TYPE " + name + " " + type), 1u) << name << "\n" << page_;
    bool has_help = false;
    for (const auto& [line, value] : s) has_help |= line.rfind("# HELP " + name + " ", 0) == 0;
    EXPECT_TRUE(has_help) << name;
  }
}

TEST_F(MetricsEndToEndTest, ReloadsAreCountedAndSeriesCarryOn) {
  EXPECT_EQ(Status("/v1/users/1"), 200);
  std::map<std::string, std::string> s = Scrape();
  EXPECT_EQ(s["protogate_snapshot_generation"], "1") << page_;
  EXPECT_EQ(s["protogate_reloads_total{result=\"ok\"}"], "0");
  EXPECT_EQ(s["protogate_reloads_total{result=\"error\"}"], "0");

  ASSERT_TRUE(gw_.gateway().Reload(gw_.config()).ok());
  config::GatewayConfig broken = gw_.config();
  broken.descriptors = "/nonexistent/descriptors.pb";
  EXPECT_FALSE(gw_.gateway().Reload(broken).ok());
  EXPECT_EQ(Status("/v1/users/1"), 200);

  s = Scrape();
  EXPECT_EQ(s["protogate_snapshot_generation"], "2") << page_;
  EXPECT_EQ(s["protogate_reloads_total{result=\"ok\"}"], "1");
  EXPECT_EQ(s["protogate_reloads_total{result=\"error\"}"], "1");
  // One series for the route across both snapshots.
  EXPECT_EQ(
      s["protogate_http_requests_total{" + std::string(kGetUser) + ",method=\"GET\",code=\"200\"}"],
      "2");
}

TEST_F(MetricsEndToEndTest, DistinctJunkMethodsMakeOneOtherSeries) {
  for (int i = 0; i < 50; ++i) {
    const int status =
        gw_.Call({.method = absl::StrCat("JUNK", i), .target = "/v1/users/1"}).status;
    EXPECT_EQ(status, 405) << i;
  }
  std::map<std::string, std::string> s = Scrape();
  EXPECT_EQ(s["protogate_http_requests_total{route=\"\",method=\"OTHER\",code=\"405\"}"], "50")
      << page_;
  EXPECT_EQ(page_.find("JUNK"), std::string::npos) << page_;
  int series = 0;
  for (const auto& [name, value] : s) {
    series += absl::StartsWith(name, "protogate_http_requests_total{route=\"\"") ? 1 : 0;
  }
  EXPECT_EQ(series, 1) << page_;
}

// The answers the HTTP layer gives by itself are counted and logged too.
TEST(LocalAnswerMetricsTest, AnOversizedHeaderIsCountedAndLogged) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    WithAdminAndComposite(config);
    config.access_log = true;
    config.limits.max_header_bytes = 2048;
  });
  auto captured = std::make_shared<std::string>();
  observability::Logger& logger = observability::Logger::Get();
  logger.Flush();
  logger.set_sink([captured](absl::string_view batch) { absl::StrAppend(captured.get(), batch); });
  HttpResponse response =
      gw.Call({.target = "/v1/users/1?q=1", .headers = {{"X-Big", std::string(8192, 'a')}}});
  logger.Flush();
  logger.set_sink(nullptr);
  EXPECT_EQ(response.status, 431);

  auto client = HttpClient::Connect(gw.gateway().admin_port());
  ASSERT_TRUE(client.ok()) << client.status();
  auto page = (*client)->RoundTrip({.target = "/metrics"});
  ASSERT_TRUE(page.ok()) << page.status();
  std::map<std::string, std::string> s = Samples(page->body);
  EXPECT_EQ(s["protogate_http_requests_total{route=\"\",method=\"GET\",code=\"431\"}"], "1")
      << page->body;
  EXPECT_EQ(s["protogate_http_request_duration_seconds_count{route=\"\"}"], "1");

  bool logged = false;
  for (absl::string_view line : absl::StrSplit(*captured, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "access ")) continue;
    EXPECT_TRUE(absl::StartsWith(line, "access method=\"GET\" path=\"/v1/users/1\" status=431 "))
        << line;
    EXPECT_TRUE(absl::StrContains(line, " request_id=\"\" route=\"\" remote=\"127.0.0.1:")) << line;
    logged = true;
  }
  EXPECT_TRUE(logged) << *captured;
}

}  // namespace
}  // namespace protogate::test
