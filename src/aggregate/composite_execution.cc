#include "aggregate/composite_execution.h"

#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "aggregate/evaluation.h"
#include "aggregate/request_writer.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/status_mapping.h"
#include "transcode/strict_json.h"
#include "transcode/wire_inspection.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

constexpr int kInvalidArgument = static_cast<int>(absl::StatusCode::kInvalidArgument);
constexpr int kDeadlineExceeded = static_cast<int>(absl::StatusCode::kDeadlineExceeded);
constexpr int kResourceExhausted = static_cast<int>(absl::StatusCode::kResourceExhausted);
constexpr int kInternal = static_cast<int>(absl::StatusCode::kInternal);

std::string CodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Request ids and values come from clients: never let bad UTF-8 throw.
std::string Dump(const Json& value) { return common::JsonText(value); }

std::string RequestStartText(absl::Time start) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", start, absl::UTCTimeZone());
}

upstream::Metadata CallMetadata(const CompositeRequest& request) {
  upstream::Metadata metadata = request.metadata;
  std::erase_if(metadata, [](const auto& kv) {
    return kv.first == "x-request-id" || kv.first == kRequestStartMetadata;
  });
  if (!request.request_id.empty()) metadata.emplace_back("x-request-id", request.request_id);
  metadata.emplace_back(kRequestStartMetadata, RequestStartText(request.start));
  return metadata;
}

absl::Status NotParsed(const PlanCall& call) {
  return absl::InternalError(
      absl::StrCat("the response does not parse as ", call.response_type_url));
}

CompositeResponse RefusedRequest(absl::string_view message) {
  CompositeResponse response;
  response.status = absl::InvalidArgumentError(message);
  return response;
}

class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(std::shared_ptr<const CompositePlan> plan, CompositeRequest request,
            std::function<void(CompositeResponse)> done, CallStarter starter)
      : plan_(std::move(plan)),
        request_(std::move(request)),
        done_(std::move(done)),
        starter_(std::move(starter)),
        metadata_(CallMetadata(request_)),
        selected_(request_.selection ? request_.selection : plan_->whole()),
        calls_(plan_->calls().size()) {}

  void Start();

 private:
  enum class Phase { kWaiting, kRunning, kSucceeded, kFailed, kNotRun, kSkipped };
  struct CallState {
    Phase phase = Phase::kWaiting;
    int code = 0;
    std::string message;
    std::string details;  // serialized google.rpc.Status
    absl::Time started;
    absl::Time finished;
    int calls = 0;
    std::vector<Value> items;  // for_each: the list
    Value items_list;          // the same as one Value, for a batch's $items
    size_t next_item = 0;
    size_t answered = 0;
    std::vector<Value> results;
  };
  struct Launch {
    int call = 0;
    size_t item = 0;
    std::string bytes;
    absl::Time deadline;
  };

  void OnResult(int index, size_t item, upstream::UnaryCallResult result);
  void Dispatch(std::vector<Launch> launches, std::optional<CompositeResponse> response);

  void Schedule(std::vector<Launch>& launches);
  void StartCall(int index, std::vector<Launch>& launches);
  void StartForEach(int index, std::vector<Launch>& launches);
  void LaunchItems(int index, std::vector<Launch>& launches);
  void Record(int index, size_t item, upstream::UnaryCallResult result,
              std::vector<Launch>& launches);
  bool AddLaunch(int index, size_t item, const Value* item_value, const Value* items,
                 std::vector<Launch>& launches);
  void Succeed(int index, Value output);
  void Fail(int index, int code, std::string message, std::string details = "");
  std::optional<CompositeResponse> TakeResponse();
  CompositeResponse Compose();
  CompositeResponse Failure(int index);
  std::vector<CallTiming> Timings();

  absl::StatusOr<std::string> RequestBytes(const PlanCall& call, const Sources& sources) const;
  absl::StatusOr<Value> ResponseValue(const PlanCall& call, std::string bytes) const;
  absl::StatusOr<Json> ResponseJson(const PlanCall& call, const std::string& bytes) const;
  std::string Text(const Value& value) const;

  const std::shared_ptr<const CompositePlan> plan_;
  const CompositeRequest request_;
  const std::function<void(CompositeResponse)> done_;
  const CallStarter starter_;
  const upstream::Metadata metadata_;
  const std::shared_ptr<const SelectedPlan> selected_;

  Sources sources_;
  std::vector<CallState> calls_;
  int failed_required_ = -1;
  bool finished_ = false;
};

