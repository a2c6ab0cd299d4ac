#include "transcode/type_registry.h"

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/type.pb.h"
#include "gtest/gtest.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

std::string ReadDemoDescriptors() {
  std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

gpb::FileDescriptorSet DemoSet() {
  gpb::FileDescriptorSet set;
  EXPECT_TRUE(set.ParseFromString(ReadDemoDescriptors()));
  return set;
}

TEST(TypeRegistryTest, LoadsTheDemoSet) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok()) << registry.status();
  const gpb::MethodDescriptor* get_user =
      (*registry)->FindMethod("demo.users.v1.UserService.GetUser");
  ASSERT_NE(get_user, nullptr);
  EXPECT_EQ(get_user->input_type()->full_name(), "demo.users.v1.GetUserRequest");
  EXPECT_EQ(get_user->output_type()->full_name(), "demo.users.v1.User");
  EXPECT_NE((*registry)->FindMethod("demo.orders.v1.OrderService.CreateOrder"), nullptr);
  EXPECT_NE((*registry)->FindMessage("demo.catalog.v1.EchoRequest"), nullptr);
  EXPECT_NE((*registry)->FindMessage("demo.catalog.v1.Nested.Inner"), nullptr);
  EXPECT_NE((*registry)->FindMessage("google.protobuf.Timestamp"), nullptr);
  EXPECT_EQ(&(*registry)->pool(), get_user->file()->pool());
}

TEST(TypeRegistryTest, UnknownNamesGiveNull) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ((*registry)->FindMethod("demo.users.v1.UserService.Nope"), nullptr);
  EXPECT_EQ((*registry)->FindMethod(""), nullptr);
  EXPECT_EQ((*registry)->FindMessage("demo.users.v1.Nope"), nullptr);
  EXPECT_EQ((*registry)->FindMessage("demo.users.v1.UserService.GetUser"), nullptr);
}

TEST(TypeRegistryTest, TypeUrl) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ(TypeRegistry::TypeUrl(*(*registry)->FindMessage("demo.users.v1.User")),
            "type.googleapis.com/demo.users.v1.User");
  EXPECT_EQ(TypeRegistry::TypeUrl(*gpb::Timestamp::descriptor()),
            "type.googleapis.com/google.protobuf.Timestamp");
}

TEST(TypeRegistryTest, ResolverServesMessagesAndEnums) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  gpb::Type type;
  ASSERT_TRUE((*registry)
                  ->resolver()
                  ->ResolveMessageType("type.googleapis.com/demo.users.v1.User", &type)
                  .ok());
  EXPECT_EQ(type.name(), "demo.users.v1.User");
  EXPECT_EQ(type.fields_size(), 7);
  gpb::Type nested;
  ASSERT_TRUE((*registry)
                  ->resolver()
                  ->ResolveMessageType("type.googleapis.com/demo.catalog.v1.Nested.Inner", &nested)
                  .ok());
  EXPECT_EQ(nested.name(), "demo.catalog.v1.Nested.Inner");
  gpb::Enum role;
  ASSERT_TRUE((*registry)
                  ->resolver()
                  ->ResolveEnumType("type.googleapis.com/demo.users.v1.Role", &role)
                  .ok());
  EXPECT_EQ(role.enumvalue_size(), 4);
  EXPECT_FALSE((*registry)
                   ->resolver()
                   ->ResolveMessageType("type.googleapis.com/demo.users.v1.Nope", &type)
                   .ok());
  EXPECT_FALSE(
      (*registry)->resolver()->ResolveMessageType("example.com/demo.users.v1.User", &type).ok());
}

TEST(TypeRegistryTest, PrototypesBuildDynamicMessages) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  const gpb::Descriptor* user = (*registry)->FindMessage("demo.users.v1.User");
  const gpb::Message* prototype = (*registry)->Prototype(*user);
  ASSERT_NE(prototype, nullptr);
  EXPECT_EQ(prototype->GetDescriptor(), user);
  EXPECT_EQ((*registry)->Prototype(*user), prototype);  // the same one each time
  std::unique_ptr<gpb::Message> message(prototype->New());
  message->GetReflection()->SetString(message.get(), user->FindFieldByName("email"), "a@b");
  EXPECT_EQ(message->ByteSizeLong(), 5u);
}

TEST(TypeRegistryTest, PrototypeForADescriptorOfAnotherPool) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  const gpb::Message* prototype = (*registry)->Prototype(*gpb::Timestamp::descriptor());
  ASSERT_NE(prototype, nullptr);
  EXPECT_EQ(prototype->GetDescriptor(), gpb::Timestamp::descriptor());
}

