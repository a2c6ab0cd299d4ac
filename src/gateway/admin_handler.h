#pragma once

// The admin listener's handler (config `admin_listen`, off by default; bind
// it to loopback — it has no authentication):
//
//   GET /healthz        {"status":"ok"}
//   GET /readyz         {"status":"ready","routes":N,"upstreams":{service: state}}
//                       (the details are for operators only: the main listener's
//                       /readyz answers just {"status":"ready"})
//   GET /admin/status   {"generation":3,"loaded_at":"…","config_path":"…",
//                        "descriptor_path":"…","route_count":21,"reload_attempts":4,
//                        "last_reload_attempt":"…"|null,"last_reload_error":"…"|null}
//   GET /admin/routes   {"routes":[{"route":"…","grpc_method":"/pkg.Svc/M",
//                                   "service":"…","timeout_ms":5000,"auth":"public"}]}
//   GET /metrics        Prometheus text format 0.0.4 (gateway_metrics.h lists them)
//
// Anything else is 404 (405 for another method than GET/HEAD), in the
// gateway's error model. Times are RFC 3339 UTC.
//
// Thread-safety: Handle runs on the admin listener's event loop; it only
// reads the snapshot holder, the reload status and the metrics, all
// thread-safe, which must outlive the handler.

#include "gateway/gateway_metrics.h"
#include "gateway/reload_status.h"
#include "gateway/snapshot_holder.h"
#include "http/message.h"

namespace protogate::gateway {

class AdminHandler : public http::Handler {
 public:
  AdminHandler(const SnapshotHolder* snapshots, const ReloadStatus* status,
               const GatewayMetrics* metrics)
      : snapshots_(snapshots), status_(status), metrics_(metrics) {}

  void Handle(http::Request request, http::Responder respond) override;

  // The answer to one request (Handle without the I/O), for tests.
  http::Response Answer(const http::Request& request) const;

 private:
  const SnapshotHolder* snapshots_;
  const ReloadStatus* status_;
  const GatewayMetrics* metrics_;
};

}  // namespace protogate::gateway
