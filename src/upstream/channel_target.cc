#include "upstream/channel_target.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace protogate::upstream {
namespace {

enum class Kind { kIpv4, kIpv6, kHostName };

std::string Quoted(absl::string_view address) { return absl::StrCat("\"", address, "\""); }

absl::Status CheckPort(absl::string_view port, absl::string_view address) {
  int value = 0;
  if (port.empty() || port.size() > 5 || !absl::SimpleAtoi(port, &value) || value < 1 ||
      value > 65535 || !absl::ascii_isdigit(static_cast<unsigned char>(port.front()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("address ", Quoted(address), ": invalid port (expected 1..65535)"));
  }
  return absl::OkStatus();
}

// The kind of one address, which inet_pton decides for literals: "1.2.3"
// is a host name to DNS, not an IPv4 address.
absl::StatusOr<Kind> KindOf(absl::string_view address) {
  auto not_host_port = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "address ", Quoted(address),
        " is not host:port (e.g. 10.0.0.1:50051, users.internal:50051, [fd00::1]:50051)"));
  };
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || address.substr(close + 1, 1) != ":") {
      return not_host_port();
    }
    const std::string host(address.substr(1, close - 1));
    in6_addr parsed{};
    if (inet_pton(AF_INET6, host.c_str(), &parsed) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("address ", Quoted(address), ": invalid IPv6 address \"", host, "\""));
    }
    if (absl::Status port = CheckPort(address.substr(close + 2), address); !port.ok()) return port;
    return Kind::kIpv6;
  }
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return not_host_port();
  const std::string host(address.substr(0, colon));
  if (host.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address ", Quoted(address), ": an IPv6 address needs brackets, e.g. [::1]:50051"));
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("address ", Quoted(address), ": no host"));
  }
  if (absl::Status port = CheckPort(address.substr(colon + 1), address); !port.ok()) return port;
  in_addr parsed{};
  return inet_pton(AF_INET, host.c_str(), &parsed) == 1 ? Kind::kIpv4 : Kind::kHostName;
}

}  // namespace

absl::StatusOr<std::string> ChannelTarget(const std::vector<std::string>& addresses) {
  if (addresses.empty()) return absl::InvalidArgumentError("no address to connect to");
  std::vector<Kind> kinds;
  for (const std::string& address : addresses) {
    absl::StatusOr<Kind> kind = KindOf(address);
    if (!kind.ok()) return kind.status();
    kinds.push_back(*kind);
  }
  if (addresses.size() == 1 && kinds.front() == Kind::kHostName) {
    return absl::StrCat("dns:///", addresses.front());
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (kinds[i] == Kind::kHostName) {
      return absl::InvalidArgumentError(absl::StrCat(
          "address ", Quoted(addresses[i]),
          ": a host name must be the only address of its list (gRPC resolves one host name per "
          "channel; let its DNS records list the instances, or list IP literals)"));
    }
    if (kinds[i] != kinds.front()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "addresses ", Quoted(addresses.front()), " and ", Quoted(addresses[i]),
          ": IPv4 and IPv6 literals cannot share one list (gRPC's ipv4: and ipv6: targets take "
          "one family each); list one family, or use a host name that resolves to both"));
    }
  }
  return absl::StrCat(kinds.front() == Kind::kIpv4 ? "ipv4:" : "ipv6:",
                      absl::StrJoin(addresses, ","));
}

}  // namespace protogate::upstream