void Execution::Start() {
  sources_ = SourcesOf(request_.bindings, request_.query);
  sources_.auth = request_.auth;
  sources_.printer = &plan_->printer();
  sources_.calls.resize(calls_.size());
  if (plan_->uses_body() && !request_.body.empty()) {
    // The same strict check as a transcoded body's; nlohmann would take
    // the last of two equal keys, and some of what RFC 8259 forbids.
    absl::Status strict = transcode::CheckStrictJson(request_.body, transcode::JsonBodyShape::Any(),
                                                     plan_->max_json_depth());
    if (strict.ok()) sources_.body = Json::parse(request_.body, nullptr, false);
    if (!strict.ok() || sources_.body.is_discarded()) {
      finished_ = true;
      done_(RefusedRequest(strict.ok() ? "invalid JSON body" : strict.message()));
      return;
    }
  }
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (!selected_->made[i]) calls_[i].phase = Phase::kSkipped;
  }
  std::vector<Launch> launches;
  Schedule(launches);
  Dispatch(std::move(launches), TakeResponse());
}

void Execution::OnResult(int index, size_t item, upstream::UnaryCallResult result) {
  if (finished_) return;  // the answer is out; late results change nothing
  std::vector<Launch> launches;
  Record(index, item, std::move(result), launches);
  Schedule(launches);
  Dispatch(std::move(launches), TakeResponse());
}

// The state is settled before anything leaves: a starter may complete a
// call inline, which re-enters OnResult.
void Execution::Dispatch(std::vector<Launch> launches, std::optional<CompositeResponse> response) {
  if (response) {
    done_(*std::move(response));
    return;
  }
  for (Launch& launch : launches) {
    if (finished_) return;  // an inline completion ended the composite
    const PlanCall& call = plan_->calls()[static_cast<size_t>(launch.call)];
    upstream::UnaryCallRequest request{.method_path = call.method_path,
                                       .request = std::move(launch.bytes),
                                       .metadata = metadata_,
                                       .deadline = launch.deadline};
    if (auto extra = request_.service_metadata.find(call.service);
        extra != request_.service_metadata.end()) {
      request.metadata.insert(request.metadata.end(), extra->second.begin(), extra->second.end());
    }
    const CallMask& mask = selected_->masks[call.index];
    if (!mask.paths.empty()) {
      request.metadata.emplace_back(transcode::kFieldMaskMetadata, mask.paths);
    }
    starter_(
        call, std::move(request),
        [self = shared_from_this(), index = launch.call, item = launch.item](
            upstream::UnaryCallResult result) { self->OnResult(index, item, std::move(result)); });
  }
}

// Starts every waiting call whose dependencies have all finished; a call
// that needs an output its dependency could not give is not run. Repeats
// because a call that is not run can settle its own dependents.
void Execution::Schedule(std::vector<Launch>& launches) {
  const std::vector<PlanCall>& plan_calls = plan_->calls();
  bool changed = true;
  while (changed && failed_required_ < 0) {
    changed = false;
    for (size_t i = 0; i < plan_calls.size() && failed_required_ < 0; ++i) {
      if (calls_[i].phase != Phase::kWaiting) continue;
      bool waiting = false;
      int missing = -1;
      for (int dep : plan_calls[i].dependencies) {
        const Phase phase = calls_[static_cast<size_t>(dep)].phase;
        if (phase == Phase::kWaiting || phase == Phase::kRunning) waiting = true;
        if (sources_.calls[static_cast<size_t>(dep)].absent()) missing = dep;
      }
      if (waiting) continue;
      changed = true;
      if (missing < 0) {
        StartCall(static_cast<int>(i), launches);
        continue;
      }
      const CallState& dep = calls_[static_cast<size_t>(missing)];
      Fail(static_cast<int>(i), dep.code,
           absl::StrCat("call \"", plan_calls[static_cast<size_t>(missing)].name,
                        "\" it needs has no output (", CodeName(dep.code), ": ", dep.message, ")"));
      calls_[i].phase = Phase::kNotRun;
    }
  }
}

