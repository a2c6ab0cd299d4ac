#include "routes/route_map_diff.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace protogate::routes {
namespace {

std::string Name(const RouteMapEntry& entry) {
  return absl::StrCat(entry.Key(), " (", entry.GrpcFullName(), ")");
}

void Compare(absl::string_view what, const std::string& before, const std::string& after,
             bool breaking, ApiChange& change) {
  if (before == after) return;
  change.details.push_back(absl::StrCat(what, " \"", before, "\" -> \"", after, "\""));
  change.breaking = change.breaking || breaking;
}

// A member the profile's client reads under one name and then another (or
// its own again) breaks that client.
void CompareRenames(const RouteMapEntry::Client& before, const RouteMapEntry::Client& after,
                    ApiChange& change) {
  auto name_in = [](const RouteMapEntry::Client& client, const std::string& path) {
    for (const auto& [renamed, name] : client.renames) {
      if (renamed == path) return name;
    }
    return std::string();
  };
  std::vector<std::string> paths;
  for (const auto& [path, name] : before.renames) paths.push_back(path);
  for (const auto& [path, name] : after.renames) {
    if (name_in(before, path).empty()) paths.push_back(path);
  }
  for (const std::string& path : paths) {
    const std::string was = name_in(before, path);
    const std::string now = name_in(after, path);
    if (was == now) continue;
    change.details.push_back(
        now.empty() ? absl::StrCat("client profile ", before.name, " no longer renames ", path,
                                   " (was \"", was, "\")")
        : was.empty()
            ? absl::StrCat("client profile ", before.name, " renames ", path, " to \"", now, "\"")
            : absl::StrCat("client profile ", before.name, " renames ", path, " to \"", now,
                           "\" (was \"", was, "\")"));
    change.breaking = true;
  }
}

// Per client profile: losing the route, or a field of its view, breaks that
// client; gaining them does not. A view that grows from some fields to the
// whole answer loses nothing.
void CompareClients(const RouteMapEntry& before, const RouteMapEntry& after, ApiChange& change) {
  // A map made without client profiles says nothing of them: every caller
  // sees every route whole.
  if (before.clients.empty() != after.clients.empty()) {
    change.details.push_back(after.clients.empty() ? "client profiles no longer listed"
                                                   : "client profiles listed");
    return;
  }
  auto find = [](const RouteMapEntry& entry, const std::string& name) {
    auto it = std::find_if(entry.clients.begin(), entry.clients.end(),
                           [&](const RouteMapEntry::Client& c) { return c.name == name; });
    return it == entry.clients.end() ? nullptr : &*it;
  };
  for (const RouteMapEntry::Client& old_client : before.clients) {
    const RouteMapEntry::Client* new_client = find(after, old_client.name);
    if (new_client == nullptr) {
      change.details.push_back(
          absl::StrCat("client profile ", old_client.name, " may no longer call it"));
      change.breaking = true;
      continue;
    }
    CompareRenames(old_client, *new_client, change);
    if (old_client.view_enum != new_client->view_enum) {
      // Another view is another answer from the service: fields may go.
      change.details.push_back(
          absl::StrCat("client profile ", old_client.name, "'s request view \"",
                       old_client.view_enum.empty() ? "(none)" : old_client.view_enum, "\" -> \"",
                       new_client->view_enum.empty() ? "(none)" : new_client->view_enum, "\""));
      change.breaking = true;
    }
    if (new_client->view.empty()) continue;
    if (old_client.view.empty()) {
      change.details.push_back(absl::StrCat("client profile ", old_client.name,
                                            "'s view narrows from the whole answer to ",
                                            absl::StrJoin(new_client->view, ", ")));
      change.breaking = true;
      continue;
    }
    std::vector<std::string> lost;
    for (const std::string& path : old_client.view) {
      if (std::find(new_client->view.begin(), new_client->view.end(), path) ==
          new_client->view.end()) {
        lost.push_back(path);
      }
    }
    if (!lost.empty()) {
      change.details.push_back(absl::StrCat("client profile ", old_client.name, "'s view loses ",
                                            absl::StrJoin(lost, ", ")));
      change.breaking = true;
    }
  }
  for (const RouteMapEntry::Client& new_client : after.clients) {
    if (find(before, new_client.name) == nullptr) {
      change.details.push_back(absl::StrCat("client profile ", new_client.name, " may call it"));
    }
  }
}

ApiChange ComparePair(const RouteMapEntry& before, const RouteMapEntry& after) {
  ApiChange change{.kind = ApiChange::Kind::kChanged, .subject = Name(after)};
  Compare("http method", before.http_method, after.http_method, true, change);
  Compare("path", before.path, after.path, true, change);
  Compare("grpc method", before.GrpcFullName(), after.GrpcFullName(), true, change);
  Compare("body", before.body, after.body, true, change);
  Compare("response_body", before.response_body, after.response_body, true, change);
  Compare("stream", before.stream, after.stream, true, change);
  Compare("upstream", absl::StrJoin(before.upstream, ","), absl::StrJoin(after.upstream, ","),
          false, change);
  Compare("auth", before.auth.is_null() ? "" : before.auth.dump(),
          after.auth.is_null() ? "" : after.auth.dump(), false, change);
  CompareClients(before, after, change);
  Compare("source", before.source, after.source, false, change);
  return change;
}

}  // namespace

ApiDiff DiffRouteMaps(const std::vector<RouteMapEntry>& old_map,
                      const std::vector<RouteMapEntry>& new_map) {
  std::map<std::string, const RouteMapEntry*> old_by_key;
  std::map<std::string, const RouteMapEntry*> new_by_key;
  for (const auto& e : old_map) old_by_key[e.Key()] = &e;
  for (const auto& e : new_map) new_by_key[e.Key()] = &e;

  std::vector<ApiChange> removed, changed, added;
  std::vector<const RouteMapEntry*> old_left, new_left;
  for (const auto& [key, before] : old_by_key) {
    auto it = new_by_key.find(key);
    if (it == new_by_key.end()) {
      old_left.push_back(before);
      continue;
    }
    ApiChange change = ComparePair(*before, *it->second);
    if (!change.details.empty()) changed.push_back(std::move(change));
  }
  for (const auto& [key, after] : new_by_key) {
    if (old_by_key.count(key) == 0) new_left.push_back(after);
  }
  // A route that moved (same gRPC method, new method or path) is one change.
  for (const RouteMapEntry* before : old_left) {
    auto moved = std::find_if(new_left.begin(), new_left.end(), [&](const RouteMapEntry* e) {
      return e != nullptr && e->GrpcFullName() == before->GrpcFullName();
    });
    if (moved == new_left.end()) {
      removed.push_back({.kind = ApiChange::Kind::kRemoved,
                         .subject = Name(*before),
                         .details = {},
                         .breaking = true});
      continue;
    }
    changed.push_back(ComparePair(*before, **moved));
    *moved = nullptr;
  }
  for (const RouteMapEntry* after : new_left) {
    if (after != nullptr)
      added.push_back({.kind = ApiChange::Kind::kAdded, .subject = Name(*after)});
  }
  ApiDiff diff;
  for (auto* group : {&removed, &changed, &added}) {
    for (ApiChange& change : *group) diff.changes.push_back(std::move(change));
  }
  return diff;
}

}  // namespace protogate::routes
