#pragma once

// What a client keeps of a composite route's answer (the `fields` parameter,
// the X-Fields header, its client profile's view), and what that asks of
// each call: the calls whose output nothing kept uses are not made, and each
// call that is made learns, as a field mask, which parts of its output the
// composed answer and the other calls read.
//
// Paths (transcode/field_selection.h's syntax) start at the answer's keys as
// configured (`user`, `orders`, a nested object's keys), go on into a call's
// message by its fields (JSON or proto names; `*` after a list optional),
// and reach the members a `$merge` copies by their names. What a `$drop`
// removes is no field of the answer. `errors` may be named and is always
// kept: it reports the optional calls that failed.
//
// Example:
//   ASSIGN_OR_RETURN(auto kept, ParseAnswerSelection("user(name),orders.id", *plan));
//   std::shared_ptr<const SelectedPlan> run = SelectCalls(*plan, kept.get());
//   run->made[2] -> false   // products: nothing kept reads it
//   run->masks[1].paths -> "orders.id"
//
// Which calls are skipped: those that the whole answer reads (directly, or
// through the calls that read them) and the kept part does not. A call the
// whole answer never reads is made as always: it is there for its own sake
// (a required check, say). Masks are never narrower than what is read; a
// read that stops inside a map or a Struct asks for that whole field.
//
// Immutable once built; safe to share between threads. The plan must
// outlive what is built over it.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aggregate/composite_plan.h"
#include "transcode/field_selection.h"

namespace protogate::aggregate {

// What is kept of one object level of the answer.
struct AnswerSelection {
  struct Key {
    size_t field = 0;  // index into the level's ValueTemplate::fields
    // Both null: the key whole.
    std::shared_ptr<const AnswerSelection> object{};             // a nested object, narrowed
    std::shared_ptr<const transcode::FieldSelection> message{};  // a call's message(s), narrowed
  };
  std::vector<Key> keys{};  // template order
  // By index into the level's merges: what is kept of the merged message's
  // members; null: none of them.
  std::vector<std::shared_ptr<const transcode::FieldSelection>> merges{};
};

// A client's `fields` text over the plan's answer. InvalidArgument naming
// the path, as for a unary route, e.g. `fields: no field "nme" at
// "user.nme"`, `fields: "products" has no sub-fields at "products.x"` (a
// literal, a path or query value, a map).
absl::StatusOr<std::shared_ptr<const AnswerSelection>> ParseAnswerSelection(
    absl::string_view text, const CompositePlan& plan);

// What `asked` keeps within what `view` (a client profile's) allows; an
// asked path the view does not hold is an unknown field, as on unary routes.
absl::StatusOr<std::shared_ptr<const AnswerSelection>> NarrowAnswerSelection(
    const AnswerSelection& asked, const AnswerSelection& view, const CompositePlan& plan);

// A call's field mask: the proto paths of its output that are read.
struct CallMask {
  std::string paths;  // comma-separated, sorted; "": the whole output
  // The call's read_mask field (PlanCall::read_mask) holding these paths,
  // ready to append to its request; "": none (whole output, or no field).
  std::string request_field;
};

// The plan as one selection runs it.
struct SelectedPlan {
  ValueTemplate response;       // the answer's shape, narrowed (keys left out, values trimmed)
  std::vector<bool> made;       // by call index; false: the call is skipped
  std::vector<CallMask> masks;  // by call index
};

// `selection` null: the whole answer (the plan's own masks).
std::shared_ptr<const SelectedPlan> SelectCalls(const CompositePlan& plan,
                                                const AnswerSelection* selection);

}  // namespace protogate::aggregate