void Execution::StartCall(int index, std::vector<Launch>& launches) {
  CallState& state = calls_[static_cast<size_t>(index)];
  state.phase = Phase::kRunning;
  state.started = absl::Now();
  if (state.started >= request_.deadline) {
    Fail(index, kDeadlineExceeded, "the composite's deadline passed before the call started");
    return;
  }
  if (plan_->calls()[static_cast<size_t>(index)].for_each) {
    StartForEach(index, launches);
    return;
  }
  AddLaunch(index, 0, nullptr, nullptr, launches);
}

void Execution::StartForEach(int index, std::vector<Launch>& launches) {
  const PlanCall& call = plan_->calls()[static_cast<size_t>(index)];
  CallState& state = calls_[static_cast<size_t>(index)];
  const Value list = Lookup(*call.for_each, sources_);
  if (list.kind() == Value::Kind::kList) {
    state.items = list.items();
  } else if (list.kind() == Value::Kind::kJson && list.json().is_array()) {
    for (const Json& item : list.json()) state.items.emplace_back(item);
  }
  if (call.distinct) {
    std::set<std::string> seen;
    std::vector<Value> unique;
    for (Value& item : state.items) {
      if (seen.insert(Text(item)).second) unique.push_back(std::move(item));
    }
    state.items = std::move(unique);
  }
  if (state.items.size() > kMaxFanOut) {
    Fail(index, kResourceExhausted,
         absl::StrCat("for_each gave ", state.items.size(), " items (at most ", kMaxFanOut, ")"));
    return;
  }
  if (state.items.empty()) {
    Succeed(index, Value::List({}));
    return;
  }
  if (call.batched) {
    state.items_list = Value::List(state.items);
    AddLaunch(index, 0, nullptr, &state.items_list, launches);
    return;
  }
  state.results.assign(state.items.size(), Value());
  LaunchItems(index, launches);
}

void Execution::LaunchItems(int index, std::vector<Launch>& launches) {
  const PlanCall& call = plan_->calls()[static_cast<size_t>(index)];
  CallState& state = calls_[static_cast<size_t>(index)];
  while (state.phase == Phase::kRunning && state.next_item < state.items.size() &&
         state.next_item - state.answered < static_cast<size_t>(call.concurrency)) {
    const size_t item = state.next_item++;
    if (absl::Now() >= request_.deadline) {
      Fail(index, kDeadlineExceeded,
           absl::StrCat("the composite's deadline passed before item ", item, " could start"));
      return;
    }
    if (!AddLaunch(index, item, &state.items[item], nullptr, launches)) return;
  }
}

bool Execution::AddLaunch(int index, size_t item, const Value* item_value, const Value* items,
                          std::vector<Launch>& launches) {
  const PlanCall& call = plan_->calls()[static_cast<size_t>(index)];
  sources_.item = item_value;
  sources_.items = items;
  absl::StatusOr<std::string> bytes = RequestBytes(call, sources_);
  sources_.item = nullptr;
  sources_.items = nullptr;
  if (!bytes.ok()) {
    std::string where =
        item_value ? absl::StrCat("item ", item, " (", Text(*item_value), "): ") : std::string();
    Fail(index, kInvalidArgument, absl::StrCat(where, bytes.status().message()));
    return false;
  }
  ++calls_[static_cast<size_t>(index)].calls;
  const absl::Time deadline =
      std::min(absl::Now() + absl::FromChrono(call.timeout), request_.deadline);
  launches.push_back(
      {.call = index, .item = item, .bytes = *std::move(bytes), .deadline = deadline});
  return true;
}

