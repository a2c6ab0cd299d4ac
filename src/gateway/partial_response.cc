#include "gateway/partial_response.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "transcode/field_mask.h"
#include "transcode/field_selection.h"
#include "transcode/wire_format.h"

namespace protogate::gateway {
namespace {

constexpr char kFieldsParameter[] = "fields";
constexpr char kFieldsHeader[] = "x-fields";

// The client's selection text: the `fields` parameters (joined, as repeated
// parameters add paths) or the X-Fields header; empty when neither is given.
absl::StatusOr<std::string> SelectionText(const RequestContext& ctx,
                                          std::vector<std::pair<std::string, std::string>>& query) {
  std::string text;
  bool in_query = false;
  if (ctx.route->partial.query_parameter) {
    std::erase_if(query, [&](const auto& parameter) {
      if (parameter.first != kFieldsParameter) return false;
      in_query = true;
      if (!parameter.second.empty()) {
        absl::StrAppend(&text, text.empty() ? "" : ",", parameter.second);
      }
      return true;
    });
  }
  const absl::string_view header = ctx.request.Header(kFieldsHeader);
  if (in_query && !header.empty()) {
    return absl::InvalidArgumentError(
        "fields: given both as the `fields` parameter and the X-Fields header; send one");
  }
  if (!in_query) text = std::string(header);
  return text;
}

bool OnlySpaces(absl::string_view text) {
  return text.find_first_not_of(' ') == absl::string_view::npos;
}

}  // namespace

absl::Status TakeFieldSelection(RequestContext& ctx,
                                std::vector<std::pair<std::string, std::string>>& query) {
  ASSIGN_OR_RETURN(const std::string text, SelectionText(ctx, query));
  // The profile's view, when it has one here, is what the caller may see.
  const views::ClientProfiles& clients = *ctx.snapshot->clients;
  std::shared_ptr<const transcode::FieldSelection> view =
      clients.View(ctx.client, ctx.match->route_id);
  // Fields the profile renames are asked for by their new names.
  const transcode::FieldRenames* renames = clients.Renames(ctx.client, ctx.match->route_id).get();
  const PartialResponse& partial = ctx.route->partial;
  if (OnlySpaces(text)) {
    if (view == nullptr) return absl::OkStatus();  // everything
    ctx.selection = std::move(view);
  } else {
    if (partial.type == nullptr) {
      return absl::InvalidArgumentError(
          "fields: this route's answer is not a message, so it cannot be narrowed");
    }
    ASSIGN_OR_RETURN(ctx.selection, transcode::ParseFieldSelection(text, *partial.type, renames));
    if (view != nullptr) {
      ASSIGN_OR_RETURN(ctx.selection, transcode::NarrowSelection(*ctx.selection, *view, renames));
    }
  }
  ctx.field_mask = absl::StrJoin(transcode::ProtoPaths(*ctx.selection, partial.mask_prefix), ",");
  return absl::OkStatus();
}

void PushDownReadMask(const RequestContext& ctx, std::string* request_bytes) {
  const google::protobuf::FieldDescriptor* read_mask = ctx.route->partial.read_mask;
  if (ctx.selection == nullptr || read_mask == nullptr) return;
  // The request bytes are the transcoder's own: well-formed, so the scan
  // cannot fail. Whatever mask the client sent gives way to the selection.
  std::string rewritten;
  rewritten.reserve(request_bytes->size() + ctx.field_mask.size() + 16);
  transcode::wire::ForEachField(*request_bytes, [&](const transcode::wire::Field& field) {
    if (field.number != read_mask->number()) rewritten.append(field.raw.data(), field.raw.size());
  });
  rewritten.append(transcode::FieldMaskField(
      read_mask->number(), transcode::ProtoPaths(*ctx.selection, ctx.route->partial.mask_prefix)));
  *request_bytes = std::move(rewritten);
}

void PushDownRequestView(const RequestContext& ctx, std::string* request_bytes) {
  const views::RequestView view = ctx.snapshot->clients->ViewEnum(ctx.client, ctx.match->route_id);
  if (view.field_number == 0) return;
  std::string bytes;
  transcode::wire::AppendTag(view.field_number, transcode::wire::WireType::kVarint, &bytes);
  // Negative enum values are ten-byte varints, as protobuf writes them.
  transcode::wire::AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(view.value)), &bytes);
  bytes.append(*request_bytes);
  *request_bytes = std::move(bytes);
}

absl::StatusOr<std::shared_ptr<const aggregate::SelectedPlan>> TakeAnswerSelection(
    const RequestContext& ctx, std::vector<std::pair<std::string, std::string>>& query) {
  ASSIGN_OR_RETURN(const std::string text, SelectionText(ctx, query));
  const views::ClientProfiles& clients = *ctx.snapshot->clients;
  const int route_id = ctx.match->route_id;
  // The profile's view, prepared at load, serves a caller that narrows nothing.
  if (OnlySpaces(text)) return clients.AnswerPlan(ctx.client, route_id);
  const aggregate::CompositePlan& plan = *ctx.route->composite;
  ASSIGN_OR_RETURN(std::shared_ptr<const aggregate::AnswerSelection> kept,
                   aggregate::ParseAnswerSelection(text, plan));
  if (auto view = clients.AnswerView(ctx.client, route_id)) {
    ASSIGN_OR_RETURN(kept, aggregate::NarrowAnswerSelection(*kept, *view, plan));
  }
  return aggregate::SelectCalls(plan, kept.get());
}

}  // namespace protogate::gateway
