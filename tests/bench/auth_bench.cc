// Micro-benchmarks of the authenticated path: verifying a client's JWT
// (RS256 and ES256) the first time and when it is remembered, and stamping
// the internal token (signed for each call, and reused per caller and
// service as the gateway does by default). Keys are generated at start-up.

#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "../unit/auth/test_keys.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "auth/jwt_authenticator.h"
#include "auth/token_stamper.h"
#include "benchmark/benchmark.h"

namespace protogate::auth {
namespace {

constexpr char kIssuer[] = "https://issuer.example";

struct Keys {
  PkeyPtr rsa = testing::NewRsaKey();
  PkeyPtr ec = testing::NewEcKey("P-256");
  std::string jwks_file = TempPath("jwks.json");
  std::string signing_key_file = TempPath("stamp.pem");  // the gateway's stamping key

  Keys() {
    std::ofstream(jwks_file) << testing::JwksOf(
        {testing::PublicJwk(rsa.get(), "rsa"), testing::PublicJwk(ec.get(), "ec")});
    PkeyPtr stamping = testing::NewEcKey("P-256");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, stamping.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::ofstream(signing_key_file) << std::string(data, static_cast<size_t>(length));
    BIO_free(bio);
  }
  ~Keys() {
    std::filesystem::remove(jwks_file);
    std::filesystem::remove(signing_key_file);
  }

  static std::string TempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            absl::StrCat("protogate-auth-bench-", getpid(), "-", name))
        .string();
  }
};

// A static object, not a leaked pointer: its destructor removes the files at exit.
const Keys& TheKeys() {
  static const Keys keys;
  return keys;
}

std::string Token(JwsAlgorithm alg) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  nlohmann::json claims = {{"iss", kIssuer},
                           {"aud", "protogate"},
                           {"sub", "alice"},
                           {"azp", "web"},
                           {"scope", "users:read orders:read"},
                           {"iat", now - 10},
                           {"exp", now + 3600}};
  const bool rsa = alg == JwsAlgorithm::kRs256;
  return *SignJwt({{"alg", std::string(JwsAlgorithmName(alg))}, {"kid", rsa ? "rsa" : "ec"}},
                  claims, alg, rsa ? TheKeys().rsa.get() : TheKeys().ec.get());
}

std::unique_ptr<JwtAuthenticator> Authenticator(size_t cache_size) {
  config::JwtConfig config;
  config.issuers = {{.issuer = kIssuer,
                     .audiences = {"protogate"},
                     .algorithms = {"RS256", "ES256"},
                     .jwks_file = TheKeys().jwks_file}};
  config.cache_size = cache_size;
  auto made = JwtAuthenticator::Create(config, {});
  if (!made.ok()) std::abort();
  return *std::move(made);
}

// state.range(0): 0 RS256, 1 ES256; state.range(1): the cache size.
void BM_VerifyJwt(benchmark::State& state) {
  const JwsAlgorithm alg = state.range(0) == 0 ? JwsAlgorithm::kRs256 : JwsAlgorithm::kEs256;
  auto jwt = Authenticator(static_cast<size_t>(state.range(1)));
  const std::string token = Token(alg);
  for (auto _ : state) {
    auto identity = jwt->Verify(token);
    if (!identity.ok()) std::abort();
    benchmark::DoNotOptimize(identity);
  }
  state.SetLabel(
      absl::StrCat(JwsAlgorithmName(alg), state.range(1) == 0 ? " verified" : " remembered"));
}
BENCHMARK(BM_VerifyJwt)->Args({0, 0})->Args({0, 10000})->Args({1, 0})->Args({1, 10000});

// state.range(0): the stamper's cache size (0: one signature per call).
void BM_StampInternalToken(benchmark::State& state) {
  config::StampingConfig config;
  config.cache_size = static_cast<size_t>(state.range(0));
  config.signing_key_file = TheKeys().signing_key_file;
  auto stamper = TokenStamper::Create(config, nullptr, SystemClock());
  if (!stamper.ok()) std::abort();
  const Identity identity{.subject = "alice",
                          .client_id = "web",
                          .scopes = {"users:read", "orders:read"},
                          .authenticator = "jwt",
                          .issuer = kIssuer};
  for (auto _ : state) {
    auto token = (*stamper)->Mint(identity, "demo.users.v1.UserService");
    if (!token.ok()) std::abort();
    benchmark::DoNotOptimize(token);
  }
  state.SetLabel(state.range(0) == 0 ? "signed per call" : "reused");
}
BENCHMARK(BM_StampInternalToken)->Arg(0)->Arg(10000);

}  // namespace
}  // namespace protogate::auth

BENCHMARK_MAIN();
