#include "auth/api_key.h"

#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "auth/api_key_authenticator.h"
#include "auth/keys_command.h"
#include "gtest/gtest.h"

namespace protogate::auth {
namespace {

TEST(ApiKeyTest, NewKeysCarryTheirIdAndAreUnique) {
  auto a = NewApiKey("partner-acme");
  auto b = NewApiKey("partner-acme");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(ApiKeyId(*a), "partner-acme");
  EXPECT_EQ(a->size(), std::string("partner-acme.").size() + 43);
  EXPECT_EQ(ApiKeyId("nodot"), "");
}

TEST(ApiKeyTest, HashIsSaltedAndVerifies) {
  const std::string key = *NewApiKey("k");
  auto first = HashApiKey(key);
  auto second = HashApiKey(key);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);  // different salts
  EXPECT_TRUE(ApiKeyMatches(key, *first));
  EXPECT_TRUE(ApiKeyMatches(key, *second));
  EXPECT_FALSE(ApiKeyMatches(key + "x", *first));
  EXPECT_FALSE(ApiKeyMatches("", *first));
}

TEST(ApiKeyTest, KnownVector) {
  // SHA-256("salt" || "key") computed independently with `printf saltkey | sha256sum`.
  EXPECT_EQ(HashApiKeyWithSalt("key", "salt"),
            "sha256:73616c74:"
            "4a466ea0657e479545b1d6c2d994824f80d8eecd7030f3092ff42a9bcad751d8");
}

TEST(ApiKeyTest, MalformedStoredHashesNeverMatch) {
  const std::string key = "k.secret";
  const std::string good = HashApiKeyWithSalt(key, "0123456789abcdef");
  EXPECT_TRUE(ApiKeyMatches(key, good));
  for (const std::string& bad :
       {std::string("sha1:00:00"), std::string("sha256:"), std::string("sha256:zz:zz"),
        good.substr(0, good.size() - 2), std::string("sha256::") + std::string(64, '0')}) {
    EXPECT_FALSE(ApiKeyMatches(key, bad)) << bad;
  }
}

TEST(ApiKeyAuthenticatorTest, KnownKeyGivesTheConfiguredIdentity) {
  const std::string key = *NewApiKey("partner-acme");
  config::ApiKeysConfig config;
  config.keys = {{.id = "partner-acme",
                  .hash = *HashApiKey(key),
                  .client_id = "acme",
                  .scopes = {"orders:read"}}};
  ApiKeyAuthenticator authenticator(config);
  auto identity = authenticator.Verify(key);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->client_id, "acme");
  EXPECT_EQ(identity->subject, "acme");
  EXPECT_EQ(identity->scopes, std::vector<std::string>{"orders:read"});
  EXPECT_EQ(identity->authenticator, "api_key");
  EXPECT_EQ(identity->claims["client_id"], "acme");

  EXPECT_EQ(authenticator.Verify(key + "x").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(authenticator.Verify(*NewApiKey("partner-acme")).ok());  // right id, wrong secret
  EXPECT_FALSE(authenticator.Verify(*NewApiKey("someone-else")).ok());
  EXPECT_FALSE(authenticator.Verify("").ok());
}

TEST(KeysCommandTest, CreatePrintsTheKeyOnceAndAMatchingConfigEntry) {
  std::ostringstream out, err;
  ASSERT_EQ(RunKeysCommand({"create", "--id", "partner-acme", "--client-id=acme", "--scopes",
                            "orders:read,orders:write"},
                           out, err),
            0)
      << err.str();
  const std::string text = out.str();
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  const std::string key(absl::StripAsciiWhitespace(lines[1]));
  EXPECT_EQ(ApiKeyId(key), "partner-acme");
  const size_t start = text.find("hash: \"") + 7;
  const std::string hash = text.substr(start, text.find('"', start) - start);
  EXPECT_TRUE(ApiKeyMatches(key, hash)) << text;
  EXPECT_TRUE(absl::StrContains(text, "client_id: acme"));
  EXPECT_TRUE(absl::StrContains(text, "scopes: [orders:read, orders:write]"));
}

TEST(KeysCommandTest, BadArgumentsExitWithUsage) {
  std::ostringstream out, err;
  EXPECT_EQ(RunKeysCommand({}, out, err), 2);
  EXPECT_EQ(RunKeysCommand({"create"}, out, err), 2);
  EXPECT_EQ(RunKeysCommand({"create", "--id", "bad id"}, out, err), 2);
  EXPECT_EQ(RunKeysCommand({"create", "--id", "a", "--bogus"}, out, err), 2);
  EXPECT_TRUE(absl::StrContains(err.str(), "usage: protogate keys create"));
  EXPECT_EQ(RunKeysCommand({"--help"}, out, err), 0);
}

}  // namespace
}  // namespace protogate::auth
