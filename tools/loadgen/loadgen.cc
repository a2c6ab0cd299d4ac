// protogate-loadgen: a closed-loop gRPC load client that calls the demo
// services directly, the way the gateway's upstream side does (callback API,
// grpc::GenericStub, pre-serialized grpc::ByteBuffer requests). tools/bench
// runs it for the "direct" column: the throughput ceiling of a route with no
// gateway in front.
//
//   protogate-loadgen --target=127.0.0.1:50051 --method=GetUser
//                     [--concurrency=64] [--seconds=10] [--warmup_seconds=1]
//                     [--page_size=25] [--channels=1]
//   protogate-loadgen --method=CreateOrder|Echo --print_request_json
//   protogate-loadgen --method=Composite --target=USERS,ORDERS,CATALOG
//   protogate-loadgen --method=WatchOrder --page_size=25   (a stream of 25 events per request)
//
// `concurrency` calls are in flight at all times (like wrk's connections):
// each completion starts the next call. --method=Composite is the direct
// equivalent of a composite route of three independent calls: one request is
// GetUser, ListOrders (5 orders) and GetProduct issued together, complete when
// all three have answered; --target then names the three services' addresses. Calls completing in
// the measured window (after the warm-up) count; the result is one line on stdout:
//
//   loadgen method=GetUser concurrency=64 seconds=10.000 requests=181234 errors=0
//           rps=18123.4 p50_us=3390 p90_us=4100 p99_us=5120 max_us=9800 cpu_us_per_req=41.2
//
// (on one line). cpu_us_per_req is this process's user+system CPU time over the
// window divided by the calls completed in it. --print_request_json prints the
// request message as the gateway's JSON (lowerCamel names) and exits, so the
// HTTP benchmark can send exactly the same request.
// Exit status: 0, or 1 on bad flags, 2 when no call in the window succeeded.

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "demo/catalog/v1/catalog.pb.h"
#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kUsage[] =
    "usage: protogate-loadgen --method=GetUser|CreateOrder|ListOrders|Echo|Composite|WatchOrder\n"
    "                         [--target=HOST:PORT[,HOST:PORT...]]\n"
    "                         [--concurrency=64] [--seconds=10] [--warmup_seconds=1]\n"
    "                         [--page_size=25] [--channels=1] [--print_request_json]\n"
    "default target: the demo service of the method (users 127.0.0.1:50051,\n"
    "orders 127.0.0.1:50052, catalog 127.0.0.1:50053); Composite takes three,\n"
    "users,orders,catalog\n";

struct Options {
  std::string method = "GetUser";
  std::vector<std::string> targets;  // one per call of the workload; empty: the demo defaults
  int concurrency = 64;
  double seconds = 10;
  double warmup_seconds = 1;
  int page_size = 25;
  int channels = 1;
  bool print_request_json = false;
};

// One call of a workload's request.
struct Part {
  std::string rpc;  // "/package.Service/Method"
  std::string default_target;
  std::unique_ptr<google::protobuf::Message> request;
  bool server_streaming = false;  // the call is done once its whole stream is read
};

// What one request does: its calls, issued together.
struct Workload {
  std::vector<Part> parts;
};

Part GetUserPart() {
  auto request = std::make_unique<demo::users::v1::GetUserRequest>();
  request->set_user_id("1");
  return {"/demo.users.v1.UserService/GetUser", "127.0.0.1:50051", std::move(request)};
}

Part ListOrdersPart(int page_size) {
  auto request = std::make_unique<demo::orders::v1::ListOrdersRequest>();
  request->set_user_id("1");
  request->set_page_size(page_size);
  return {"/demo.orders.v1.OrderService/ListOrders", "127.0.0.1:50052", std::move(request)};
}

// A stream of `events` small messages (about 120 bytes of JSON each).
Part WatchOrderPart(int events) {
  auto request = std::make_unique<demo::orders::v1::WatchOrderRequest>();
  request->set_order_id("o-1");
  request->set_max_events(events > 0 ? events : -1);
  return {"/demo.orders.v1.OrderService/WatchOrder", "127.0.0.1:50052", std::move(request),
          /*server_streaming=*/true};
}

