#pragma once

// The calls of one request's join fields (join.h): found by walking each
// answer as it arrives along the document's selection, made as soon as an
// answer is walked, and remembered per (field, parent) for the printer.
//
// - Identical calls (same method, same request bytes) are made once; every
//   parent that needs one gets its answer.
// - A batched join makes one call per answer walked with all the distinct
//   keys its parents have (up to max_keys a call), not one per parent; a
//   key already asked for in this request is not asked again.
// - At most `concurrency` join calls are in flight at once; the others wait.
// - The request's calls (root fields included, `*calls`) stop at
//   `max_calls`: a join call past it is not made, and its fields are
//   RESOURCE_EXHAUSTED errors.
// - An answer is walked too: joins under joins run as soon as their parents
//   are known (the document is finite, so recursive types end).
//
// Example:
//   JoinCalls joins(schema, collector, values, variables, limits, caller, keep_alive, on_idle,
//                   &calls);
//   joins.Walk(*user_type, user_value, collector.SubFields(selected));
//   ... on_idle: every call answered; then the printer asks
//   joins.Find(selected, parent)
//
// One request, one thread at a time (the execution's). `keep_alive` gives
// what must outlive an in-flight call (the execution owning this);
// `on_idle` runs when the last call in flight is answered (not from Walk).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "aggregate/value.h"
#include "aggregate/value_printer.h"
#include "graphql/call.h"
#include "graphql/field_collection.h"
#include "graphql/schema.h"
#include "nlohmann/json.hpp"

namespace protogate::graphql {

// The answer of one join field on one parent.
struct JoinAnswer {
  absl::Status status{};
  std::string details{};     // google.rpc.Status details (JSON array) when failed
  aggregate::Value value{};  // the shown message or result field; absent: null
};

struct JoinLimits {
  int max_calls = 50;   // calls per request, root fields included
  int concurrency = 8;  // join calls in flight at once
};

class JoinCalls {
 public:
  JoinCalls(const Schema& schema, const FieldCollector& collector,
            const aggregate::ValuePrinter& values, const nlohmann::ordered_json& variables,
            JoinLimits limits, Caller caller, std::function<std::shared_ptr<void>()> keep_alive,
            std::function<void()> on_idle, int* calls);

  // Finds the join fields `fields` select on `message` (a kMessage of
  // `type`'s message) and under it, and starts their calls.
  void Walk(const SchemaType& type, const aggregate::Value& message,
            const std::vector<CollectedField>& fields);

  // The answer of the join field `selected` on `parent`; nullptr when it has
  // none (the parent was not walked).
  const JoinAnswer* Find(const CollectedField& selected, const aggregate::Value& parent) const;

  bool idle() const { return in_flight_ == 0 && queue_.empty(); }
  int failed_calls() const { return failed_; }

 private:
  struct Instance {
    const SchemaField* field = nullptr;
    CollectedField selected{};
    aggregate::Value parent{};
    nlohmann::ordered_json arguments = nlohmann::ordered_json::object();
    std::optional<JoinAnswer> answer{};
  };
  struct PendingCall {
    const Join* join = nullptr;
    Call call{};
    std::vector<size_t> waiters{};  // unbatched: instances answered by the reply
    std::vector<std::pair<std::string, size_t>> keyed{};           // batched: key, instance
    std::optional<CallReply> reply{};                              // once answered
    absl::flat_hash_map<std::string, aggregate::Value> results{};  // batched, by key
  };
  // Batched instances waiting for the keys of one join (with one set of
  // arguments), gathered during one walk.
  struct BatchGroup {
    const Join* join = nullptr;
    nlohmann::ordered_json arguments{};
    std::string mask{};               // the read mask's bytes (one selection per group); "": none
    std::vector<std::string> keys{};  // distinct, first-seen order
    struct Key {
      aggregate::Value value{};
      std::vector<size_t> instances{};  // waiting for it
    };
    absl::flat_hash_map<std::string, Key> by_key{};
  };

  void WalkInto(const SchemaType& type, const aggregate::Value& message,
                const std::vector<CollectedField>& fields);
  void WalkValue(const TypeRef& type, const aggregate::Value& value,
                 const CollectedField& selected);
  // The FieldMask bytes of what the instance's selection reads, for its
  // join's read mask; "" when the join has none or nothing names a field.
  std::string ReadMask(size_t index) const;
  void AddInstance(const SchemaField& field, const CollectedField& selected,
                   const aggregate::Value& parent);
  void Unbatched(size_t instance);
  void Batched(size_t instance);
  void FlushBatches();
  void FlushGroup(const std::string& name, BatchGroup& group);
  void Enqueue(PendingCall call);
  void Pump();
  void Answered(size_t call, CallReply reply);
  void Complete(size_t call, CallReply reply);
  JoinAnswer AnswerOf(const PendingCall& call, const std::string* key) const;
  void Settle(size_t instance, JoinAnswer answer);

  const Schema& schema_;
  const FieldCollector& collector_;
  const aggregate::ValuePrinter& values_;
  const nlohmann::ordered_json& variables_;
  JoinLimits limits_;
  Caller caller_;
  std::function<std::shared_ptr<void>()> keep_alive_;
  std::function<void()> on_idle_;
  int& calls_;

  std::vector<Instance> instances_;
  absl::flat_hash_map<std::pair<const Selection*, const void*>, size_t> by_parent_;
  std::vector<PendingCall> pending_;                     // by call index
  absl::flat_hash_map<std::string, size_t> by_request_;  // method + bytes -> call
  absl::flat_hash_map<std::string, size_t> by_key_;      // group + key -> call
  absl::flat_hash_map<std::string, BatchGroup> groups_;  // this walk's batches
  std::vector<std::string> group_order_;
  std::deque<size_t> queue_;
  int in_flight_ = 0;
  int failed_ = 0;
  int walking_ = 0;  // inside Walk or Answered: on_idle waits, batches gather
  bool pumping_ = false;
};

}  // namespace protogate::graphql
