#pragma once

// Compiles the `composites:` of a config into plans over a snapshot's
// descriptors and upstreams, and adds them to the snapshot's route table
// next to the annotated routes (a conflict with one is a load error naming
// both routes).
//
// Example (inside BuildSnapshot, before the table is built):
//   RETURN_IF_ERROR(AddCompositeRoutes(snapshot, builder));
//
// Runs at load time, on the loading thread.

#include "absl/status/status.h"
#include "gateway/snapshot.h"
#include "routing/route_table.h"

namespace protogate::gateway {

// `snapshot` must have its config, registry, channels and auth set.
// A config value as the templates take it (JSON, keys in file order).
aggregate::Json ToJson(const config::ConfigValue& value);

absl::Status AddCompositeRoutes(Snapshot& snapshot, routing::RouteTable::Builder& builder);

}  // namespace protogate::gateway