// The small POST of the benchmark: about 30 bytes of JSON, echoed back.
Part EchoPart() {
  auto request = std::make_unique<demo::catalog::v1::EchoRequest>();
  request->mutable_scalars()->set_string_value("ping");
  return {"/demo.catalog.v1.CatalogService/Echo", "127.0.0.1:50053", std::move(request)};
}

Part GetProductPart() {
  auto request = std::make_unique<demo::catalog::v1::GetProductRequest>();
  request->set_product_id("p-1");
  return {"/demo.catalog.v1.CatalogService/GetProduct", "127.0.0.1:50053", std::move(request)};
}

// The order the HTTP benchmark posts as ~1 KB of JSON. A fixed request_id
// makes the demo service answer repeats from its idempotency table, so a long
// run does not grow the backend's memory.
std::unique_ptr<google::protobuf::Message> BenchCreateOrder() {
  auto request = std::make_unique<demo::orders::v1::CreateOrderRequest>();
  request->set_user_id("2");
  request->set_request_id("bench-7f3c9a1e-2b44-4d0e-9a57-0c1d2e3f4a5b");
  const char* const kProducts[] = {"p-1", "p-2", "p-3", "p-4", "p-5", "p-6", "p-7", "p-8"};
  int n = 0;
  for (const char* product : kProducts) {
    ++n;
    demo::orders::v1::LineItem* item = request->add_items();
    item->set_product_id(product);
    item->set_quantity(n % 3 + 1);
    item->set_unit_price_cents(1999 + 250 * n);
  }
  demo::orders::v1::Address* address = request->mutable_shipping_address();
  address->set_line1("12 Difference Engine Street");
  address->set_line2("Flat 4, Second Floor, Babbage House");
  address->set_city("London");
  address->set_postal_code("N1 9GU");
  address->set_country("GB");
  request->set_note(
      "Please leave the parcel with the concierge at the front desk if nobody answers the door. "
      "The building has two entrances; use the one on the side street next to the bakery. Call "
      "ahead for deliveries after six in the evening. Gift wrap the books separately, no invoice "
      "in the box, and include the printed card with the message from the order page.");
  auto& labels = *request->mutable_labels();
  labels["channel"] = "web";
  labels["campaign"] = "spring-sale-2024";
  labels["device"] = "desktop-chrome";
  labels["locale"] = "en-GB";
  labels["ab_bucket"] = "checkout-v2-treatment";
  return request;
}

absl::StatusOr<Workload> MakeWorkload(const Options& options) {
  Workload w;
  if (options.method == "GetUser") {
    w.parts.push_back(GetUserPart());
  } else if (options.method == "ListOrders") {
    w.parts.push_back(ListOrdersPart(options.page_size));
  } else if (options.method == "CreateOrder") {
    w.parts.push_back(
        {"/demo.orders.v1.OrderService/CreateOrder", "127.0.0.1:50052", BenchCreateOrder()});
  } else if (options.method == "Echo") {
    w.parts.push_back(EchoPart());
  } else if (options.method == "WatchOrder") {
    w.parts.push_back(WatchOrderPart(options.page_size));
  } else if (options.method == "Composite") {
    w.parts.push_back(GetUserPart());
    w.parts.push_back(ListOrdersPart(5));
    w.parts.push_back(GetProductPart());
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown method \"", options.method, "\""));
  }
  if (!options.targets.empty() && options.targets.size() != w.parts.size()) {
    return absl::InvalidArgumentError(absl::StrCat(options.method, " takes ", w.parts.size(),
                                                   " target(s), got ", options.targets.size()));
  }
  return w;
}

// Reads a whole server stream (the request written, every message read);
// `done` runs once with its status. Deletes itself.
class StreamRead final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamRead(grpc::GenericStub* stub, const std::string& rpc, grpc::ClientContext* context,
             const grpc::ByteBuffer* request, std::function<void(grpc::Status)> done)
      : done_(std::move(done)) {
    stub->PrepareBidiStreamingCall(context, rpc, grpc::StubOptions(), this);
    StartWriteLast(request, grpc::WriteOptions());
    StartRead(&message_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&message_);
  }
  void OnDone(const grpc::Status& status) override {
    auto done = std::move(done_);
    delete this;
    done(status);
  }

 private:
  grpc::ByteBuffer message_;
  std::function<void(grpc::Status)> done_;
};

