#include "upstream/reflection_client.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "upstream/channel_target.h"

namespace protogate::upstream {
namespace {

namespace gpb = google::protobuf;
namespace rpb = grpc::reflection::v1alpha;

std::string Where(const ReflectionTarget& target) {
  return absl::StrCat("upstream ", target.service, " at ", target.address);
}

// What the operator can do about the usual failures.
std::string HintFor(absl::StatusCode code, const ReflectionTarget& target) {
  switch (code) {
    case absl::StatusCode::kUnimplemented:
      return absl::StrCat(" (enable server reflection on ", target.address,
                          " or use descriptor_source: file)");
    case absl::StatusCode::kUnavailable:
      return " (is the service running and listening there?)";
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat(" (no answer within the upstream's timeout of ", target.timeout.count(),
                          "ms)");
    default:
      return "";
  }
}

// One reflection stream to one address: every request gets one response.
class Conversation {
 public:
  // `channel_target` is target.address as ChannelTarget makes it.
  Conversation(const ReflectionTarget& target, const std::string& channel_target)
      : target_(target) {
    context_.set_deadline(std::chrono::system_clock::now() + target.timeout);
    stub_ = rpb::ServerReflection::NewStub(
        grpc::CreateChannel(channel_target, grpc::InsecureChannelCredentials()));
    stream_ = stub_->ServerReflectionInfo(&context_);
  }

  // A stream abandoned on an error must still be finished; cancelling first
  // keeps Finish from waiting for a server that has more to say.
  ~Conversation() {
    if (finished_) return;
    context_.TryCancel();
    stream_->Finish();
  }

  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  absl::StatusOr<rpb::ServerReflectionResponse> Ask(const rpb::ServerReflectionRequest& request,
                                                    absl::string_view asked) {
    rpb::ServerReflectionResponse response;
    if (!stream_->Write(request) || !stream_->Read(&response)) {
      grpc::Status status = stream_->Finish();
      finished_ = true;
      auto code = static_cast<absl::StatusCode>(status.error_code());
      if (status.ok()) code = absl::StatusCode::kUnknown;  // closed without answering
      std::string why(absl::StatusCodeToString(code));
      if (!status.error_message().empty()) absl::StrAppend(&why, ": ", status.error_message());
      return absl::Status(code, absl::StrCat(Where(target_), ": server reflection ", asked,
                                             " failed: ", why, HintFor(code, target_)));
    }
    if (response.has_error_response()) {
      const rpb::ErrorResponse& error = response.error_response();
      return absl::Status(static_cast<absl::StatusCode>(error.error_code()),
                          absl::StrCat(Where(target_), ": server reflection ", asked,
                                       " answered: ", error.error_message()));
    }
    return response;
  }

  void Close() {
    stream_->WritesDone();
    stream_->Finish();
    finished_ = true;
  }

 private:
  const ReflectionTarget& target_;
  grpc::ClientContext context_;
  std::unique_ptr<rpb::ServerReflection::Stub> stub_;
  std::unique_ptr<
      grpc::ClientReaderWriter<rpb::ServerReflectionRequest, rpb::ServerReflectionResponse>>
      stream_;
  bool finished_ = false;
};

// The files received from every target, by name, and who served each.
class FileCollection {
 public:
  absl::Status Add(const rpb::FileDescriptorResponse& response, const ReflectionTarget& from) {
    for (const std::string& bytes : response.file_descriptor_proto()) {
      gpb::FileDescriptorProto file;
      if (!file.ParseFromString(bytes)) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(from),
                         ": server reflection sent a file that is not a "
                         "FileDescriptorProto"));
      }
      RETURN_IF_ERROR(Add(std::move(file), from));
    }
    return absl::OkStatus();
  }

  bool Has(const std::string& name) const { return files_.count(name) != 0; }

  // Imports of received files that have not been received themselves.
  std::set<std::string> Missing() const {
    std::set<std::string> missing;
    for (const auto& [name, entry] : files_) {
      for (const std::string& dependency : entry.file.dependency()) {
        if (!Has(dependency)) missing.insert(dependency);
      }
    }
    return missing;
  }

  // Dependencies before the files importing them, as a descriptor pool wants.
  std::string SerializedSet() const {
    gpb::FileDescriptorSet set;
    std::set<std::string> written;
    for (const auto& [name, entry] : files_) Write(name, written, set);
    return set.SerializeAsString();
  }

 private:
  struct Entry {
    gpb::FileDescriptorProto file;
    std::string origin;  // Where() of the first target that served it
  };

  // One name must mean one file: a gateway built from two different versions
  // of a shared proto would transcode by whichever came first.
  absl::Status Add(gpb::FileDescriptorProto file, const ReflectionTarget& from) {
    auto it = files_.find(file.name());
    if (it == files_.end()) {
      std::string name = file.name();
      files_.emplace(std::move(name), Entry{std::move(file), Where(from)});
      return absl::OkStatus();
    }
    if (it->second.file.SerializeAsString() != file.SerializeAsString()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(from), ": serves a file ", file.name(), " that differs from the one ",
                       it->second.origin, " serves (build both from the same protos)"));
    }
    return absl::OkStatus();
  }

  void Write(const std::string& name, std::set<std::string>& written,
             gpb::FileDescriptorSet& set) const {
    auto it = files_.find(name);
    if (it == files_.end() || !written.insert(name).second) return;
    for (const std::string& dependency : it->second.file.dependency()) {
      Write(dependency, written, set);
    }
    *set.add_file() = it->second.file;
  }

  std::map<std::string, Entry> files_;
};

