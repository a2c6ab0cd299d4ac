#include "common/json_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace protogate::common {
namespace {

TEST(JsonTextTest, InvalidUtf8BecomesReplacementCharacterInsteadOfThrowing) {
  const nlohmann::json value = {{"id", std::string("\xff\xfe", 2)}};
  std::string text;
  ASSERT_NO_THROW(text = JsonText(value));
  EXPECT_EQ(text, "{\"id\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
}

TEST(JsonTextTest, KeepsTheOrderOfOrderedJson) {
  nlohmann::ordered_json value;
  value["b"] = 1;
  value["a"] = 2;
  EXPECT_EQ(JsonText(value), R"({"b":1,"a":2})");
}

TEST(JsonTextTest, QuotesTextAsAJsonString) {
  EXPECT_EQ(JsonQuoted("a\"b\n"), R"("a\"b\n")");
  EXPECT_EQ(JsonQuoted(std::string("\x80", 1)), "\"\xEF\xBF\xBD\"");
}

// nlohmann's plain dump() throws on invalid UTF-8; every serialisation in the
// gateway goes through JsonText so that no client byte can end the process.
TEST(JsonTextTest, NoPlainDumpInTheGatewaySources) {
  const std::filesystem::path src = std::filesystem::path(PROTOGATE_SOURCE_DIR) / "src";
  std::vector<std::string> offenders;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const std::filesystem::path& path = entry.path();
    if (path.extension() != ".cc" && path.extension() != ".h") continue;
    if (path.filename() == "json_text.h") continue;
    std::ifstream in(path);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      const size_t comment = line.find("//");
      if (line.substr(0, comment).find(".dump(") != std::string::npos ||
          line.substr(0, comment).find("->dump(") != std::string::npos) {
        offenders.push_back(path.string() + ":" + std::to_string(number) + ": " + line);
      }
    }
  }
  std::ostringstream list;
  for (const std::string& offender : offenders) list << offender << "\n";
  EXPECT_TRUE(offenders.empty()) << "use common::JsonText instead of dump():\n" << list.str();
}

}  // namespace
}  // namespace protogate::common