void Execution::Record(int index, size_t item, upstream::UnaryCallResult result,
                       std::vector<Launch>& launches) {
  const PlanCall& call = plan_->calls()[static_cast<size_t>(index)];
  CallState& state = calls_[static_cast<size_t>(index)];
  if (state.phase != Phase::kRunning) return;  // a fan-out that already failed
  const bool per_item = call.for_each && !call.batched;
  if (result.code != 0) {
    std::string where = per_item ? absl::StrCat("item ", item, " (", Text(state.items[item]), "): ")
                                 : std::string();
    if (result.message.empty() && result.code == kDeadlineExceeded) {
      result.message = absl::StrCat("deadline exceeded");
    }
    Fail(index, result.code, absl::StrCat(where, result.message), std::move(result.status_details));
    return;
  }
  absl::StatusOr<Value> output = ResponseValue(call, std::move(result.response));
  if (!output.ok()) {
    Fail(index, kInternal, std::string(output.status().message()));
    return;
  }
  if (call.batched) {
    Value results = aggregate::Lookup(*output, call.batch_response, plan_->printer());
    Succeed(index, results.absent() ? Value::List({}) : std::move(results));
  } else if (per_item) {
    state.results[item] = *std::move(output);
    if (++state.answered == state.items.size()) {
      Succeed(index, Value::List(std::move(state.results)));
    } else {
      LaunchItems(index, launches);
    }
  } else {
    Succeed(index, *std::move(output));
  }
}

void Execution::Succeed(int index, Value output) {
  CallState& state = calls_[static_cast<size_t>(index)];
  state.phase = Phase::kSucceeded;
  state.finished = absl::Now();
  sources_.calls[static_cast<size_t>(index)] = std::move(output);
}

void Execution::Fail(int index, int code, std::string message, std::string details) {
  const PlanCall& call = plan_->calls()[static_cast<size_t>(index)];
  CallState& state = calls_[static_cast<size_t>(index)];
  state.phase = Phase::kFailed;
  state.finished = absl::Now();
  state.code = code;
  state.message = std::move(message);
  state.details = std::move(details);
  if (call.required) {
    if (failed_required_ < 0) failed_required_ = index;
    return;
  }
  if (call.fallback) sources_.calls[static_cast<size_t>(index)] = Value(*call.fallback);
}

std::optional<CompositeResponse> Execution::TakeResponse() {
  if (finished_) return std::nullopt;
  if (failed_required_ >= 0) {
    finished_ = true;
    return Failure(failed_required_);
  }
  for (const CallState& state : calls_) {
    if (state.phase == Phase::kWaiting || state.phase == Phase::kRunning) return std::nullopt;
  }
  finished_ = true;
  return Compose();
}

CompositeResponse Execution::Compose() {
  CompositeResponse response;
  std::string& body = response.body;
  if (!PrintResponse(selected_->response, sources_, &body) || body.empty() || body.back() != '}') {
    body = "{}";
  }
  Json errors = Json::array();
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].phase != Phase::kFailed && calls_[i].phase != Phase::kNotRun) continue;
    const std::string prefix = calls_[i].phase == Phase::kNotRun ? "not run: " : "";
    errors.push_back({{"call", plan_->calls()[i].name},
                      {"code", calls_[i].code},
                      {"message", prefix + calls_[i].message}});
  }
  if (!errors.empty()) {
    body.pop_back();
    if (body.size() > 1) body.push_back(',');
    absl::StrAppend(&body, "\"errors\":", Dump(errors), "}");
    response.partial = true;
  }
  response.timings = Timings();
  return response;
}

CompositeResponse Execution::Failure(int index) {
  const CallState& state = calls_[static_cast<size_t>(index)];
  const std::string& name = plan_->calls()[static_cast<size_t>(index)].name;
  std::string message =
      state.phase == Phase::kNotRun
          ? absl::StrCat("call \"", name, "\" did not run: ", state.message)
          : absl::StrCat("call \"", name, "\" failed: ", CodeName(state.code), ": ", state.message);
  std::vector<std::string> not_run;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].phase == Phase::kWaiting || calls_[i].phase == Phase::kNotRun) {
      if (static_cast<int>(i) != index) not_run.push_back(plan_->calls()[i].name);
    }
  }
  if (!not_run.empty()) absl::StrAppend(&message, " (not run: ", absl::StrJoin(not_run, ", "), ")");
  CompositeResponse response;
  // A failure always has a code; UNKNOWN keeps it one if an upstream said 0.
  const int code = state.code != 0 ? state.code : static_cast<int>(absl::StatusCode::kUnknown);
  response.status = absl::Status(static_cast<absl::StatusCode>(code), message);
  response.details = transcode::DetailsJsonFromStatusBytes(state.details, &plan_->registry());
  response.timings = Timings();
  return response;
}