absl::Status CheckServiceListed(Conversation& conversation, const ReflectionTarget& target) {
  rpb::ServerReflectionRequest request;
  request.set_list_services("*");
  ASSIGN_OR_RETURN(rpb::ServerReflectionResponse response,
                   conversation.Ask(request, "list_services"));
  std::vector<std::string> names;
  for (const rpb::ServiceResponse& service : response.list_services_response().service()) {
    if (service.name() == target.service) return absl::OkStatus();
    names.push_back(service.name());
  }
  return absl::NotFoundError(
      absl::StrCat(Where(target), ": the server does not expose ", target.service,
                   " (it exposes: ", names.empty() ? "nothing" : absl::StrJoin(names, ", "), ")"));
}

absl::Status FetchFile(Conversation& conversation, const ReflectionTarget& target,
                       const std::string& name, FileCollection& files) {
  rpb::ServerReflectionRequest request;
  request.set_file_by_filename(name);
  const std::string asked = absl::StrCat("file_by_filename \"", name, "\"");
  ASSIGN_OR_RETURN(rpb::ServerReflectionResponse response, conversation.Ask(request, asked));
  RETURN_IF_ERROR(files.Add(response.file_descriptor_response(), target));
  if (!files.Has(name)) {
    return absl::NotFoundError(
        absl::StrCat(Where(target), ": server reflection ", asked, " did not send that file"));
  }
  return absl::OkStatus();
}

absl::Status FetchFrom(const ReflectionTarget& target, FileCollection& files) {
  absl::StatusOr<std::string> channel_target = ChannelTarget({target.address});
  if (!channel_target.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(target), ": ", channel_target.status().message()));
  }
  Conversation conversation(target, *channel_target);
  RETURN_IF_ERROR(CheckServiceListed(conversation, target));
  rpb::ServerReflectionRequest request;
  request.set_file_containing_symbol(target.service);
  ASSIGN_OR_RETURN(
      rpb::ServerReflectionResponse response,
      conversation.Ask(request, absl::StrCat("file_containing_symbol \"", target.service, "\"")));
  RETURN_IF_ERROR(files.Add(response.file_descriptor_response(), target));
  // Servers usually send the imports along; ask for whatever they left out
  // until every import is there.
  for (std::set<std::string> missing = files.Missing(); !missing.empty();
       missing = files.Missing()) {
    for (const std::string& name : missing) {
      if (files.Has(name)) continue;  // came along with an earlier answer
      RETURN_IF_ERROR(FetchFile(conversation, target, name, files));
    }
  }
  conversation.Close();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> FetchDescriptorSet(const std::vector<ReflectionTarget>& targets) {
  FileCollection files;
  for (const ReflectionTarget& target : targets) RETURN_IF_ERROR(FetchFrom(target, files));
  return files.SerializedSet();
}

}  // namespace protogate::upstream
