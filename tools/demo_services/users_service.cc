#include "demo_services/users_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "demo_services/status_details.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/rpc/status.pb.h"

namespace protogate::demo_services {
namespace {

using demo::users::v1::CreateUserRequest;
using demo::users::v1::DeleteUserRequest;
using demo::users::v1::GetUserRequest;
using demo::users::v1::ListUsersRequest;
using demo::users::v1::ListUsersResponse;
using demo::users::v1::Role;
using demo::users::v1::UpdateUserRequest;
using demo::users::v1::User;
using demo::users::v1::UserView;
using demo::users::v1::UserView_Name;
using demo::users::v1::WhoAmIRequest;
using demo::users::v1::WhoAmIResponse;
using google::protobuf::util::FieldMaskUtil;

constexpr int kDefaultPageSize = 10;
constexpr int kMaxPageSize = 1000;
constexpr int64_t kFirstCreateTime = 1705309200;  // 2024-01-15T09:00:00Z
constexpr int64_t kSeedSpacingSeconds = 17 * 24 * 3600;

struct Seed {
  const char* email;
  const char* display_name;
  const char* region;
  std::vector<Role> roles;
  bool verified;
  int64_t total_spent_cents;
};

User MakeSeedUser(int64_t id, const Seed& seed) {
  User user;
  user.set_user_id(absl::StrCat(id));
  user.set_email(seed.email);
  user.mutable_profile()->set_display_name(seed.display_name);
  user.mutable_profile()->set_region(seed.region);
  user.mutable_profile()->set_avatar_url(absl::StrCat("https://example.com/avatars/", id, ".png"));
  for (Role role : seed.roles) user.add_roles(role);
  user.mutable_create_time()->set_seconds(kFirstCreateTime + (id - 1) * kSeedSpacingSeconds);
  user.set_total_spent_cents(seed.total_spent_cents);
  user.set_verified(seed.verified);
  return user;
}

void Trim(const google::protobuf::FieldMask& mask, User* user) {
  FieldMaskUtil::TrimMessage(mask, user);
}

// USER_VIEW_BASIC: who the user is, not what the service knows of them.
const google::protobuf::FieldMask& BasicView() {
  static const google::protobuf::FieldMask* const kBasic = [] {
    auto* mask = new google::protobuf::FieldMask;
    for (const char* path : {"user_id", "email", "profile.display_name"}) mask->add_paths(path);
    return mask;
  }();
  return *kBasic;
}
void TrimToBasic(User* user) { FieldMaskUtil::TrimMessage(BasicView(), user); }
void TrimToBasic(ListUsersResponse* response) {
  for (User& user : *response->mutable_users()) TrimToBasic(&user);
}

// FieldMaskUtil cannot descend into repeated fields: each user is trimmed by
// the mask's "users." paths instead.
void Trim(const google::protobuf::FieldMask& mask, ListUsersResponse* response) {
  bool whole_users = false;
  bool keep_token = false;
  google::protobuf::FieldMask user_mask;
  for (const std::string& path : mask.paths()) {
    if (path == "users") whole_users = true;
    if (path == "next_page_token") keep_token = true;
    if (absl::StartsWith(path, "users.")) user_mask.add_paths(path.substr(6));
  }
  if (!keep_token) response->clear_next_page_token();
  if (whole_users) return;
  if (user_mask.paths().empty()) response->clear_users();
  for (User& user : *response->mutable_users()) Trim(user_mask, &user);
}

grpc::Status NotFound(absl::string_view id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("user ", id, " not found"));
}

// The id a GetUserRequest names: user_id, or the {id} of name "users/{id}".
std::string RequestedId(const GetUserRequest& request) {
  if (!request.user_id().empty()) return request.user_id();
  absl::string_view name = request.name();
  if (absl::ConsumePrefix(&name, "users/") && !name.empty() && !absl::StrContains(name, '/')) {
    return std::string(name);
  }
  return "";
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  out->set_seconds(absl::ToInt64Seconds(since_epoch));
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(out->seconds()))));
}

