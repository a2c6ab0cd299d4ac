// libFuzzer target: a client's `fields` text over a composite's answer
// (ParseAnswerSelection), narrowed by a profile's view and turned into the
// calls to make (SelectCalls), over a dashboard with nested keys, a merge,
// a drop, a literal and a fan-out. Input: the view's text up to the first
// NUL (none: no view), then the client's text. Invariants: nothing crashes;
// a selection narrowed by itself is accepted; every call a selection makes
// the whole answer makes too; every mask a made call gets is a valid field
// selection over that call's response.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "aggregate/answer_selection.h"
#include "fuzz/demo_types.h"

namespace protogate::aggregate {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

CallSpec Call(const char* name, const char* method, Json request) {
  CallSpec call;
  call.name = name;
  call.method = method;
  call.request = std::move(request);
  return call;
}

const CompositePlan& Dashboard() {
  static const CompositePlan* const kPlan = [] {
    PlanEnvironment env;
    env.registry = fuzz::LoadDemoTypes().registry;
    for (const char* service : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                                "demo.catalog.v1.CatalogService"}) {
      env.upstreams[service] = UpstreamInfo{};
    }
    CompositeSpec spec;
    spec.where = "fuzz.yaml:1:1";
    spec.http_method = "GET";
    spec.path_template = "/v1/dashboard/{user_id}";
    spec.calls.push_back(Call("user", "demo.users.v1.UserService/GetUser",
                              Json::parse(R"({"user_id": "$path.user_id"})")));
    spec.calls.push_back(Call("orders", "demo.orders.v1.OrderService/ListOrders",
                              Json::parse(R"({"user_id": "$user.user_id"})")));
    CallSpec products = Call("products", "demo.catalog.v1.CatalogService/GetProduct",
                             Json::parse(R"({"product_id": "$item"})"));
    products.for_each = "$orders.orders[*].items[*].product_id";
    spec.calls.push_back(std::move(products));
    spec.response = Json::parse(R"({
      "user": "$user", "orders": "$orders.orders", "products": "$products",
      "me": {"$merge": ["$user.profile"], "id": "$user.user_id", "label": "x"},
      "first": "$orders.orders[0].items", "$drop": ["user.email"]})");
    auto plan = CompositePlan::Build(spec, env);
    if (!plan.ok()) std::abort();
    return new CompositePlan(**plan);
  }();
  return *kPlan;
}

}  // namespace
}  // namespace protogate::aggregate

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::aggregate;
  const CompositePlan& plan = Dashboard();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const absl::string_view view_text = nul == absl::string_view::npos ? "" : input.substr(0, nul);
  const absl::string_view asked_text =
      nul == absl::string_view::npos ? input : input.substr(nul + 1);

  auto asked = ParseAnswerSelection(asked_text, plan);
  if (!asked.ok()) return 0;
  Check(NarrowAnswerSelection(**asked, **asked, plan).ok());
  std::shared_ptr<const AnswerSelection> kept = *asked;
  if (!view_text.empty()) {
    auto view = ParseAnswerSelection(view_text, plan);
    if (view.ok()) {
      auto narrowed = NarrowAnswerSelection(**asked, **view, plan);
      if (!narrowed.ok()) return 0;
      kept = *narrowed;
    }
  }
  std::shared_ptr<const SelectedPlan> selected = SelectCalls(plan, kept.get());
  const SelectedPlan& whole = *plan.whole();
  Check(selected->made.size() == plan.calls().size());
  Check(selected->masks.size() == plan.calls().size());
  for (size_t i = 0; i < plan.calls().size(); ++i) {
    Check(!selected->made[i] || whole.made[i]);
    const std::string& paths = selected->masks[i].paths;
    if (!selected->made[i] || paths.empty()) continue;
    Check(protogate::transcode::ParseFieldSelection(paths, *plan.calls()[i].response_type).ok());
  }
  return 0;
}
