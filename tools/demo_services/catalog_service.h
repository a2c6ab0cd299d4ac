#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "demo/catalog/v1/catalog.grpc.pb.h"
#include "demo_services/service_controls.h"

namespace protogate::demo_services {

// demo.catalog.v1.CatalogService: the products of kDemoProducts (p-1 … p-4, with
// tags, stock, rating and attributes; the README's search q=book, tags=classic,
// attributes[color]=red, in_stock=true finds p-1) plus diagnostic methods for the
// gateway's tests:
//
// - GetProduct: the product, or NOT_FOUND "product p-9 not found".
// - BatchGetProducts: the products of the ids given that exist, in that order
//   (at most 1000 ids).
// - SearchProducts: products matching every filter given (q: case-insensitive
//   substring of the title or a tag; tags: all present; category; price range, a
//   max_cents of 0 meaning no maximum; in_stock; attributes: each key present with
//   that value in string form; page_size; `fields` trims each product), with the
//   request echoed in `query`. max_age and updated_after are only echoed.
// - SetAttributes: replaces the product's attributes and returns the product.
// - GetAsset: {path, some bytes, content_type by extension}; NOT_FOUND under "missing/".
// - Echo: the request unchanged, plus `metadata` = every client metadata entry
//   except keys starting with ":" or "grpc-" (repeated keys joined with ",", values
//   of "-bin" keys base64-encoded); sends initial metadata "x-echo-initial: yes" and
//   trailing metadata "x-echo-trailer: done".
// - Fail(code, message, bad_field): that status; its grpc-status-details-bin holds a
//   google.rpc.Status {code, message, details}, details carrying a
//   google.rpc.BadRequest naming bad_field when bad_field is set. Code 0 → OK;
//   codes outside 0…16 → INVALID_ARGUMENT.
// - Sleep(millis): answers OK with slept = millis after that delay, without holding
//   a thread; ends at once (CANCELLED, seen by the client as DEADLINE_EXCEEDED or
//   CANCELLED) when the call is cancelled first. millis must be in 0…600000.
//
// Thread-safe; no method blocks. Must outlive the grpc::Server it is registered with.
class CatalogService final : public demo::catalog::v1::CatalogService::CallbackService {
 public:
  static constexpr int kMaxSleepMillis = 600000;

  CatalogService();

  ServiceControls& controls() { return controls_; }
  const ServiceControls& controls() const { return controls_; }

  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context,
                                       const demo::catalog::v1::GetProductRequest* request,
                                       demo::catalog::v1::Product* response) override;
  grpc::ServerUnaryReactor* BatchGetProducts(
      grpc::CallbackServerContext* context,
      const demo::catalog::v1::BatchGetProductsRequest* request,
      demo::catalog::v1::BatchGetProductsResponse* response) override;
  grpc::ServerUnaryReactor* SearchProducts(
      grpc::CallbackServerContext* context, const demo::catalog::v1::SearchProductsRequest* request,
      demo::catalog::v1::SearchProductsResponse* response) override;
  grpc::ServerUnaryReactor* SetAttributes(grpc::CallbackServerContext* context,
                                          const demo::catalog::v1::SetAttributesRequest* request,
                                          demo::catalog::v1::Product* response) override;
  grpc::ServerUnaryReactor* GetAsset(grpc::CallbackServerContext* context,
                                     const demo::catalog::v1::GetAssetRequest* request,
                                     demo::catalog::v1::Asset* response) override;
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const demo::catalog::v1::EchoRequest* request,
                                 demo::catalog::v1::EchoResponse* response) override;
  grpc::ServerUnaryReactor* Fail(grpc::CallbackServerContext* context,
                                 const demo::catalog::v1::FailRequest* request,
                                 demo::catalog::v1::FailResponse* response) override;
  grpc::ServerUnaryReactor* Sleep(grpc::CallbackServerContext* context,
                                  const demo::catalog::v1::SleepRequest* request,
                                  demo::catalog::v1::SleepResponse* response) override;

 private:
  grpc::ServerUnaryReactor* Answer(const grpc::Status& status);

  grpc::Status DoGetProduct(const demo::catalog::v1::GetProductRequest& request,
                            demo::catalog::v1::Product* response) const;
  grpc::Status DoSearchProducts(const demo::catalog::v1::SearchProductsRequest& request,
                                demo::catalog::v1::SearchProductsResponse* response) const;
  grpc::Status DoSetAttributes(const demo::catalog::v1::SetAttributesRequest& request,
                               demo::catalog::v1::Product* response);

  ServiceControls controls_;
  mutable absl::Mutex mu_;
  std::map<std::string, demo::catalog::v1::Product> products_ ABSL_GUARDED_BY(mu_);
};

}  // namespace protogate::demo_services