bool IsAfter(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return std::make_pair(a.seconds(), a.nanos()) > std::make_pair(b.seconds(), b.nanos());
}

bool Matches(const User& user, const ListUsersRequest& request) {
  if (!request.region().empty() && user.profile().region() != request.region()) return false;
  if (request.has_created_after() && !IsAfter(user.create_time(), request.created_after())) {
    return false;
  }
  if (request.roles().empty()) return true;
  return std::any_of(request.roles().begin(), request.roles().end(), [&](int role) {
    return std::find(user.roles().begin(), user.roles().end(), role) != user.roles().end();
  });
}

grpc::Status ValidateEmail(const std::string& email) {
  if (email.empty()) return InvalidField("user.email", "email is required");
  if (!absl::StrContains(email, '@')) {
    return InvalidField("user.email", absl::StrCat("email \"", email, "\" has no @"));
  }
  return grpc::Status::OK;
}

// Applies `request.update_mask` (or, when empty, the fields set in `request.user`).
grpc::Status ApplyUpdate(const UpdateUserRequest& request, User* user) {
  const google::protobuf::FieldMask& mask = request.update_mask();
  if (mask.paths().empty()) {
    User changes = request.user();
    changes.clear_user_id();
    changes.clear_create_time();
    // MergeFrom appends repeated fields; a set list of roles replaces the old one.
    if (!changes.roles().empty()) user->clear_roles();
    user->MergeFrom(changes);
    return grpc::Status::OK;
  }
  if (!FieldMaskUtil::IsValidFieldMask<User>(mask)) {
    return InvalidField("update_mask", absl::StrCat("update_mask \"", FieldMaskUtil::ToString(mask),
                                                    "\" names a field User does not have"));
  }
  for (const std::string& path : mask.paths()) {
    if (path == "user_id" || path == "create_time") {
      return InvalidField("update_mask", absl::StrCat("field \"", path, "\" is immutable"));
    }
  }
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(request.user(), mask, options, user);
  return grpc::Status::OK;
}

// UNAUTHENTICATED with the reason in the message and, as a detail the gateway renders
// in its JSON error body, the WhoAmIResponse of an unverified caller.
grpc::Status Unverified(absl::string_view reason) {
  WhoAmIResponse unverified;
  unverified.set_audience(demo::users::v1::UserService::service_full_name());
  unverified.set_verified(false);
  unverified.set_reason(std::string(reason));
  google::rpc::Status status;
  status.set_code(grpc::StatusCode::UNAUTHENTICATED);
  status.set_message(absl::StrCat("identity not verified: ", reason));
  status.add_details()->PackFrom(unverified);
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, status.message(),
                      status.SerializeAsString());
}

}  // namespace

UserService::UserService(IdentityVerifier* verifier) : verifier_(verifier) {
  const std::vector<Seed> seeds = {
      {"ada@example.com", "Ada Lovelace", "eu", {demo::users::v1::ROLE_ADMIN}, true, 123456},
      {"hopper@example.com",
       "Grace Hopper",
       "us",
       {demo::users::v1::ROLE_CUSTOMER, demo::users::v1::ROLE_SUPPORT},
       true,
       98765},
      {"linus@example.com", "Linus Torvalds", "eu", {demo::users::v1::ROLE_CUSTOMER}, false, 4200},
      {"margaret@example.com",
       "Margaret Hamilton",
       "us",
       {demo::users::v1::ROLE_CUSTOMER},
       true,
       0},
      {"alan@example.com", "Alan Turing", "eu", {demo::users::v1::ROLE_SUPPORT}, false, 31415},
  };
  absl::MutexLock lock(&mu_);
  for (const Seed& seed : seeds) {
    users_[next_id_] = MakeSeedUser(next_id_, seed);
    ++next_id_;
  }
}

