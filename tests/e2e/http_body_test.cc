// End to end: google.api.HttpBody through the real gateway to the demo
// orders service: a receipt answered as text, a CSV export streamed raw (and
// one that fails halfway: in the trailers, or a body cut short), and a
// binary document sent as the request's own bytes.

#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The demo's checksum of an attached document (FNV-1a, 64 bits).
std::string Fnv1a64(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash = (hash ^ c) * 0x100000001b3ULL;
  }
  return absl::StrFormat("%016x", hash);
}

TEST(HttpBodyTest, AnHttpBodyAnswerIsItsDataInItsContentType) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = "/v1/orders/o-1/receipt"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_THAT(response.body, StartsWith("Receipt for order o-1\nPlaced 2024-05-01T00:00:00Z"));
  EXPECT_THAT(response.body, HasSubstr("\nTotal: "));
  EXPECT_EQ(response.Header("Content-Length"), std::to_string(response.body.size()));
}

TEST(HttpBodyTest, AFailedHttpBodyCallIsTheErrorModel) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = "/v1/orders/o-404/receipt"});
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 5);
}

TEST(HttpBodyTest, AStreamOfHttpBodiesIsOneRawBody) {
  GatewayUnderTest gw;
  HttpResponse response =
      gw.Call({.target = "/v1/users/1/orders:export?pageSize=3",
               .headers = {{"Accept", "text/event-stream"}, {"TE", "trailers"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  // Its own media type, whatever the client's Accept asked of JSON streams.
  EXPECT_EQ(response.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(response.Header("Transfer-Encoding"), "chunked");
  std::vector<std::string> lines = absl::StrSplit(response.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << response.body;
  EXPECT_EQ(lines[0], "order_id,status,total_cents,create_time");
  EXPECT_THAT(lines[1], StartsWith("o-1,ORDER_STATUS_PLACED,"));
  EXPECT_EQ(response.Header("grpc-status"), "0");
}

TEST(HttpBodyTest, ARawStreamThatFailsSaysSoInItsTrailers) {
  GatewayUnderTest gw;
  HttpResponse response =
      gw.Call({.target = "/v1/users/broken/orders:export", .headers = {{"TE", "trailers"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "order_id,status,total_cents,create_time\n");
  EXPECT_EQ(response.Header("grpc-status"), "15");  // DATA_LOSS
  EXPECT_EQ(response.Header("grpc-message"), "the export broke halfway");
}

// Without trailers, raw bytes cannot carry an error: the body is cut short
// (no last chunk), which the client sees as a broken answer, never as a
// complete one.
TEST(HttpBodyTest, ARawStreamThatFailsIsCutShortForAClientWithoutTrailers) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Send({.target = "/v1/users/broken/orders:export"}).ok());
  auto head = (*client)->ReadHead();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
  auto rest = (*client)->ReadRest();
  ASSERT_FALSE(rest.ok()) << rest->body;
  EXPECT_THAT(rest.status().message(), HasSubstr("closed the connection"));
}

TEST(HttpBodyTest, AnHttpBodyFieldTakesTheRequestsBytesAsTheyAre) {
  GatewayUnderTest gw;
  std::string document;
  for (int i = 0; i < 256; ++i) document.push_back(static_cast<char>(i));  // not JSON, not UTF-8
  document += document;
  HttpResponse response = gw.Call({.method = "POST",
                                   .target = "/v1/orders/o-1/documents?title=scan",
                                   .headers = {{"Content-Type", "image/png"}},
                                   .body = document});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json attachment = GatewayUnderTest::Json(response);
  EXPECT_EQ(attachment["orderId"], "o-1");  // the path, beside the raw body
  EXPECT_EQ(attachment["title"], "scan");   // the query, too
  EXPECT_EQ(attachment["contentType"], "image/png");
  EXPECT_EQ(attachment["sizeBytes"], "512");
  EXPECT_EQ(attachment["fnv1a64"], Fnv1a64(document));
}

TEST(HttpBodyTest, AnEmptyRawBodyReachesTheServiceAsEmpty) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.method = "POST",
                                   .target = "/v1/orders/o-1/documents",
                                   .headers = {{"Content-Type", "text/plain"}}});
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(GatewayUnderTest::Json(response)["message"].get<std::string>(),
              HasSubstr("the document is empty"));
}

}  // namespace
}  // namespace protogate::test
