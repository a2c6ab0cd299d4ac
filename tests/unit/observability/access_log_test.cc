#include "observability/access_log.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace protogate::observability {
namespace {

TEST(AccessLogTest, OrdinaryLine) {
  EXPECT_EQ(FormatAccessLine({.method = "GET",
                              .path = "/v1/users/1",
                              .status = 200,
                              .upstream_code = 0,
                              .duration = absl::Microseconds(1234),
                              .request_id = "abc",
                              .route = "/demo.users.v1.UserService/GetUser",
                              .remote = "127.0.0.1:5000"}),
            "access method=\"GET\" path=\"/v1/users/1\" status=200 upstream_code=0 "
            "duration_us=1234 request_id=\"abc\" route=\"/demo.users.v1.UserService/GetUser\" "
            "remote=\"127.0.0.1:5000\"");
}

TEST(AccessLogTest, EmptyFieldsAreEmptyQuotesAndCallsOnlyWhenSet) {
  const std::string line = FormatAccessLine({.status = 431});
  EXPECT_EQ(line,
            "access method=\"\" path=\"\" status=431 upstream_code=-1 duration_us=0 "
            "request_id=\"\" route=\"\" remote=\"\"");
  EXPECT_TRUE(
      absl::EndsWith(FormatAccessLine({.calls = "user:0:1.2ms"}), " calls=\"user:0:1.2ms\""));
}

// Each hostile value stays inside its own quotes: the line has exactly the
// fields it should, one `status=`, and no raw newline or invalid UTF-8.
TEST(AccessLogTest, HostileValuesCannotForgeFields) {
  const std::string line = FormatAccessLine({
      .method = "GET status=200",
      .path = "/x\" status=200 route=\"/admin",
      .status = 404,
      .duration = absl::ZeroDuration(),
      .request_id = "id\naccess method=\"GET\" status=200",
      .route = "",
      .remote = "1.2.3.4:5 \xff\\",
  });
  EXPECT_EQ(line,
            "access method=\"GET status=200\" path=\"/x\\\" status=200 route=\\\"/admin\" "
            "status=404 upstream_code=-1 duration_us=0 "
            "request_id=\"id\\naccess method=\\\"GET\\\" status=200\" route=\"\" "
            "remote=\"1.2.3.4:5 \\xff\\\\\"");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  // Outside quotes, only the real fields appear.
  std::string outside;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (quoted && line[i] == '\\') {
      ++i;
      continue;
    }
    if (line[i] == '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted) outside += line[i];
  }
  EXPECT_EQ(outside,
            "access method= path= status=404 upstream_code=-1 duration_us=0 request_id= route= "
            "remote=");
}

}  // namespace
}  // namespace protogate::observability
