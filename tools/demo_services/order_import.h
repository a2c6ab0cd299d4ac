#pragma once

// demo.orders.v1.OrderService.ImportOrders: a client stream of orders, each
// placed as it is read; steered and counted by a StreamGate (order_watch.h).

#include <grpcpp/grpcpp.h>

#include <functional>

#include "demo/orders/v1/orders.pb.h"
#include "demo_services/order_watch.h"

namespace protogate::demo_services {

// Places one order (OrderService::CreateOrder's rules).
using PlaceOrder = std::function<grpc::Status(const demo::orders::v1::CreateOrderRequest& request,
                                              demo::orders::v1::Order* placed)>;

// The import of one ImportOrders call. With the gate closed, each message
// waits for a permit (Allow) before it is read, so a test can hold the
// service back and see the whole way to the HTTP client slow down; each
// message read counts as received. The first order `place` refuses ends the
// call with its status, its message prefixed by the order's number
// ("order 2: user_id is required"). Deletes itself when done.
grpc::ServerReadReactor<demo::orders::v1::CreateOrderRequest>* StartOrderImport(
    demo::orders::v1::ImportOrdersResponse* response, PlaceOrder place, StreamGate* gate);

}  // namespace protogate::demo_services
