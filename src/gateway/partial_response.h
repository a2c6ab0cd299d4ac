#pragma once

// Internal to the request pipeline: a client's partial-response request on a
// unary route (or a composite's answer, TakeAnswerSelection). The `fields` query parameter or the
// X-Fields header (AIP-161 paths, transcode/field_selection.h) narrows the answer; the selection is
// pushed down as the method's read mask and as `x-protogate-field-mask`
// metadata, and the gateway trims the answer itself too.
//
// Example (the transcode phase):
//   RETURN_IF_ERROR(TakeFieldSelection(ctx, query));   // 400 on a bad path
//   ... transcode ...
//   PushDownReadMask(ctx, &request_bytes);
//   PushDownRequestView(ctx, &request_bytes);
//
// On the request's event loop, like the RequestContext it reads.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aggregate/answer_selection.h"
#include "gateway/request_context.h"

namespace protogate::gateway {

// Reads the client's selection into ctx.selection and ctx.field_mask, and
// takes the `fields` parameter out of `query` (unless the request message
// has a field of that name). InvalidArgument on a path that does not fit, on
// both the parameter and the header, or on a route whose answer cannot be
// narrowed.
absl::Status TakeFieldSelection(RequestContext& ctx,
                                std::vector<std::pair<std::string, std::string>>& query);

// Replaces the request's read mask (when the method has one) by the
// client's selection; no change without a selection.
void PushDownReadMask(const RequestContext& ctx, std::string* request_bytes);

// AIP-157: the caller's profile's `view` for the method goes first in the
// request bytes, so that a `view` the caller sent itself (later on the wire,
// and the last value of a field wins) keeps precedence; the answer is
// trimmed to the profile's fields either way. No change without one.
void PushDownRequestView(const RequestContext& ctx, std::string* request_bytes);

// A composite route's selection (aggregate/answer_selection.h): the
// client's `fields` within its profile's view of the answer, taken out of
// `query` as on unary routes. Null: the whole answer. InvalidArgument on a
// path that does not fit the answer or the view.
absl::StatusOr<std::shared_ptr<const aggregate::SelectedPlan>> TakeAnswerSelection(
    const RequestContext& ctx, std::vector<std::pair<std::string, std::string>>& query);

}  // namespace protogate::gateway
