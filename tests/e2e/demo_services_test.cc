// The demo services over real gRPC (generated stubs, loopback, port 0): the
// behaviour the gateway's end-to-end tests and benchmarks rely on.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "demo/catalog/v1/catalog.grpc.pb.h"
#include "demo/orders/v1/orders.grpc.pb.h"
#include "demo/users/v1/users.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "support/demo_backend.h"
#include "support/eventually.h"

namespace protogate::test {
namespace {

namespace catalog = demo::catalog::v1;
namespace orders = demo::orders::v1;
namespace users = demo::users::v1;

constexpr auto kCallTimeout = std::chrono::seconds(5);

// A context whose deadline keeps a broken service from hanging the test.
std::unique_ptr<grpc::ClientContext> Context(
    std::chrono::milliseconds timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(kCallTimeout)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

// The BadRequest carried in a status's grpc-status-details-bin; fails the test if absent.
google::rpc::BadRequest BadRequestOf(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(details.message(), status.error_message());
  google::rpc::BadRequest bad_request;
  EXPECT_EQ(details.details_size(), 1);
  if (details.details_size() == 1) {
    EXPECT_TRUE(details.details(0).UnpackTo(&bad_request));
  }
  return bad_request;
}

class DemoServicesTest : public ::testing::Test {
 protected:
  DemoServicesTest()
      : users_(users::UserService::NewStub(Connect(backend_.users_address()))),
        orders_(orders::OrderService::NewStub(Connect(backend_.orders_address()))),
        catalog_(catalog::CatalogService::NewStub(Connect(backend_.catalog_address()))) {}

  DemoBackend backend_;
  std::unique_ptr<users::UserService::Stub> users_;
  std::unique_ptr<orders::OrderService::Stub> orders_;
  std::unique_ptr<catalog::CatalogService::Stub> catalog_;
};

TEST_F(DemoServicesTest, AddressesAreLoopbackWithRealPorts) {
  for (DemoService service : demo_services::kAllDemoServices) {
    EXPECT_TRUE(backend_.address(service).starts_with("127.0.0.1:"));
    EXPECT_GT(backend_.server().port(service), 0);
  }
  EXPECT_NE(backend_.users_address(), backend_.orders_address());
}

TEST_F(DemoServicesTest, GetUserFindsSeededUser) {
  users::GetUserRequest request;
  request.set_user_id("1");
  users::User user;
  grpc::Status status = users_->GetUser(Context().get(), request, &user);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(user.user_id(), "1");
  EXPECT_EQ(user.email(), "ada@example.com");
  EXPECT_EQ(user.profile().region(), "eu");
  ASSERT_EQ(user.roles_size(), 1);
  EXPECT_EQ(user.roles(0), users::ROLE_ADMIN);
  EXPECT_TRUE(user.verified());
  EXPECT_EQ(user.total_spent_cents(), 123456);
  EXPECT_EQ(user.create_time().seconds(), 1705309200);  // 2024-01-15T09:00:00Z
}

TEST_F(DemoServicesTest, GetUserUnknownIsNotFound) {
  users::GetUserRequest request;
  request.set_user_id("42");
  users::User user;
  grpc::Status status = users_->GetUser(Context().get(), request, &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "user 42 not found");
}

TEST_F(DemoServicesTest, GetUserProfileTakesResourceName) {
  users::GetUserRequest request;
  request.set_name("users/2");
  users::User user;
  ASSERT_TRUE(users_->GetUserProfile(Context().get(), request, &user).ok());
  EXPECT_EQ(user.user_id(), "2");
  EXPECT_EQ(user.profile().display_name(), "Grace Hopper");

  request.set_name("customers/2");
  EXPECT_EQ(users_->GetUserProfile(Context().get(), request, &user).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DemoServicesTest, CreateUserWithoutEmailCarriesBadRequest) {
  users::CreateUserRequest request;
  request.mutable_user()->mutable_profile()->set_display_name("Nobody");
  users::User user;
  grpc::Status status = users_->CreateUser(Context().get(), request, &user);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::BadRequest bad_request = BadRequestOf(status);
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "user.email");
  EXPECT_FALSE(bad_request.field_violations(0).description().empty());
}

TEST_F(DemoServicesTest, CreateUserAssignsIdAndRejectsDuplicateEmail) {
  users::CreateUserRequest request;
  request.mutable_user()->set_email("grace@example.com");
  request.mutable_user()->mutable_profile()->set_display_name("Grace");
  users::User created;
  ASSERT_TRUE(users_->CreateUser(Context().get(), request, &created).ok());
  EXPECT_EQ(created.user_id(), "6");
  EXPECT_TRUE(created.has_create_time());

  users::User again;
  EXPECT_EQ(users_->CreateUser(Context().get(), request, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  users::GetUserRequest get;
  get.set_user_id("6");
  users::User fetched;
  ASSERT_TRUE(users_->GetUser(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.email(), "grace@example.com");
}

TEST_F(DemoServicesTest, CreateUserValidateOnlyStoresNothing) {
  users::CreateUserRequest request;
  request.mutable_user()->set_email("dry@example.com");
  request.set_validate_only(true);
  users::User user;
  ASSERT_TRUE(users_->CreateUser(Context().get(), request, &user).ok());
  EXPECT_EQ(user.user_id(), "");

  users::GetUserRequest get;
  get.set_user_id("6");
  EXPECT_EQ(users_->GetUser(Context().get(), get, &user).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(DemoServicesTest, ListUsersFiltersAndPages) {
  users::ListUsersRequest request;
  request.set_region("eu");
  request.set_page_size(2);
  users::ListUsersResponse first;
  ASSERT_TRUE(users_->ListUsers(Context().get(), request, &first).ok());
  ASSERT_EQ(first.users_size(), 2);
  EXPECT_EQ(first.users(0).user_id(), "1");
  EXPECT_EQ(first.users(1).user_id(), "3");
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  users::ListUsersResponse second;
  ASSERT_TRUE(users_->ListUsers(Context().get(), request, &second).ok());
  ASSERT_EQ(second.users_size(), 1);
  EXPECT_EQ(second.users(0).user_id(), "5");
  EXPECT_TRUE(second.next_page_token().empty());

  users::ListUsersRequest admins;
  admins.add_roles(users::ROLE_ADMIN);
  users::ListUsersResponse only_admins;
  ASSERT_TRUE(users_->ListUsers(Context().get(), admins, &only_admins).ok());
  ASSERT_EQ(only_admins.users_size(), 1);
  EXPECT_EQ(only_admins.users(0).email(), "ada@example.com");
}

TEST_F(DemoServicesTest, UpdateUserHonoursUpdateMask) {
  users::UpdateUserRequest request;
  request.mutable_user()->set_user_id("3");
  request.mutable_user()->set_email("ignored@example.com");
  request.mutable_user()->mutable_profile()->set_region("us");
  request.mutable_update_mask()->add_paths("profile.region");
  users::User updated;
  ASSERT_TRUE(users_->UpdateUser(Context().get(), request, &updated).ok());
  EXPECT_EQ(updated.profile().region(), "us");
  EXPECT_EQ(updated.profile().display_name(), "Linus Torvalds");
  EXPECT_EQ(updated.email(), "linus@example.com");

  request.mutable_update_mask()->add_paths("no_such_field");
  EXPECT_EQ(users_->UpdateUser(Context().get(), request, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DemoServicesTest, DeleteUserThenNotFound) {
  users::DeleteUserRequest request;
  request.set_user_id("4");
  google::protobuf::Empty empty;
  ASSERT_TRUE(users_->DeleteUser(Context().get(), request, &empty).ok());
  EXPECT_EQ(users_->DeleteUser(Context().get(), request, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DemoServicesTest, ListOrdersGivesAStableHundredOrders) {
  orders::ListOrdersRequest request;
  request.set_user_id("1");
  request.set_page_size(100);
  orders::ListOrdersResponse first;
  ASSERT_TRUE(orders_->ListOrders(Context().get(), request, &first).ok());
  ASSERT_EQ(first.orders_size(), 100);
  EXPECT_EQ(first.orders(0).order_id(), "o-1");
  for (const orders::Order& order : first.orders()) {
    EXPECT_EQ(order.user_id(), "1");
    EXPECT_FALSE(order.items().empty());
    EXPECT_TRUE(order.has_shipping_address());
  }
  EXPECT_EQ(first.orders(2).items_size(), 2);  // the first generated one
  EXPECT_GT(first.total_size(), 100);
  // The benchmarks count on a ~10 KB payload that does not change between calls.
  EXPECT_GT(first.ByteSizeLong(), 8000u);
  EXPECT_LT(first.ByteSizeLong(), 20000u) << first.ByteSizeLong();

  orders::ListOrdersResponse second;
  ASSERT_TRUE(orders_->ListOrders(Context().get(), request, &second).ok());
  // Map entries (labels) may go on the wire in any order, so compare as messages.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  EXPECT_EQ(first.ByteSizeLong(), second.ByteSizeLong());
}

TEST_F(DemoServicesTest, ListOrdersDefaultsToTenAndFiltersByStatus) {
  orders::ListOrdersRequest request;
  request.set_user_id("7");
  orders::ListOrdersResponse response;
  ASSERT_TRUE(orders_->ListOrders(Context().get(), request, &response).ok());
  EXPECT_EQ(response.orders_size(), 10);

  request.set_status(orders::ORDER_STATUS_CANCELLED);
  ASSERT_TRUE(orders_->ListOrders(Context().get(), request, &response).ok());
  for (const orders::Order& order : response.orders()) {
    EXPECT_EQ(order.status(), orders::ORDER_STATUS_CANCELLED);
  }
  EXPECT_EQ(response.total_size(), 100);  // every tenth of the 1000 made-up orders
}

TEST_F(DemoServicesTest, CreateOrderComputesTotal) {
  orders::CreateOrderRequest request;
  request.set_user_id("1");
  orders::LineItem* item = request.add_items();
  item->set_product_id("p-1");
  item->set_quantity(2);
  item->set_unit_price_cents(1500);
  orders::Order order;
  ASSERT_TRUE(orders_->CreateOrder(Context().get(), request, &order).ok());
  EXPECT_EQ(order.total_cents(), 3000);
  EXPECT_EQ(order.status(), orders::ORDER_STATUS_PLACED);

  orders::GetOrderRequest get;
  get.set_order_id(order.order_id());
  orders::Order fetched;
  ASSERT_TRUE(orders_->GetOrder(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.total_cents(), 3000);

  request.clear_items();
  grpc::Status status = orders_->CreateOrder(Context().get(), request, &order);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadRequestOf(status).field_violations(0).field(), "items");
}

TEST_F(DemoServicesTest, CancelOrderTwiceIsFailedPrecondition) {
  orders::CancelOrderRequest request;
  request.set_name("orders/o-1");
  request.set_reason("changed my mind");
  orders::Order order;
  ASSERT_TRUE(orders_->CancelOrder(Context().get(), request, &order).ok());
  EXPECT_EQ(order.status(), orders::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(orders_->CancelOrder(Context().get(), request, &order).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  request.set_name("orders/o-999999");
  EXPECT_EQ(orders_->CancelOrder(Context().get(), request, &order).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DemoServicesTest, SearchProductsEchoesQuery) {
  catalog::SearchProductsRequest request;
  request.set_q("book");
  request.add_tags("classic");
  (*request.mutable_attributes())["color"] = "red";
  request.mutable_in_stock()->set_value(true);
  catalog::SearchProductsResponse response;
  ASSERT_TRUE(catalog_->SearchProducts(Context().get(), request, &response).ok());
  ASSERT_EQ(response.products_size(), 1);
  EXPECT_EQ(response.products(0).product_id(), "p-1");
  EXPECT_EQ(response.query().SerializeAsString(), request.SerializeAsString());
}

TEST_F(DemoServicesTest, EchoReturnsClientMetadata) {
  catalog::EchoRequest request;
  request.mutable_scalars()->set_string_value("hello");
  request.set_choice_number(7);
  auto context = Context();
  context->AddMetadata("x-tenant", "acme");
  context->AddMetadata("authorization", "Bearer internal-token");
  context->AddMetadata("trace-bin", std::string("\x01\x02\xff", 3));
  catalog::EchoResponse response;
  grpc::Status status = catalog_->Echo(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(response.request().SerializeAsString(), request.SerializeAsString());
  EXPECT_EQ(response.metadata().at("x-tenant"), "acme");
  EXPECT_EQ(response.metadata().at("authorization"), "Bearer internal-token");
  EXPECT_EQ(response.metadata().at("trace-bin"), "AQL/");  // base64 of 01 02 ff
  for (const auto& [key, value] : response.metadata()) {
    EXPECT_FALSE(key.starts_with(":") || key.starts_with("grpc-")) << key;
  }

  const auto initial = context->GetServerInitialMetadata().find("x-echo-initial");
  ASSERT_NE(initial, context->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(initial->second.data(), initial->second.size()), "yes");
  const auto trailer = context->GetServerTrailingMetadata().find("x-echo-trailer");
  ASSERT_NE(trailer, context->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), "done");
}

TEST_F(DemoServicesTest, FailReturnsTheAskedCodeWithDetails) {
  catalog::FailRequest request;
  request.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  request.set_message("not now");
  request.set_bad_field("widget.size");
  catalog::FailResponse response;
  grpc::Status status = catalog_->Fail(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "not now");
  google::rpc::BadRequest bad_request = BadRequestOf(status);
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "widget.size");
}

TEST_F(DemoServicesTest, FailWithoutBadFieldHasNoDetailsAndCodeZeroIsOk) {
  catalog::FailRequest request;
  request.set_code(static_cast<int>(grpc::StatusCode::UNAVAILABLE));
  request.set_message("down");
  catalog::FailResponse response;
  grpc::Status status = catalog_->Fail(Context().get(), request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), 14);
  EXPECT_EQ(details.details_size(), 0);

  request.set_code(0);
  EXPECT_TRUE(catalog_->Fail(Context().get(), request, &response).ok());
}

TEST_F(DemoServicesTest, SleepAnswersAfterTheDelay) {
  catalog::SleepRequest request;
  request.set_millis(50);
  catalog::SleepResponse response;
  const absl::Time start = absl::Now();
  ASSERT_TRUE(catalog_->Sleep(Context().get(), request, &response).ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  EXPECT_EQ(response.slept().nanos(), 50000000);
}

TEST_F(DemoServicesTest, SleepPastTheDeadlineIsDeadlineExceeded) {
  catalog::SleepRequest request;
  request.set_millis(10000);
  catalog::SleepResponse response;
  const absl::Time start = absl::Now();
  grpc::Status status =
      catalog_->Sleep(Context(std::chrono::milliseconds(100)).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // The server gave the call up too, instead of holding it for ten seconds.
  EXPECT_TRUE(Eventually([&] { return backend_.stats(DemoService::kCatalog).in_flight == 0; }));
}

TEST_F(DemoServicesTest, StoppingTheServiceEndsAPendingSleep) {
  catalog::SleepRequest request;
  request.set_millis(10000);
  catalog::SleepResponse response;
  auto context = Context(std::chrono::milliseconds(8000));
  absl::Notification done;
  grpc::Status status;
  catalog_->async()->Sleep(context.get(), &request, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  ASSERT_TRUE(Eventually([&] { return backend_.stats(DemoService::kCatalog).in_flight == 1; }));
  const absl::Time start = absl::Now();
  ASSERT_TRUE(backend_.StopService(DemoService::kCatalog).ok());
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(backend_.stats(DemoService::kCatalog).in_flight, 0);
}

TEST_F(DemoServicesTest, CountersCountCallsAndOverlap) {
  backend_.ResetStats();
  users::GetUserRequest request;
  request.set_user_id("1");
  users::User user;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(users_->GetUser(Context().get(), request, &user).ok());
  EXPECT_TRUE(Eventually([&] { return backend_.stats(DemoService::kUsers).in_flight == 0; }));
  EXPECT_EQ(backend_.stats(DemoService::kUsers).total_calls, 3);
  EXPECT_EQ(backend_.stats(DemoService::kOrders).total_calls, 0);

  // Four concurrent calls held back by the injected delay overlap on the server.
  backend_.ResetStats();
  backend_.SetResponseDelay(DemoService::kUsers, absl::Milliseconds(300));
  constexpr int kCalls = 4;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<users::User> responses(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  absl::BlockingCounter done(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(Context());
    users_->async()->GetUser(contexts.back().get(), &request, &responses[i],
                             [&, i](grpc::Status status) {
                               statuses[i] = std::move(status);
                               done.DecrementCount();
                             });
  }
  done.Wait();
  for (const grpc::Status& status : statuses) EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(Eventually([&] { return backend_.stats(DemoService::kUsers).in_flight == 0; }));
  const CallStats stats = backend_.stats(DemoService::kUsers);
  EXPECT_EQ(stats.total_calls, kCalls);
  EXPECT_EQ(stats.max_in_flight, kCalls);
}

TEST_F(DemoServicesTest, StoppedServiceComesBackOnTheSamePort) {
  const std::string address = backend_.orders_address();
  ASSERT_TRUE(backend_.StopService(DemoService::kOrders).ok());
  EXPECT_FALSE(backend_.server().running(DemoService::kOrders));

  orders::GetOrderRequest request;
  request.set_order_id("o-1");
  orders::Order order;
  const grpc::StatusCode down =
      orders_->GetOrder(Context(std::chrono::milliseconds(500)).get(), request, &order)
          .error_code();
  EXPECT_TRUE(down == grpc::StatusCode::UNAVAILABLE || down == grpc::StatusCode::DEADLINE_EXCEEDED)
      << down;
  // The other services keep serving.
  users::GetUserRequest get_user;
  get_user.set_user_id("1");
  users::User user;
  EXPECT_TRUE(users_->GetUser(Context().get(), get_user, &user).ok());

  ASSERT_TRUE(backend_.RestartService(DemoService::kOrders).ok());
  EXPECT_EQ(backend_.orders_address(), address);
  // A fresh channel with its own subchannels: the old channel's (shared through
  // gRPC's global subchannel pool) are in reconnect backoff for about a second.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stub = orders::OrderService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  ASSERT_TRUE(stub->GetOrder(Context().get(), request, &order).ok());
  EXPECT_EQ(order.order_id(), "o-1");
}

}  // namespace
}  // namespace protogate::test