// Keeps only the fields the request's view (AIP-157) and read mask name (an
// empty mask keeps all), records what arrived, and echoes the mask and the
// view as x-demo-read-mask and x-demo-view response metadata, so that a caller
// can see what the gateway pushed down.
template <typename Request, typename Message>
grpc::Status UserService::AsRequested(grpc::CallbackServerContext* context, const char* method,
                                      const Request& request, const grpc::Status& status,
                                      Message* response) {
  const google::protobuf::FieldMask& mask = request.read_mask();
  ReceivedMask received = ReceivedMaskOf(*context, method, absl::StrJoin(mask.paths(), ","));
  if (request.view() != UserView::USER_VIEW_UNSPECIFIED) {
    received.view = UserView_Name(request.view());
    context->AddInitialMetadata("x-demo-view", received.view);
    if (status.ok() && request.view() == UserView::USER_VIEW_BASIC) TrimToBasic(response);
  }
  if (!received.read_mask.empty()) {
    context->AddInitialMetadata("x-demo-read-mask", received.read_mask);
    if (status.ok()) Trim(mask, response);
  }
  controls_.RecordMask(std::move(received));
  return status;
}

grpc::ServerUnaryReactor* UserService::Answer(const grpc::Status& status) {
  UnaryReactor* reactor = controls_.StartCall();
  reactor->Reply(status);
  return reactor;
}

grpc::ServerUnaryReactor* UserService::GetUser(grpc::CallbackServerContext* context,
                                               const GetUserRequest* request, User* response) {
  return Answer(AsRequested(context, "GetUser", *request, DoGetUser(*request, response), response));
}

grpc::ServerUnaryReactor* UserService::ListUsers(grpc::CallbackServerContext* context,
                                                 const ListUsersRequest* request,
                                                 ListUsersResponse* response) {
  return Answer(
      AsRequested(context, "ListUsers", *request, DoListUsers(*request, response), response));
}

grpc::ServerUnaryReactor* UserService::CreateUser(grpc::CallbackServerContext* context,
                                                  const CreateUserRequest* request,
                                                  User* response) {
  return Answer(DoCreateUser(*request, response));
}

grpc::ServerUnaryReactor* UserService::UpdateUser(grpc::CallbackServerContext* context,
                                                  const UpdateUserRequest* request,
                                                  User* response) {
  return Answer(DoUpdateUser(*request, response));
}

grpc::ServerUnaryReactor* UserService::DeleteUser(grpc::CallbackServerContext* context,
                                                  const DeleteUserRequest* request,
                                                  google::protobuf::Empty* response) {
  return Answer(DoDeleteUser(*request));
}

grpc::ServerUnaryReactor* UserService::GetUserProfile(grpc::CallbackServerContext* context,
                                                      const GetUserRequest* request,
                                                      User* response) {
  if (RequestedId(*request).empty()) {
    return Answer(InvalidField(
        "name", absl::StrCat("name \"", request->name(), "\" is not of the form users/{user_id}")));
  }
  return Answer(
      AsRequested(context, "GetUserProfile", *request, DoGetUser(*request, response), response));
}

grpc::ServerUnaryReactor* UserService::WhoAmI(grpc::CallbackServerContext* context,
                                              const WhoAmIRequest* request,
                                              WhoAmIResponse* response) {
  return Answer(DoWhoAmI(*context, response));
}

grpc::Status UserService::DoWhoAmI(const grpc::CallbackServerContext& context,
                                   WhoAmIResponse* response) {
  if (verifier_ == nullptr) return Unverified("this service verifies no identity tokens");
  absl::StatusOr<VerifiedIdentity> identity =
      verifier_->Verify(context, demo::users::v1::UserService::service_full_name());
  if (!identity.ok()) return Unverified(identity.status().message());
  response->set_subject(identity->subject);
  response->set_client_id(identity->client_id);
  for (const std::string& scope : identity->scopes) response->add_scopes(scope);
  response->set_audience(identity->audience);
  response->set_issuer(identity->issuer);
  if (auto it = context.client_metadata().find("x-request-id");
      it != context.client_metadata().end()) {
    response->set_request_id(std::string(it->second.data(), it->second.size()));
  }
  response->set_verified(true);
  return grpc::Status::OK;
}