// One request in flight at a time per slot; completions arrive on gRPC's
// callback threads, and only the slot's own chain touches its latencies.
struct Slot {
  std::vector<grpc::GenericStub*> stubs;   // per part
  std::vector<grpc::ByteBuffer> requests;  // per part, serialized once
  std::vector<int64_t> latencies_ns;       // completed inside the window, all parts OK
  int64_t errors = 0;
};

class LoadRun {
 public:
  LoadRun(const Workload& workload, const Options& options)
      : workload_(workload), options_(options) {}

  // stubs[part][channel]; bytes[part] is the part's serialized request.
  void Start(Clock::time_point window_start, Clock::time_point window_end,
             const std::vector<std::vector<std::unique_ptr<grpc::GenericStub>>>& stubs,
             const std::vector<std::string>& bytes) {
    window_start_ = window_start;
    window_end_ = window_end;
    slots_.resize(options_.concurrency);
    active_ = options_.concurrency;
    for (int i = 0; i < options_.concurrency; ++i) {
      Slot& slot = slots_[i];
      for (size_t part = 0; part < stubs.size(); ++part) {
        slot.stubs.push_back(stubs[part][i % stubs[part].size()].get());
        grpc::Slice slice(bytes[part]);
        slot.requests.emplace_back(&slice, 1);
      }
      slot.latencies_ns.reserve(1 << 16);
    }
    for (Slot& slot : slots_) Issue(slot);
  }

  // Stops issuing requests and waits (bounded) until every slot is idle.
  bool StopAndWait(std::chrono::seconds limit) {
    stopping_.store(true);
    std::unique_lock<std::mutex> lock(mu_);
    return idle_.wait_for(lock, limit, [this] { return active_ == 0; });
  }

  const std::vector<Slot>& slots() const { return slots_; }
  const std::string& first_error() const { return first_error_; }

 private:
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer response;
  };
  // One request: its calls, all issued at `start`.
  struct Round {
    explicit Round(size_t parts) : calls(parts), remaining(static_cast<int>(parts)) {}
    Clock::time_point start;
    std::vector<Call> calls;
    std::atomic<int> remaining;
    std::atomic<bool> failed{false};
  };

  void Issue(Slot& slot) {
    if (stopping_.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) idle_.notify_all();
      return;
    }
    auto* round = new Round(slot.stubs.size());
    round->start = Clock::now();
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
    for (size_t part = 0; part < slot.stubs.size(); ++part) {
      Call& call = round->calls[part];
      call.context.set_deadline(deadline);
      if (workload_.parts[part].server_streaming) {
        new StreamRead(slot.stubs[part], workload_.parts[part].rpc, &call.context,
                       &slot.requests[part],
                       [this, &slot, round](grpc::Status status) { Done(slot, round, status); });
        continue;
      }
      slot.stubs[part]->UnaryCall(
          &call.context, workload_.parts[part].rpc, grpc::StubOptions(), &slot.requests[part],
          &call.response, [this, &slot, round](grpc::Status status) { Done(slot, round, status); });
    }
  }

  void Done(Slot& slot, Round* round, const grpc::Status& status) {
    if (!status.ok()) {
      round->failed.store(true);
      std::lock_guard<std::mutex> lock(mu_);
      if (first_error_.empty()) {
        first_error_ = absl::StrCat("code ", status.error_code(), ": ", status.error_message());
      }
    }
    if (round->remaining.fetch_sub(1) != 1) return;  // the last answer completes the request
    const Clock::time_point end = Clock::now();
    if (end >= window_start_ && end <= window_end_) {
      if (!round->failed.load()) {
        slot.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end - round->start).count());
      } else {
        ++slot.errors;
      }
    }
    // Each completion holds its own reference to its call, so the round may go now.
    delete round;
    Issue(slot);
  }

  const Workload& workload_;
  const Options& options_;
  Clock::time_point window_start_;
  Clock::time_point window_end_;
  std::vector<Slot> slots_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_;
  int active_ = 0;
  std::string first_error_;
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

