#include "graphql/join_calls.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "aggregate/evaluation.h"
#include "aggregate/request_writer.h"
#include "common/json_text.h"
#include "graphql/input_values.h"
#include "graphql/mask_paths.h"
#include "transcode/field_mask.h"

namespace protogate::graphql {
namespace {

const TypeRef& Unwrapped(const TypeRef& type) {
  return type.kind == TypeRef::Kind::kNonNull ? type.of[0] : type;
}

}  // namespace

JoinCalls::JoinCalls(const Schema& schema, const FieldCollector& collector,
                     const aggregate::ValuePrinter& values, const nlohmann::ordered_json& variables,
                     JoinLimits limits, Caller caller,
                     std::function<std::shared_ptr<void>()> keep_alive,
                     std::function<void()> on_idle, int* calls)
    : schema_(schema),
      collector_(collector),
      values_(values),
      variables_(variables),
      limits_(limits),
      caller_(std::move(caller)),
      keep_alive_(std::move(keep_alive)),
      on_idle_(std::move(on_idle)),
      calls_(*calls) {}

void JoinCalls::Walk(const SchemaType& type, const aggregate::Value& message,
                     const std::vector<CollectedField>& fields) {
  ++walking_;
  WalkInto(type, message, fields);
  FlushBatches();
  Pump();
  --walking_;
}

const JoinAnswer* JoinCalls::Find(const CollectedField& selected,
                                  const aggregate::Value& parent) const {
  auto it = by_parent_.find({&selected.first(), parent.wire().data()});
  if (it == by_parent_.end()) return nullptr;
  const std::optional<JoinAnswer>& answer = instances_[it->second].answer;
  return answer ? &*answer : nullptr;
}

void JoinCalls::WalkInto(const SchemaType& type, const aggregate::Value& message,
                         const std::vector<CollectedField>& fields) {
  for (const CollectedField& selected : fields) {
    const SchemaField* field = schema_.FindField(type, selected.first().name);
    if (field == nullptr) continue;  // __typename
    if (field->join != nullptr) {
      AddInstance(*field, selected, message);
    } else if (field->field != nullptr && field->field->message_type() != nullptr &&
               !field->field->is_map()) {
      WalkValue(field->type, aggregate::FieldOf(message, *field->field), selected);
    }
  }
}

void JoinCalls::WalkValue(const TypeRef& type, const aggregate::Value& value,
                          const CollectedField& selected) {
  const TypeRef& inner = Unwrapped(type);
  if (inner.kind == TypeRef::Kind::kList) {
    if (value.kind() == aggregate::Value::Kind::kList) {
      for (const aggregate::Value& item : value.items()) WalkValue(inner.of[0], item, selected);
    } else if (value.kind() == aggregate::Value::Kind::kMessage) {
      WalkValue(inner.of[0], value, selected);  // one element on the wire
    }
    return;
  }
  if (value.kind() != aggregate::Value::Kind::kMessage) return;
  const SchemaType* named = schema_.FindType(inner.name);
  if (named == nullptr || named->kind != SchemaType::Kind::kObject) return;
  WalkInto(*named, value, collector_.SubFields(selected));
}

void JoinCalls::AddInstance(const SchemaField& field, const CollectedField& selected,
                            const aggregate::Value& parent) {
  auto [it, inserted] = by_parent_.emplace(
      std::make_pair(&selected.first(), static_cast<const void*>(parent.wire().data())),
      instances_.size());
  if (!inserted) return;  // the same parent reached again (a shared answer)
  const size_t index = instances_.size();
  instances_.push_back({.field = &field, .selected = selected, .parent = parent});
  auto arguments = RequestJson(schema_, field, selected.first().arguments, variables_);
  if (!arguments.ok()) return Settle(index, {.status = arguments.status()});
  instances_[index].arguments = *std::move(arguments);
  if (field.join->batch) return Batched(index);
  Unbatched(index);
}

std::string JoinCalls::ReadMask(size_t index) const {
  const Instance& instance = instances_[index];
  const Join& join = *instance.field->join;
  if (join.read_mask == nullptr) return "";
  MaskPaths paths(schema_, collector_, MaskPaths::Names::kProto);
  if (const SchemaType* type = ObjectType(schema_, instance.field->type)) {
    paths.Add(*type, collector_.SubFields(instance.selected), join.mask_prefix);
  }
  if (paths.empty()) return "";  // only __typename: nothing to narrow
  // A batch matches its results to the keys by this field.
  if (join.batch) paths.AddProtoPath(join.mask_prefix + join.batch->match->name());
  return transcode::FieldMaskField(join.read_mask->number(), paths.paths());
}

void JoinCalls::Unbatched(size_t index) {
  const Join& join = *instances_[index].field->join;
  aggregate::Sources sources;
  sources.body = instances_[index].arguments;
  sources.item = &instances_[index].parent;
  sources.printer = &values_;
  std::string bytes;
  if (absl::Status written = aggregate::WriteRequest(join.request, *join.method->input_type(),
                                                     sources, *values_.registry(), &bytes);
      !written.ok()) {
    return Settle(index, {.status = written});
  }
  // The template does not set the mask: appended, it is the only one.
  bytes.append(ReadMask(index));
  std::string identity = absl::StrCat(join.method->full_name(), "\n", bytes);
  auto it = by_request_.find(identity);
  if (it != by_request_.end()) {
    PendingCall& call = pending_[it->second];
    if (call.reply) return Settle(index, AnswerOf(call, nullptr));
    call.waiters.push_back(index);
    return;
  }
  by_request_.emplace(std::move(identity), pending_.size());
  PendingCall call{.join = &join,
                   .call = {.method = join.method, .request = std::move(bytes), .wire = true}};
  call.waiters.push_back(index);
  Enqueue(std::move(call));
}

void JoinCalls::Batched(size_t index) {
  const Instance& instance = instances_[index];
  const Join& join = *instance.field->join;
  aggregate::Sources sources;
  sources.item = &instance.parent;
  sources.printer = &values_;
  aggregate::Value key = aggregate::Lookup(join.batch->key, sources);
  std::string key_text;
  if (key.absent() || !values_.Print(key, &key_text)) {
    return Settle(index, {});  // no key: nothing to find, the field is null
  }
  // Selections that read other fields get calls of their own.
  std::string mask = ReadMask(index);
  std::string group =
      absl::StrCat(join.name, "\n", common::JsonText(instance.arguments), "\n", mask);
  auto known = by_key_.find(absl::StrCat(group, "\n", key_text));
  if (known != by_key_.end()) {
    PendingCall& call = pending_[known->second];
    if (call.reply) return Settle(index, AnswerOf(call, &key_text));
    call.keyed.emplace_back(key_text, index);
    return;
  }
  auto [it, inserted] = groups_.try_emplace(group);
  BatchGroup& batch = it->second;
  if (inserted) {
    batch.join = &join;
    batch.arguments = instance.arguments;
    batch.mask = std::move(mask);
    group_order_.push_back(group);
  }
  auto [entry, is_new] = batch.by_key.try_emplace(key_text);
  if (is_new) {
    entry->second.value = key;
    batch.keys.push_back(key_text);
  }
  entry->second.instances.push_back(index);
}

// One call per max_keys distinct keys of each group gathered by the walk.
void JoinCalls::FlushBatches() {
  while (!group_order_.empty()) {
    // Settling a refused batch walks on and may gather new groups.
    absl::flat_hash_map<std::string, BatchGroup> groups = std::move(groups_);
    std::vector<std::string> order = std::move(group_order_);
    groups_.clear();
    group_order_.clear();
    for (const std::string& name : order) FlushGroup(name, groups[name]);
  }
}

void JoinCalls::FlushGroup(const std::string& name, BatchGroup& group) {
  const Join::Batch& batch = *group.join->batch;
  const size_t per_call = static_cast<size_t>(std::max(1, batch.max_keys));
  for (size_t start = 0; start < group.keys.size(); start += per_call) {
    const size_t end = std::min(group.keys.size(), start + per_call);
    std::vector<aggregate::Value> keys;
    PendingCall call{.join = group.join};
    for (size_t i = start; i < end; ++i) {
      const BatchGroup::Key& key = group.by_key[group.keys[i]];
      keys.push_back(key.value);
      by_key_[absl::StrCat(name, "\n", group.keys[i])] = pending_.size();
      for (size_t instance : key.instances) call.keyed.emplace_back(group.keys[i], instance);
    }
    const aggregate::Value list = aggregate::Value::List(std::move(keys));
    aggregate::Sources sources;
    sources.body = group.arguments;
    sources.items = &list;
    sources.printer = &values_;
    call.call = {.method = batch.method, .wire = true};
    const absl::Status written =
        aggregate::WriteRequest(batch.request, *batch.method->input_type(), sources,
                                *values_.registry(), &call.call.request);
    if (written.ok()) {
      call.call.request.append(group.mask);
      Enqueue(std::move(call));
      continue;
    }
    // Settling walks on and may add calls: keep what is read apart.
    const std::vector<std::pair<std::string, size_t>> keyed = call.keyed;
    call.reply = CallReply{.status = written};
    pending_.push_back(std::move(call));
    for (const auto& [key, instance] : keyed) Settle(instance, {.status = written});
  }
}

void JoinCalls::Enqueue(PendingCall call) {
  queue_.push_back(pending_.size());
  pending_.push_back(std::move(call));
}

void JoinCalls::Pump() {
  if (pumping_) return;  // a call answered at once: the outer loop goes on
  pumping_ = true;
  while (!queue_.empty() && in_flight_ < std::max(1, limits_.concurrency)) {
    const size_t index = queue_.front();
    queue_.pop_front();
    if (calls_ >= limits_.max_calls) {
      Complete(index, {.status = absl::ResourceExhaustedError(absl::StrCat(
                           "the request needs more than ", limits_.max_calls,
                           " internal calls (graphql.max_calls); this field was not fetched"))});
      continue;
    }
    ++calls_;
    ++in_flight_;
    caller_(std::move(pending_[index].call),
            [this, index, keep = keep_alive_()](CallReply reply) { Answered(index, reply); });
  }
  pumping_ = false;
}

void JoinCalls::Answered(size_t index, CallReply reply) {
  --in_flight_;
  ++walking_;
  Complete(index, std::move(reply));
  FlushBatches();
  Pump();
  --walking_;
  if (walking_ == 0 && idle()) on_idle_();
}

void JoinCalls::Complete(size_t index, CallReply reply) {
  if (!reply.status.ok()) ++failed_;
  PendingCall& stored = pending_[index];
  stored.reply = std::move(reply);
  if (stored.join->batch && stored.reply->status.ok()) {
    const Join::Batch& batch = *stored.join->batch;
    const aggregate::Value list = aggregate::FieldOf(stored.reply->response, *batch.response);
    auto index_result = [&](const aggregate::Value& result) {
      std::string key;
      if (values_.Print(aggregate::FieldOf(result, *batch.match), &key)) {
        stored.results.try_emplace(std::move(key), result);
      }
    };
    if (list.kind() == aggregate::Value::Kind::kList) {
      for (const aggregate::Value& result : list.items()) index_result(result);
    } else if (list.kind() == aggregate::Value::Kind::kMessage) {
      index_result(list);
    }
  }
  // Settling walks the answers, which may add calls: copy what is read.
  const std::vector<size_t> waiters = stored.waiters;
  const std::vector<std::pair<std::string, size_t>> keyed = stored.keyed;
  for (size_t instance : waiters) Settle(instance, AnswerOf(pending_[index], nullptr));
  for (const auto& [key, instance] : keyed) Settle(instance, AnswerOf(pending_[index], &key));
}

JoinAnswer JoinCalls::AnswerOf(const PendingCall& call, const std::string* key) const {
  const CallReply& reply = *call.reply;
  if (!reply.status.ok()) return {.status = reply.status, .details = reply.details};
  if (key != nullptr) {
    auto it = call.results.find(*key);
    return {.value = it == call.results.end() ? aggregate::Value() : it->second};
  }
  const Join& join = *call.join;
  if (join.result == nullptr) return {.value = reply.response};
  return {.value = aggregate::FieldOf(reply.response, *join.result)};
}

void JoinCalls::Settle(size_t index, JoinAnswer answer) {
  instances_[index].answer = std::move(answer);
  const Instance& instance = instances_[index];
  if (!instance.answer->status.ok() || instance.answer->value.absent()) return;
  const aggregate::Value value = instance.answer->value;
  const CollectedField selected = instance.selected;
  WalkValue(instance.field->type, value, selected);
}

}  // namespace protogate::graphql