TEST(TypeRegistryTest, SafeFromManyThreads) {
  auto registry = TypeRegistry::FromDescriptorSet(ReadDemoDescriptors());
  ASSERT_TRUE(registry.ok());
  std::shared_ptr<const TypeRegistry> shared = *registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([shared] {
      for (int i = 0; i < 200; ++i) {
        gpb::Type type;
        ASSERT_TRUE(shared->resolver()
                        ->ResolveMessageType("type.googleapis.com/demo.orders.v1.Order", &type)
                        .ok());
        ASSERT_NE(shared->Prototype(*shared->FindMessage("demo.orders.v1.Order")), nullptr);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(TypeRegistryTest, FilesInAnyOrder) {
  gpb::FileDescriptorSet set = DemoSet();
  gpb::FileDescriptorSet reversed;
  for (int i = set.file_size() - 1; i >= 0; --i) *reversed.add_file() = set.file(i);
  auto registry = TypeRegistry::FromDescriptorSet(reversed.SerializeAsString());
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_NE((*registry)->FindMethod("demo.orders.v1.OrderService.ListOrders"), nullptr);
}

TEST(TypeRegistryTest, WellKnownImportsMayBeLeftOut) {
  gpb::FileDescriptorSet set = DemoSet();
  gpb::FileDescriptorSet without_wkt;
  for (const auto& file : set.file()) {
    if (file.name().rfind("google/protobuf/", 0) != 0) *without_wkt.add_file() = file;
  }
  ASSERT_LT(without_wkt.file_size(), set.file_size());
  auto registry = TypeRegistry::FromDescriptorSet(without_wkt.SerializeAsString());
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_NE((*registry)->FindMessage("google.protobuf.Timestamp"), nullptr);
  gpb::Type type;
  EXPECT_TRUE((*registry)
                  ->resolver()
                  ->ResolveMessageType("type.googleapis.com/google.protobuf.Timestamp", &type)
                  .ok());
}

TEST(TypeRegistryTest, RejectsBytesThatAreNotADescriptorSet) {
  auto registry = TypeRegistry::FromDescriptorSet("\xff\xff\xff garbage");
  ASSERT_FALSE(registry.ok());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(registry.status().message().find("not a serialized FileDescriptorSet"),
            std::string::npos);
}

TEST(TypeRegistryTest, EmptySetIsAnEmptyRegistry) {
  auto registry = TypeRegistry::FromDescriptorSet("");
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ((*registry)->FindMessage("demo.users.v1.User"), nullptr);
}

TEST(TypeRegistryTest, MissingImportNamesTheFiles) {
  gpb::FileDescriptorSet set;
  gpb::FileDescriptorProto* file = set.add_file();
  file->set_name("a/b.proto");
  file->set_package("a");
  file->add_dependency("a/missing.proto");
  auto registry = TypeRegistry::FromDescriptorSet(set.SerializeAsString());
  ASSERT_FALSE(registry.ok());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(registry.status().message().find("a/missing.proto"), std::string::npos)
      << registry.status();
  EXPECT_NE(registry.status().message().find("a/b.proto"), std::string::npos) << registry.status();
}

TEST(TypeRegistryTest, BadFileNamesTheFileAndTheError) {
  gpb::FileDescriptorSet set;
  gpb::FileDescriptorProto* file = set.add_file();
  file->set_name("bad.proto");
  file->set_package("bad");
  file->set_syntax("proto3");
  gpb::DescriptorProto* message = file->add_message_type();
  message->set_name("M");
  gpb::FieldDescriptorProto* field = message->add_field();
  field->set_name("f");
  field->set_number(1);
  field->set_label(gpb::FieldDescriptorProto::LABEL_OPTIONAL);
  field->set_type_name("bad.DoesNotExist");
  auto registry = TypeRegistry::FromDescriptorSet(set.SerializeAsString());
  ASSERT_FALSE(registry.ok());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(registry.status().message().find("bad.proto"), std::string::npos) << registry.status();
  EXPECT_NE(registry.status().message().find("bad.DoesNotExist"), std::string::npos)
      << registry.status();
}

TEST(TypeRegistryTest, ImportCycleIsAnError) {
  gpb::FileDescriptorSet set;
  gpb::FileDescriptorProto* a = set.add_file();
  a->set_name("a.proto");
  a->add_dependency("b.proto");
  gpb::FileDescriptorProto* b = set.add_file();
  b->set_name("b.proto");
  b->add_dependency("a.proto");
  auto registry = TypeRegistry::FromDescriptorSet(set.SerializeAsString());
  ASSERT_FALSE(registry.ok());
  EXPECT_NE(registry.status().message().find("cycle"), std::string::npos) << registry.status();
}

TEST(TypeRegistryTest, DuplicateSymbolIsAnError) {
  gpb::FileDescriptorSet set;
  for (const char* name : {"one.proto", "two.proto"}) {
    gpb::FileDescriptorProto* file = set.add_file();
    file->set_name(name);
    file->set_package("dup");
    file->add_message_type()->set_name("Same");
  }
  auto registry = TypeRegistry::FromDescriptorSet(set.SerializeAsString());
  ASSERT_FALSE(registry.ok());
  EXPECT_NE(registry.status().message().find("two.proto"), std::string::npos) << registry.status();
  EXPECT_NE(registry.status().message().find("dup.Same"), std::string::npos) << registry.status();
}

}  // namespace
}  // namespace protogate::transcode
