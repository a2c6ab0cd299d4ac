#pragma once

// demo.orders.v1.OrderService.ChatAboutOrder: a bidirectional stream where
// support answers each message as it comes; counted by a StreamGate
// (order_watch.h).

#include <grpcpp/grpcpp.h>

#include "demo/orders/v1/orders.pb.h"
#include "demo_services/order_watch.h"

namespace protogate::demo_services {

// The chat of one ChatAboutOrder call: each message read is answered by one
// from support ({order_id, text: "re: <text>", from: "support", sequence});
// a message whose text is "fail" ends the call with FAILED_PRECONDITION;
// the client's end of writes ends it OK. With the gate closed, each message
// waits for a permit before it is read. Counts each answer as sent. Deletes
// itself when done.
grpc::ServerBidiReactor<demo::orders::v1::ChatMessage, demo::orders::v1::ChatMessage>*
StartOrderChat(StreamGate* gate);

}  // namespace protogate::demo_services
