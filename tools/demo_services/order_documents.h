#pragma once

// The demo's non-JSON methods of demo.orders.v1.OrderService, each on
// google.api.HttpBody: an order's receipt as text, a user's orders as a CSV
// stream, and documents attached as raw bytes.

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "demo/orders/v1/orders.pb.h"
#include "google/api/httpbody.pb.h"

namespace protogate::demo_services {

// The text/plain receipt of `order`.
google::api::HttpBody ReceiptOf(const demo::orders::v1::Order& order);

// The CSV lines of an export: a header line, then one per order.
std::vector<std::string> CsvLinesOf(const demo::orders::v1::ListOrdersResponse& orders);

// A stream that writes each of `lines` as one text/csv HttpBody message, the
// next once gRPC has taken the previous one, then ends with `end`. Deletes
// itself when done.
grpc::ServerWriteReactor<google::api::HttpBody>* StartOrderExport(std::vector<std::string> lines,
                                                                  grpc::Status end);

// What AttachDocument answers for a document received whole.
demo::orders::v1::Attachment AttachmentOf(const demo::orders::v1::AttachDocumentRequest& request);

}  // namespace protogate::demo_services
