#include "transcode/status_mapping.h"

#include "gtest/gtest.h"

namespace protogate::transcode {
namespace {

TEST(StatusMappingTest, Placeholder) { EXPECT_EQ(HttpStatusFromGrpcCode(5), 404); }

}  // namespace
}  // namespace protogate::transcode