grpc::Status UserService::DoGetUser(const GetUserRequest& request, User* response) const {
  const std::string id = RequestedId(request);
  if (id.empty()) return InvalidField("user_id", "user_id or name \"users/{id}\" is required");
  int64_t key = 0;
  if (!absl::SimpleAtoi(id, &key)) return NotFound(id);
  absl::ReaderMutexLock lock(&mu_);
  auto it = users_.find(key);
  if (it == users_.end()) return NotFound(id);
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status UserService::DoListUsers(const ListUsersRequest& request,
                                      ListUsersResponse* response) const {
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return InvalidField("page_size", absl::StrCat("page_size must be in [0, ", kMaxPageSize, "]"));
  }
  const int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  int64_t start = 0;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &start)) {
    return InvalidField("page_token",
                        absl::StrCat("bad page_token \"", request.page_token(), "\""));
  }
  absl::ReaderMutexLock lock(&mu_);
  for (auto it = users_.lower_bound(start); it != users_.end(); ++it) {
    if (!Matches(it->second, request)) continue;
    if (response->users_size() == page_size) {
      // The token is the id of the first user of the next page.
      response->set_next_page_token(absl::StrCat(it->first));
      break;
    }
    *response->add_users() = it->second;
  }
  return grpc::Status::OK;
}

grpc::Status UserService::DoCreateUser(const CreateUserRequest& request, User* response) {
  if (!request.has_user()) return InvalidField("user", "user is required");
  if (grpc::Status status = ValidateEmail(request.user().email()); !status.ok()) return status;
  *response = request.user();
  response->clear_user_id();
  SetTimestamp(absl::Now(), response->mutable_create_time());
  if (response->roles().empty()) response->add_roles(demo::users::v1::ROLE_CUSTOMER);

  absl::MutexLock lock(&mu_);
  if (EmailTaken(response->email(), /*except_id=*/0)) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                        absl::StrCat("a user with email ", response->email(), " already exists"));
  }
  if (request.validate_only()) return grpc::Status::OK;
  const int64_t id = next_id_++;
  response->set_user_id(absl::StrCat(id));
  users_[id] = *response;
  return grpc::Status::OK;
}

grpc::Status UserService::DoUpdateUser(const UpdateUserRequest& request, User* response) {
  const std::string& id = request.user().user_id();
  if (id.empty()) return InvalidField("user.user_id", "user.user_id is required");
  int64_t key = 0;
  if (!absl::SimpleAtoi(id, &key)) return NotFound(id);

  absl::MutexLock lock(&mu_);
  auto it = users_.find(key);
  if (it == users_.end()) return NotFound(id);
  User updated = it->second;
  if (grpc::Status status = ApplyUpdate(request, &updated); !status.ok()) return status;
  if (grpc::Status status = ValidateEmail(updated.email()); !status.ok()) return status;
  if (EmailTaken(updated.email(), key)) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                        absl::StrCat("a user with email ", updated.email(), " already exists"));
  }
  it->second = updated;
  *response = std::move(updated);
  return grpc::Status::OK;
}

grpc::Status UserService::DoDeleteUser(const DeleteUserRequest& request) {
  if (request.user_id().empty()) return InvalidField("user_id", "user_id is required");
  int64_t key = 0;
  if (!absl::SimpleAtoi(request.user_id(), &key)) return NotFound(request.user_id());
  absl::MutexLock lock(&mu_);
  if (users_.erase(key) == 0) return NotFound(request.user_id());
  return grpc::Status::OK;
}

bool UserService::EmailTaken(const std::string& email, int64_t except_id) const {
  // A linear scan: the demo store holds a handful of users.
  return std::any_of(users_.begin(), users_.end(), [&](const auto& entry) {
    return entry.first != except_id && absl::EqualsIgnoreCase(entry.second.email(), email);
  });
}

}  // namespace protogate::demo_services