std::vector<CallTiming> Execution::Timings() {
  const absl::Time now = absl::Now();
  std::vector<CallTiming> timings;
  for (size_t i = 0; i < calls_.size(); ++i) {
    const CallState& state = calls_[i];
    CallTiming timing;
    timing.call = plan_->calls()[i].name;
    timing.code = state.code;
    timing.calls = state.calls;
    timing.ran = state.phase != Phase::kWaiting && state.phase != Phase::kNotRun &&
                 state.phase != Phase::kSkipped;
    timing.skipped = state.phase == Phase::kSkipped;
    if (timing.ran) {
      const absl::Time end = state.phase == Phase::kRunning ? now : state.finished;
      timing.duration = end - state.started;
    }
    timings.push_back(std::move(timing));
  }
  return timings;
}

absl::StatusOr<std::string> Execution::RequestBytes(const PlanCall& call,
                                                    const Sources& sources) const {
  std::string bytes;
  RETURN_IF_ERROR(
      WriteRequest(call.request, *call.request_type, sources, plan_->registry(), &bytes));
  // The template does not set the mask field, so it is not on the wire yet.
  bytes.append(selected_->masks[call.index].request_field);
  return bytes;
}

std::string Execution::Text(const Value& value) const {
  std::string text;
  if (!plan_->printer().Print(value, &text)) text = "null";
  return text;
}

// A call's output stays wire: checked once here (as the single-route
// printer checks it), so that lookups and printing later can trust it.
absl::StatusOr<Value> Execution::ResponseValue(const PlanCall& call, std::string bytes) const {
  if (plan_->output_options().emit_default_values || call.response_type == nullptr) {
    // Defaults are only known to protobuf's printer: the JSON-tree path.
    ASSIGN_OR_RETURN(Json json, ResponseJson(call, bytes));
    return Value(std::move(json));
  }
  std::optional<Value> value =
      WireMessage(std::move(bytes), *call.response_type, plan_->registry());
  if (!value) return NotParsed(call);
  return *std::move(value);
}

absl::StatusOr<Json> Execution::ResponseJson(const PlanCall& call, const std::string& bytes) const {
  std::string text;
  const transcode::JsonOutputOptions& options = plan_->output_options();
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = options.use_proto_field_names;
  print.always_print_primitive_fields = options.emit_default_values;
  print.always_print_enums_as_ints = options.enums_as_ints;
  auto status = gpb::util::BinaryToJsonString(plan_->registry().resolver(), call.response_type_url,
                                              bytes, &text, print);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("the response does not parse as ", call.response_type_url, ": ",
                     std::string(status.message().data(), status.message().size())));
  }
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return absl::InternalError("the response printed as invalid JSON");
  return json;
}

}  // namespace

std::string CompositeResponse::TimingsForLog() const {
  std::vector<std::string> parts;
  for (const CallTiming& timing : timings) {
    if (!timing.ran) {
      parts.push_back(absl::StrCat(timing.call, timing.skipped ? ":skipped" : ":-"));
      continue;
    }
    std::string part =
        absl::StrCat(timing.call, ":", timing.code, ":", absl::FormatDuration(timing.duration));
    if (timing.calls != 1) absl::StrAppend(&part, ":x", timing.calls);
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, ",");
}

void ExecuteComposite(std::shared_ptr<const CompositePlan> plan, CompositeRequest request,
                      std::function<void(CompositeResponse)> done, CallStarter starter) {
  auto execution = std::make_shared<Execution>(std::move(plan), std::move(request), std::move(done),
                                               std::move(starter));
  execution->Start();
}

}  // namespace protogate::aggregate
