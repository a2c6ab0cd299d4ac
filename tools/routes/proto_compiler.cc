#include "routes/proto_compiler.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace protogate::routes {
namespace {

namespace fs = std::filesystem;
using google::protobuf::FileDescriptor;
using google::protobuf::compiler::DiskSourceTree;

// Reports positions in the file on disk (what an editor opens), 1-based.
class CollectingErrors : public google::protobuf::compiler::MultiFileErrorCollector {
 public:
  CollectingErrors(DiskSourceTree* tree, Diagnostics* out) : tree_(tree), out_(out) {}

  void AddError(const std::string& filename, int line, int column,
                const std::string& message) override {
    std::string disk;
    std::string where = tree_->VirtualFileToDiskFile(filename, &disk) ? disk : filename;
    if (line >= 0) absl::StrAppend(&where, ":", line + 1, ":", column + 1);
    out_->push_back({where, message, HintFor(message)});
  }

 private:
  static std::string HintFor(const std::string& message) {
    if (message.find("not found") != std::string::npos) {
      return "add the folder that holds it with -I (imports are relative to an include path)";
    }
    if (message.find("is not defined") != std::string::npos) {
      return "import the file that defines it, or use its fully qualified name";
    }
    return "fix the .proto at this position (it must compile with protoc too)";
  }

  DiskSourceTree* tree_;
  Diagnostics* out_;
};

std::vector<std::string> ProtoFilesUnder(const std::string& dir, Diagnostics& diagnostics) {
  std::vector<std::string> found;
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    diagnostics.push_back({dir, "not a folder of .proto files",
                           "pass an existing folder with --protos (e.g. --protos=proto/demo)"});
    return found;
  }
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".proto") {
      found.push_back(it->path().lexically_normal().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

void AddWithImports(const FileDescriptor* file, std::set<const FileDescriptor*>& seen,
                    google::protobuf::FileDescriptorSet& set) {
  if (!seen.insert(file).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) AddWithImports(file->dependency(i), seen, set);
  google::protobuf::FileDescriptorProto* proto = set.add_file();
  file->CopyTo(proto);
  file->CopyJsonNameTo(proto);
  file->CopySourceCodeInfoTo(proto);
}

}  // namespace

struct CompiledProtos::Parts {
  DiskSourceTree tree;
  std::unique_ptr<CollectingErrors> errors;
  std::unique_ptr<google::protobuf::compiler::Importer> importer;
};

CompiledProtos::CompiledProtos() : parts_(std::make_unique<Parts>()) {}
CompiledProtos::~CompiledProtos() = default;

const google::protobuf::DescriptorPool& CompiledProtos::pool() const {
  return *parts_->importer->pool();
}

google::protobuf::FileDescriptorSet CompiledProtos::ToFileDescriptorSet() const {
  google::protobuf::FileDescriptorSet set;
  std::set<const FileDescriptor*> seen;
  for (const FileDescriptor* file : files_) AddWithImports(file, seen, set);
  return set;
}

absl::StatusOr<std::unique_ptr<CompiledProtos>> CompileProtosOrDiagnose(
    const CompileOptions& options, Diagnostics& diagnostics) {
  std::unique_ptr<CompiledProtos> compiled(new CompiledProtos());
  CompiledProtos::Parts& parts = *compiled->parts_;
  std::vector<std::string> roots = options.include_paths;
  if (std::find(roots.begin(), roots.end(), kSystemIncludePath) == roots.end()) {
    roots.push_back(kSystemIncludePath);
  }
  for (const std::string& root : roots) parts.tree.MapPath("", root);
  parts.errors = std::make_unique<CollectingErrors>(&parts.tree, &diagnostics);
  parts.importer =
      std::make_unique<google::protobuf::compiler::Importer>(&parts.tree, parts.errors.get());

  const size_t errors_before = diagnostics.size();
  for (const std::string& dir : options.proto_dirs) {
    for (const std::string& disk_file : ProtoFilesUnder(dir, diagnostics)) {
      std::string virtual_file;
      std::string shadowing;
      switch (parts.tree.DiskFileToVirtualFile(disk_file, &virtual_file, &shadowing)) {
        case DiskSourceTree::SUCCESS:
          break;
        case DiskSourceTree::SHADOWED:
          diagnostics.push_back({disk_file, absl::StrCat("shadowed by ", shadowing),
                                 "two include paths hold the same name; drop one -I"});
          continue;
        case DiskSourceTree::CANNOT_OPEN:
          diagnostics.push_back({disk_file, "cannot open", "check the file's permissions"});
          continue;
        case DiskSourceTree::NO_MAPPING:
          diagnostics.push_back({disk_file, "is not under any include path",
                                 absl::StrCat("add its root folder with -I (include paths: ",
                                              absl::StrJoin(roots, ", "), ")")});
          continue;
      }
      const FileDescriptor* file = parts.importer->Import(virtual_file);
      if (file != nullptr) compiled->files_.push_back(file);
    }
  }
  if (diagnostics.size() > errors_before) {
    return absl::InvalidArgumentError("the protos do not compile");
  }
  std::sort(compiled->files_.begin(), compiled->files_.end(),
            [](const FileDescriptor* a, const FileDescriptor* b) { return a->name() < b->name(); });
  compiled->files_.erase(std::unique(compiled->files_.begin(), compiled->files_.end()),
                         compiled->files_.end());
  return compiled;
}

std::string SerializeDeterministically(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace protogate::routes
