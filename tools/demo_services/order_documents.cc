#include "demo_services/order_documents.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace protogate::demo_services {

using demo::orders::v1::Order;

namespace {

constexpr char kCsv[] = "text/csv; charset=utf-8";

std::string Money(int64_t cents) { return absl::StrFormat("%d.%02d", cents / 100, cents % 100); }

std::string PlacedAt(const Order& order) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(order.create_time().seconds()),
                          absl::UTCTimeZone());
}

class OrderExport final : public grpc::ServerWriteReactor<google::api::HttpBody> {
 public:
  OrderExport(std::vector<std::string> lines, grpc::Status end)
      : lines_(std::move(lines)), end_(std::move(end)) {
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::CANCELLED);
    WriteNext();
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (next_ == lines_.size()) return Finish(end_);
    out_.set_content_type(kCsv);
    out_.set_data(std::move(lines_[next_++]));
    StartWrite(&out_);
  }

  std::vector<std::string> lines_;
  const grpc::Status end_;
  size_t next_ = 0;
  google::api::HttpBody out_;
};

// FNV-1a, 64 bits: a checksum any client can recompute in a few lines.
std::string Fnv1a64(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return absl::StrFormat("%016x", hash);
}

}  // namespace

google::api::HttpBody ReceiptOf(const Order& order) {
  std::string text = absl::StrCat("Receipt for order ", order.order_id(), "\nPlaced ",
                                  PlacedAt(order), " by user ", order.user_id(), "\n");
  for (const auto& item : order.items()) {
    absl::StrAppend(&text, "  ", item.quantity(), " x ", item.product_id(), " at ",
                    Money(item.unit_price_cents()), " = ",
                    Money(item.quantity() * item.unit_price_cents()), "\n");
  }
  absl::StrAppend(&text, "Total: ", Money(order.total_cents()), "\n");
  google::api::HttpBody receipt;
  receipt.set_content_type("text/plain; charset=utf-8");
  receipt.set_data(std::move(text));
  return receipt;
}

std::vector<std::string> CsvLinesOf(const demo::orders::v1::ListOrdersResponse& orders) {
  std::vector<std::string> lines = {"order_id,status,total_cents,create_time\n"};
  for (const Order& order : orders.orders()) {
    lines.push_back(absl::StrCat(order.order_id(), ",",
                                 demo::orders::v1::OrderStatus_Name(order.status()), ",",
                                 order.total_cents(), ",", PlacedAt(order), "\n"));
  }
  return lines;
}

grpc::ServerWriteReactor<google::api::HttpBody>* StartOrderExport(std::vector<std::string> lines,
                                                                  grpc::Status end) {
  return new OrderExport(std::move(lines), std::move(end));
}

demo::orders::v1::Attachment AttachmentOf(const demo::orders::v1::AttachDocumentRequest& request) {
  demo::orders::v1::Attachment attachment;
  attachment.set_order_id(request.order_id());
  attachment.set_title(request.title());
  attachment.set_content_type(request.document().content_type());
  attachment.set_size_bytes(static_cast<int64_t>(request.document().data().size()));
  attachment.set_fnv1a64(Fnv1a64(request.document().data()));
  return attachment;
}

}  // namespace protogate::demo_services
