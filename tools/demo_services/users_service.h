#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "demo/users/v1/users.grpc.pb.h"
#include "demo_services/identity_verifier.h"
#include "demo_services/service_controls.h"

namespace protogate::demo_services {

// demo.users.v1.UserService over an in-memory store, seeded with five users:
//   "1" ada@example.com      eu  [ROLE_ADMIN]                  verified  123456 cents
//   "2" hopper@example.com   us  [ROLE_CUSTOMER, ROLE_SUPPORT] verified   98765
//   "3" linus@example.com    eu  [ROLE_CUSTOMER]               unverified  4200
//   "4" margaret@example.com us  [ROLE_CUSTOMER]               verified       0
//   "5" alan@example.com     eu  [ROLE_SUPPORT]                unverified  31415
// with fixed create_times in 2024 (user 1 at 2024-01-15T09:00:00Z, later ids later).
// New users get the next numeric id ("6", …) and the current time.
//
// Errors: unknown user → NOT_FOUND "user 42 not found"; invalid input →
// INVALID_ARGUMENT carrying a google.rpc.BadRequest detail; an email already in use
// → ALREADY_EXISTS. ListUsers: page_size defaults to 10 (max 1000), page_token is the
// next_page_token of the previous page, filters (roles: any of; region; created_after)
// combine with AND. UpdateUser applies update_mask paths (e.g. "email",
// "profile.region", "roles"); an empty mask applies the fields set in `user`.
//
// WhoAmI answers with the caller the gateway vouched for: the x-protogate-identity
// token, checked by `verifier` (signature by the gateway's key, iss "protogate",
// aud "demo.users.v1.UserService", exp). A missing or failing token → UNAUTHENTICATED
// "identity not verified: <reason>", carrying a WhoAmIResponse detail {verified:
// false, reason}. No other method looks at the token.
//
// Thread-safe: the callback methods run on gRPC's threads, the store is guarded by a
// mutex, and no method blocks. Must outlive the grpc::Server it is registered with.
class UserService final : public demo::users::v1::UserService::CallbackService {
 public:
  // `verifier` (not owned, may be null: WhoAmI then refuses every call) must outlive
  // the service.
  explicit UserService(IdentityVerifier* verifier = nullptr);

  ServiceControls& controls() { return controls_; }
  const ServiceControls& controls() const { return controls_; }

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const demo::users::v1::GetUserRequest* request,
                                    demo::users::v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* context,
                                      const demo::users::v1::ListUsersRequest* request,
                                      demo::users::v1::ListUsersResponse* response) override;
  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* context,
                                       const demo::users::v1::CreateUserRequest* request,
                                       demo::users::v1::User* response) override;
  grpc::ServerUnaryReactor* UpdateUser(grpc::CallbackServerContext* context,
                                       const demo::users::v1::UpdateUserRequest* request,
                                       demo::users::v1::User* response) override;
  grpc::ServerUnaryReactor* DeleteUser(grpc::CallbackServerContext* context,
                                       const demo::users::v1::DeleteUserRequest* request,
                                       google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* GetUserProfile(grpc::CallbackServerContext* context,
                                           const demo::users::v1::GetUserRequest* request,
                                           demo::users::v1::User* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const demo::users::v1::WhoAmIRequest* request,
                                   demo::users::v1::WhoAmIResponse* response) override;

 private:
  grpc::ServerUnaryReactor* Answer(const grpc::Status& status);
  template <typename Request, typename Message>
  grpc::Status AsRequested(grpc::CallbackServerContext* context, const char* method,
                           const Request& request, const grpc::Status& status, Message* response);

  grpc::Status DoGetUser(const demo::users::v1::GetUserRequest& request,
                         demo::users::v1::User* response) const;
  grpc::Status DoListUsers(const demo::users::v1::ListUsersRequest& request,
                           demo::users::v1::ListUsersResponse* response) const;
  grpc::Status DoCreateUser(const demo::users::v1::CreateUserRequest& request,
                            demo::users::v1::User* response);
  grpc::Status DoUpdateUser(const demo::users::v1::UpdateUserRequest& request,
                            demo::users::v1::User* response);
  grpc::Status DoDeleteUser(const demo::users::v1::DeleteUserRequest& request);
  grpc::Status DoWhoAmI(const grpc::CallbackServerContext& context,
                        demo::users::v1::WhoAmIResponse* response);

  // Whether `email` belongs to a user other than `except_id`.
  bool EmailTaken(const std::string& email, int64_t except_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  IdentityVerifier* const verifier_;
  ServiceControls controls_;
  mutable absl::Mutex mu_;
  std::map<int64_t, demo::users::v1::User> users_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace protogate::demo_services
