#include "gateway/gateway_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace protogate::gateway {
namespace {

constexpr char kRequests[] = "protogate_http_requests_total";

std::string Series(absl::string_view route, absl::string_view method, int code) {
  return absl::StrCat(kRequests, "{route=\"", route, "\",method=\"", method, "\",code=\"", code,
                      "\"}");
}

TEST(GatewayMetricsTest, StandardMethodsKeepTheirName) {
  GatewayMetrics metrics;
  for (const char* method :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}) {
    metrics.unrouted().RecordRequest(method, 404, absl::Milliseconds(1));
  }
  const std::string page = metrics.Render();
  for (const char* method :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}) {
    EXPECT_NE(page.find(Series("", method, 404) + " 1\n"), std::string::npos) << method << page;
  }
}

TEST(GatewayMetricsTest, UnknownMethodsOfUnroutedRequestsCountAsOther) {
  GatewayMetrics metrics;
  for (int i = 0; i < 50; ++i) {
    metrics.unrouted().RecordRequest(absl::StrCat("JUNK", i), 405, absl::Milliseconds(1));
  }
  metrics.unrouted().RecordRequest("get", 404,
                                   absl::Milliseconds(1));  // methods are case-sensitive
  const std::string page = metrics.Render();
  EXPECT_NE(page.find(Series("", "OTHER", 405) + " 50\n"), std::string::npos) << page;
  EXPECT_NE(page.find(Series("", "OTHER", 404) + " 1\n"), std::string::npos) << page;
  EXPECT_EQ(page.find("JUNK"), std::string::npos) << page;
  EXPECT_EQ(page.find("\"get\""), std::string::npos) << page;
}

// Only the route table's methods reach a route, so a route's custom
// google.api.http kind keeps its name there.
TEST(GatewayMetricsTest, ARouteKeepsTheCustomMethodItServes) {
  GatewayMetrics metrics;
  std::unique_ptr<RouteMetrics> route =
      metrics.ForUnaryRoute("demo.Cache.Purge", "/demo.Cache/Purge");
  route->RecordRequest("PURGE", 200, absl::Milliseconds(1));
  route->RecordRequest("PURGE", 200, absl::Milliseconds(1));
  route->RecordRequest("GET", 200, absl::Milliseconds(1));
  const std::string page = metrics.Render();
  EXPECT_NE(page.find(Series("demo.Cache.Purge", "PURGE", 200) + " 2\n"), std::string::npos)
      << page;
  EXPECT_NE(page.find(Series("demo.Cache.Purge", "GET", 200) + " 1\n"), std::string::npos);
}

// Profile -1 is "default", route -1 no route; a profile named "default"
// shares that profile's series; indexes past the tables count nothing.
TEST(GatewayMetricsTest, ClientProfilesCountByProfileRouteAndStatus) {
  GatewayMetrics metrics;
  std::unique_ptr<ClientMetrics> clients =
      metrics.ForClients({"default", "mobile", "default"}, {"demo.A.Get", "demo.A.List"});
  clients->Record(0, 1, 200);
  clients->Record(0, 1, 200);
  clients->Record(-1, -1, 404);
  clients->Record(1, 0, 200);
  clients->Record(-1, 0, 200);
  clients->Record(2, 0, 200);
  clients->Record(3, 0, 200);
  const std::string page = metrics.Render();
  auto count = [&](absl::string_view client, absl::string_view route, int code) {
    const std::string series = absl::StrCat("protogate_client_requests_total{client=\"", client,
                                            "\",route=\"", route, "\",code=\"", code, "\"} ");
    const size_t at = page.find(series);
    if (at == std::string::npos) return std::string("absent");
    return page.substr(at + series.size(), page.find('\n', at) - at - series.size());
  };
  EXPECT_EQ(count("mobile", "demo.A.List", 200), "2") << page;
  EXPECT_EQ(count("default", "", 404), "1");
  EXPECT_EQ(count("default", "demo.A.Get", 200), "2");
  EXPECT_EQ(count("mobile", "demo.A.Get", 200), "absent");
}

TEST(GatewayMetricsTest, EveryFamilyIsCapped) {
  GatewayMetrics metrics(/*max_series_per_family=*/4);
  for (int i = 0; i < 20; ++i) {
    metrics.ForUnaryRoute(absl::StrCat("r", i), absl::StrCat("/s.S/M", i))
        ->RecordRequest("GET", 200, absl::Milliseconds(1));
  }
  const std::string page = metrics.Render();
  EXPECT_NE(page.find(absl::StrCat(kRequests, "{route=\"OTHER\",method=\"OTHER\",code=\"OTHER\"}")),
            std::string::npos)
      << page;
  EXPECT_NE(
      page.find("protogate_metric_series_dropped_total{family=\"protogate_http_requests_total\"}"),
      std::string::npos)
      << page;
  EXPECT_EQ(page.find("route=\"r19\""), std::string::npos) << page;
}

}  // namespace
}  // namespace protogate::gateway