bool ParseFlags(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool ok = true;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--print_request_json") {
      options.print_request_json = true;
    } else if (absl::ConsumePrefix(&arg, "--method=")) {
      options.method = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--target=")) {
      options.targets = absl::StrSplit(arg, ',');
    } else if (absl::ConsumePrefix(&arg, "--concurrency=")) {
      ok = absl::SimpleAtoi(arg, &options.concurrency) && options.concurrency > 0;
    } else if (absl::ConsumePrefix(&arg, "--seconds=")) {
      ok = absl::SimpleAtod(arg, &options.seconds) && options.seconds > 0;
    } else if (absl::ConsumePrefix(&arg, "--warmup_seconds=")) {
      ok = absl::SimpleAtod(arg, &options.warmup_seconds) && options.warmup_seconds >= 0;
    } else if (absl::ConsumePrefix(&arg, "--page_size=")) {
      ok = absl::SimpleAtoi(arg, &options.page_size) && options.page_size >= 0;
    } else if (absl::ConsumePrefix(&arg, "--channels=")) {
      ok = absl::SimpleAtoi(arg, &options.channels) && options.channels > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "protogate-loadgen: bad argument \"%s\"\n%s", argv[i], kUsage);
      return false;
    }
  }
  return true;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseFlags(argc, argv, options)) return 1;
  absl::StatusOr<Workload> workload = MakeWorkload(options);
  if (!workload.ok()) {
    std::fprintf(stderr, "protogate-loadgen: %s\n%s", workload.status().ToString().c_str(), kUsage);
    return 1;
  }
  if (options.print_request_json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    if (workload->parts.size() != 1 ||
        !google::protobuf::util::MessageToJsonString(*workload->parts[0].request, &json, print)
             .ok()) {
      return 1;
    }
    std::printf("%s\n", json.c_str());
    return 0;
  }
  // Distinct channel args keep gRPC from sharing one connection between channels.
  std::vector<std::vector<std::unique_ptr<grpc::GenericStub>>> stubs(workload->parts.size());
  std::vector<std::string> bytes;
  size_t request_bytes = 0;
  for (size_t part = 0; part < workload->parts.size(); ++part) {
    const Part& p = workload->parts[part];
    const std::string target = options.targets.empty() ? p.default_target : options.targets[part];
    bytes.push_back(p.request->SerializeAsString());
    request_bytes += bytes.back().size();
    for (int i = 0; i < options.channels; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("protogate.loadgen.channel", i);
      auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
        std::fprintf(stderr, "protogate-loadgen: cannot connect to %s\n", target.c_str());
        return 2;
      }
      stubs[part].push_back(std::make_unique<grpc::GenericStub>(channel));
    }
  }

  const auto warmup = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.warmup_seconds));
  const auto window =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  const Clock::time_point window_start = Clock::now() + warmup;
  const Clock::time_point window_end = window_start + window;

  LoadRun run(*workload, options);
  run.Start(window_start, window_end, stubs, bytes);
  std::this_thread::sleep_until(window_start);
  const double cpu_start = CpuSeconds();
  std::this_thread::sleep_until(window_end);
  const double cpu_end = CpuSeconds();
  if (!run.StopAndWait(std::chrono::seconds(15))) {
    std::fprintf(stderr, "protogate-loadgen: calls still in flight after 15s\n");
    std::fflush(stderr);
    std::_Exit(2);  // the slots are still referenced by gRPC; do not unwind them
  }

  std::vector<int64_t> all;
  int64_t errors = 0;
  for (const Slot& slot : run.slots()) {
    all.insert(all.end(), slot.latencies_ns.begin(), slot.latencies_ns.end());
    errors += slot.errors;
  }
  std::sort(all.begin(), all.end());
  const int64_t completed = static_cast<int64_t>(all.size()) + errors;
  const double seconds = std::chrono::duration<double>(window).count();
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  std::printf(
      "loadgen method=%s concurrency=%d seconds=%.3f requests=%lld errors=%lld rps=%.1f "
      "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f cpu_us_per_req=%.2f request_bytes=%zu\n",
      options.method.c_str(), options.concurrency, seconds, static_cast<long long>(completed),
      static_cast<long long>(errors), static_cast<double>(all.size()) / seconds,
      us(Percentile(all, 0.50)), us(Percentile(all, 0.90)), us(Percentile(all, 0.99)),
      us(all.empty() ? 0 : all.back()),
      completed > 0 ? (cpu_end - cpu_start) * 1e6 / static_cast<double>(completed) : 0.0,
      request_bytes);
  if (errors > 0) {
    std::fprintf(stderr, "protogate-loadgen: %lld calls failed, first: %s\n",
                 static_cast<long long>(errors), run.first_error().c_str());
  }
  return all.empty() ? 2 : 0;
}
