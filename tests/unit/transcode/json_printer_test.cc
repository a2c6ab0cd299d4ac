#include "transcode/json_printer.h"

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

const gpb::Descriptor& Type(const std::string& name) {
  const gpb::Descriptor* type = test::DemoRegistry()->FindMessage(name);
  EXPECT_NE(type, nullptr) << name;
  return *type;
}

// What protobuf's own printer makes of the bytes; "<error>" when it fails.
std::string Reference(const gpb::Descriptor& type, const std::string& bytes,
                      const JsonOutputOptions& options) {
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = options.use_proto_field_names;
  print.always_print_enums_as_ints = options.enums_as_ints;
  std::string json;
  auto status = gpb::util::BinaryToJsonString(test::DemoRegistry()->resolver(),
                                              TypeRegistry::TypeUrl(type), bytes, &json, print);
  return status.ok() ? json : "<error>";
}

std::string Fast(const gpb::Descriptor& type, const std::string& bytes,
                 const JsonOutputOptions& options = {}) {
  auto printer = JsonPrinter::Create(type, options);
  if (printer == nullptr) return "<unsupported>";
  std::string json = "prefix";
  if (!printer->Print(bytes, &json)) {
    EXPECT_EQ(json, "prefix");  // restored on decline
    return "<declined>";
  }
  EXPECT_EQ(json.substr(0, 6), "prefix");
  return json.substr(6);
}

std::unique_ptr<gpb::Message> New(const gpb::Descriptor& type) {
  static gpb::DynamicMessageFactory factory;
  return std::unique_ptr<gpb::Message>(factory.GetPrototype(&type)->New());
}

std::unique_ptr<gpb::Message> FromJson(const gpb::Descriptor& type, const std::string& json) {
  auto message = New(type);
  EXPECT_TRUE(gpb::util::JsonStringToMessage(json, message.get()).ok()) << json;
  return message;
}

void ExpectSame(const gpb::Descriptor& type, const std::string& bytes,
                const JsonOutputOptions& options = {}) {
  const std::string fast = Fast(type, bytes, options);
  ASSERT_NE(fast, "<declined>");
  EXPECT_EQ(fast, Reference(type, bytes, options));
}

TEST(JsonPrinterTest, UserMatchesProtobuf) {
  const auto& type = Type("demo.users.v1.User");
  auto user = FromJson(type, R"({"userId":"42","email":"a@b.c","profile":{"displayName":"Ann"},
      "roles":["ROLE_CUSTOMER","ROLE_ADMIN"],"createTime":"2024-01-31T12:00:00.120Z"})");
  const std::string bytes = user->SerializeAsString();
  for (int o = 0; o < 4; ++o) {
    ExpectSame(type, bytes, {.use_proto_field_names = (o & 1) != 0, .enums_as_ints = (o & 2) != 0});
  }
  EXPECT_EQ(Fast(type, bytes).substr(0, 26), R"({"userId":"42","email":"a@)");
}

TEST(JsonPrinterTest, ScalarEdgeValuesMatchProtobuf) {
  const auto& type = Type("demo.catalog.v1.Scalars");
  const gpb::Reflection* reflection = nullptr;
  const double doubles[] = {0.1,
                            -0.0,
                            1.0 / 3,
                            1e21,
                            1e-7,
                            123456789012345680.0,
                            5e-324,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity()};
  const float floats[] = {0.1f,
                          -0.0f,
                          1.0f / 3,
                          1e21f,
                          1e-7f,
                          3.4e38f,
                          1e-45f,
                          std::numeric_limits<float>::quiet_NaN(),
                          -std::numeric_limits<float>::infinity()};
  for (double d : doubles) {
    for (float f : floats) {
      auto message = New(type);
      reflection = message->GetReflection();
      reflection->SetDouble(message.get(), type.FindFieldByName("double_value"), d);
      reflection->SetFloat(message.get(), type.FindFieldByName("float_value"), f);
      reflection->SetInt64(message.get(), type.FindFieldByName("int64_value"), INT64_MIN);
      reflection->SetUInt64(message.get(), type.FindFieldByName("uint64_value"), UINT64_MAX);
      reflection->SetInt32(message.get(), type.FindFieldByName("sint32_value"), INT32_MIN);
      reflection->SetInt64(message.get(), type.FindFieldByName("sint64_value"), -5);
      reflection->SetInt32(message.get(), type.FindFieldByName("sfixed32_value"), -7);
      reflection->SetBool(message.get(), type.FindFieldByName("bool_value"), true);
      reflection->SetString(message.get(), type.FindFieldByName("bytes_value"), "\xff\x00?>");
      reflection->AddInt32(message.get(), type.FindFieldByName("repeated_int32"), -1);
      reflection->AddInt32(message.get(), type.FindFieldByName("repeated_int32"), 300);
      reflection->AddEnumValue(message.get(), type.FindFieldByName("repeated_enum"), 77);
      reflection->SetInt32(message.get(), type.FindFieldByName("optional_int32"), 0);
      ExpectSame(type, message->SerializeAsString());
      ExpectSame(type, message->SerializeAsString(), {.enums_as_ints = true});
    }
  }
}

TEST(JsonPrinterTest, StringEscapesMatchProtobuf) {
  const auto& type = Type("demo.catalog.v1.Scalars");
  const std::string strings[] = {"plain",
                                 "quote\" back\\slash",
                                 "<script>",
                                 std::string("nul\0x", 5),
                                 "\x01\x1f\x7f",
                                 "tab\tnl\nret\rff\fbs\b",
                                 "caf\xc3\xa9",
                                 "\xc2\x80\xc2\x9f\xc2\xa0",
                                 "\xc2\xad soft",
                                 "\xe2\x80\xa8 line sep",
                                 "\xef\xbb\xbf bom",
                                 "\xf0\x9f\x98\x80 emoji",
                                 "\xf3\xa0\x80\x81 tag",
                                 "\xc1\x81 overlong"};
  for (const std::string& s : strings) {
    auto message = New(type);
    message->GetReflection()->SetString(message.get(), type.FindFieldByName("string_value"), s);
    std::string bytes;
    message->SerializePartialToString(&bytes);
    ExpectSame(type, bytes);
  }
}

TEST(JsonPrinterTest, DeclinesInvalidUtf8AndMalformedBytes) {
  const auto& type = Type("demo.catalog.v1.Scalars");
  // string_value (field 9) holding a lone continuation byte.
  EXPECT_EQ(Fast(type, std::string("\x4a\x02\x41\x80", 4)), "<declined>");
  EXPECT_EQ(Fast(type, std::string("\x4a\x05\x41", 3)), "<declined>");  // truncated
  EXPECT_EQ(Fast(type, std::string("\x00\x01", 2)), "<declined>");      // zero tag
  EXPECT_EQ(Fast(type, std::string("\x0b\x0c", 2)), "<declined>");      // group
}

TEST(JsonPrinterTest, TimestampsMatchProtobufAndOutOfRangeDeclines) {
  const auto& type = Type("demo.users.v1.User");
  const gpb::FieldDescriptor* create_time = type.FindFieldByName("create_time");
  ASSERT_NE(create_time, nullptr);
  const int64_t seconds[] = {0, -1, 951782400, 253402300799, -62135596800, 1700000000};
  const int32_t nanos[] = {0, 1, 1000, 1000000, 120000000, 999999999};
  for (int64_t s : seconds) {
    for (int32_t n : nanos) {
      auto message = New(type);
      gpb::Message* ts = message->GetReflection()->MutableMessage(message.get(), create_time);
      ts->GetReflection()->SetInt64(ts, ts->GetDescriptor()->FindFieldByName("seconds"), s);
      ts->GetReflection()->SetInt32(ts, ts->GetDescriptor()->FindFieldByName("nanos"), n);
      ExpectSame(type, message->SerializeAsString());
    }
  }
  auto message = New(type);
  gpb::Message* ts = message->GetReflection()->MutableMessage(message.get(), create_time);
  ts->GetReflection()->SetInt64(ts, ts->GetDescriptor()->FindFieldByName("seconds"), 253402300800);
  EXPECT_EQ(Fast(type, message->SerializeAsString()), "<declined>");
}

TEST(JsonPrinterTest, UnsupportedTypesAndOptionsAreRefused) {
  EXPECT_EQ(JsonPrinter::Create(Type("demo.catalog.v1.WellKnown"), {}), nullptr);
  EXPECT_EQ(JsonPrinter::Create(Type("demo.catalog.v1.Product"), {}), nullptr);  // Struct
  EXPECT_EQ(JsonPrinter::Create(Type("demo.users.v1.User"), {.emit_default_values = true}),
            nullptr);
  EXPECT_NE(JsonPrinter::Create(Type("demo.orders.v1.ListOrdersResponse"), {}), nullptr);
}

// Random values in every field of every supported demo type, printed by both.
class RandomFiller {
 public:
  explicit RandomFiller(uint32_t seed) : rng_(seed) {}

  void Fill(gpb::Message* message, int depth) {
    const gpb::Descriptor& type = *message->GetDescriptor();
    const gpb::Reflection& r = *message->GetReflection();
    for (int i = 0; i < type.field_count(); ++i) {
      const gpb::FieldDescriptor* field = type.field(i);
      if (Pick(3) == 0) continue;
      const int count = field->is_repeated() ? static_cast<int>(Pick(4)) : 1;
      for (int k = 0; k < count; ++k) Set(message, r, field, depth);
    }
  }

 private:
  uint32_t Pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

  uint64_t Bits() {
    switch (Pick(4)) {
      case 0:
        return Pick(3);
      case 1:
        return rng_() % 1000;
      case 2:
        return ~uint64_t{0} - Pick(3);
      default:
        return rng_();
    }
  }

  double Double() {
    const double special[] = {0.0,
                              -0.0,
                              0.1,
                              1e300,
                              -2.5e-310,
                              1e21,
                              1e-5,
                              std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity()};
    if (Pick(2) == 0) return special[Pick(9)];
    uint64_t bits = rng_();
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }

  std::string Text() {
    const char* pieces[] = {"a",
                            "Z",
                            " ",
                            "\"",
                            "\\",
                            "<",
                            ">",
                            "\n",
                            "\x01",
                            "\x7f",
                            "\xc3\xa9",
                            "\xc2\x85",
                            "\xe2\x80\xa8",
                            "\xef\xbb\xbf",
                            "\xf0\x9f\x98\x80",
                            "\xf3\xa0\x80\xa1",
                            "\xd8\x80",
                            "&",
                            "'"};
    std::string s;
    const uint32_t n = Pick(8);
    for (uint32_t i = 0; i < n; ++i) s += pieces[Pick(19)];
    return s;
  }

  void Set(gpb::Message* m, const gpb::Reflection& r, const gpb::FieldDescriptor* f, int depth) {
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case gpb::FieldDescriptor::CPPTYPE_INT32: {
        auto v = static_cast<int32_t>(Bits());
        rep ? r.AddInt32(m, f, v) : r.SetInt32(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_INT64: {
        auto v = static_cast<int64_t>(Bits());
        rep ? r.AddInt64(m, f, v) : r.SetInt64(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_UINT32: {
        auto v = static_cast<uint32_t>(Bits());
        rep ? r.AddUInt32(m, f, v) : r.SetUInt32(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = Bits();
        rep ? r.AddUInt64(m, f, v) : r.SetUInt64(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_DOUBLE: {
        double v = Double();
        rep ? r.AddDouble(m, f, v) : r.SetDouble(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_FLOAT: {
        auto v = static_cast<float>(Double());
        if (Pick(2) == 0) {
          uint32_t bits = static_cast<uint32_t>(rng_());
          std::memcpy(&v, &bits, 4);
        }
        rep ? r.AddFloat(m, f, v) : r.SetFloat(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_BOOL: {
        bool v = Pick(2) == 0;
        rep ? r.AddBool(m, f, v) : r.SetBool(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_ENUM: {
        const gpb::EnumDescriptor* e = f->enum_type();
        int v = Pick(4) == 0 ? static_cast<int>(Bits() % 100) - 50
                             : e->value(static_cast<int>(Pick(e->value_count())))->number();
        rep ? r.AddEnumValue(m, f, v) : r.SetEnumValue(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_STRING: {
        std::string v = Text();
        rep ? r.AddString(m, f, v) : r.SetString(m, f, v);
        break;
      }
      case gpb::FieldDescriptor::CPPTYPE_MESSAGE: {
        if (depth > 4) break;
        gpb::Message* child = rep ? r.AddMessage(m, f) : r.MutableMessage(m, f);
        if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
          const gpb::Reflection& cr = *child->GetReflection();
          cr.SetInt64(child, f->message_type()->field(0),
                      static_cast<int64_t>(rng_() % 400000000000ULL) - 100000000000LL);
          cr.SetInt32(
              child, f->message_type()->field(1),
              static_cast<int32_t>(Pick(3) == 0 ? rng_() % 1000 * 1000000 : rng_() % 1000000000));
        } else {
          Fill(child, depth + 1);
        }
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

void AddTypes(const gpb::Descriptor& type, std::vector<const gpb::Descriptor*>* out) {
  if (type.options().map_entry()) return;
  out->push_back(&type);
  for (int i = 0; i < type.nested_type_count(); ++i) AddTypes(*type.nested_type(i), out);
}

TEST(JsonPrinterTest, RandomMessagesOfEveryDemoTypeMatchProtobuf) {
  gpb::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(test::DemoDescriptorSetBytes()));
  std::vector<const gpb::Descriptor*> types;
  for (const auto& file : set.file()) {
    const gpb::FileDescriptor* fd = test::DemoRegistry()->pool().FindFileByName(file.name());
    ASSERT_NE(fd, nullptr);
    for (int i = 0; i < fd->message_type_count(); ++i) AddTypes(*fd->message_type(i), &types);
  }
  RandomFiller filler(20240131);
  int compared = 0;
  int declined = 0;
  for (const gpb::Descriptor* type : types) {
    for (int o = 0; o < 4; ++o) {
      const JsonOutputOptions options{.use_proto_field_names = (o & 1) != 0,
                                      .enums_as_ints = (o & 2) != 0};
      auto printer = JsonPrinter::Create(*type, options);
      if (printer == nullptr) continue;
      for (int n = 0; n < 150; ++n) {
        auto message = New(*type);
        filler.Fill(message.get(), 0);
        std::string bytes;
        message->SerializePartialToString(&bytes);
        std::string fast;
        if (!printer->Print(bytes, &fast)) {
          ++declined;
          continue;
        }
        ++compared;
        ASSERT_EQ(fast, Reference(*type, bytes, options)) << type->full_name() << " " << o;
      }
    }
  }
  EXPECT_GT(compared, 1000);
  EXPECT_LT(declined, compared);
}

// One field's value printed alone reads as that member of the whole
// message's JSON: the way a composite prints a looked-up field.
TEST(JsonPrinterTest, PrintFieldPrintsOneValueAsTheMessageWould) {
  const auto& type = Type("demo.users.v1.User");
  auto printer = JsonPrinter::Create(type, {});
  ASSERT_NE(printer, nullptr);
  std::string out = "x";
  EXPECT_TRUE(printer->PrintField(2,
                                  std::string("\x07"
                                              "a<b@c.d",
                                              8),
                                  &out));
  EXPECT_EQ(out, R"(x"a\u003cb@c.d")");
  out.clear();
  EXPECT_TRUE(printer->PrintField(6, "\x96\x01", &out));  // int64 150, quoted
  EXPECT_EQ(out, R"("150")");
  out.clear();
  EXPECT_TRUE(printer->PrintField(4, "\x02", &out));  // one element of the repeated enum
  EXPECT_EQ(out, R"("ROLE_ADMIN")");
  out.clear();
  EXPECT_TRUE(printer->PrintField(3,
                                  std::string("\x04\x12\x02"
                                              "EU",
                                              5),
                                  &out));
  EXPECT_EQ(out, R"({"region":"EU"})");
  // Declines: unknown number, trailing bytes, a truncated length.
  out = "kept";
  EXPECT_FALSE(printer->PrintField(99, "\x01", &out));
  EXPECT_FALSE(printer->PrintField(7, "\x01\x01", &out));
  EXPECT_FALSE(printer->PrintField(1,
                                   "\x05"
                                   "ab",
                                   &out));
  EXPECT_EQ(out, "kept");
}

// With Structs and wrappers covered, random messages of every demo type it
// accepts print as protobuf prints them.
TEST(JsonPrinterTest, StructsAndWrappersMatchProtobufWhenCovered) {
  const auto coverage = JsonPrinter::Coverage::kStructsAndWrappers;
  ASSERT_NE(JsonPrinter::Create(Type("demo.catalog.v1.Product"), {}, coverage), nullptr);
  RandomFiller filler(20240229);
  int compared = 0;
  for (const char* name :
       {"demo.catalog.v1.Product", "demo.catalog.v1.SetAttributesRequest", "demo.users.v1.User"}) {
    const gpb::Descriptor& type = Type(name);
    for (int o = 0; o < 4; ++o) {
      const JsonOutputOptions options{.use_proto_field_names = (o & 1) != 0,
                                      .enums_as_ints = (o & 2) != 0};
      auto printer = JsonPrinter::Create(type, options, coverage);
      ASSERT_NE(printer, nullptr) << name;
      for (int n = 0; n < 200; ++n) {
        auto message = New(type);
        filler.Fill(message.get(), 0);
        std::string bytes;
        message->SerializePartialToString(&bytes);
        std::string fast;
        if (!printer->Print(bytes, &fast)) continue;
        ++compared;
        ASSERT_EQ(fast, Reference(type, bytes, options)) << name << " " << o;
      }
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(JsonPrinterTest, StructsAndWrappersInTheirEdgeShapes) {
  const auto& type = Type("demo.catalog.v1.Product");
  auto printer = JsonPrinter::Create(type, {}, JsonPrinter::Coverage::kStructsAndWrappers);
  ASSERT_NE(printer, nullptr);
  auto print = [&](const std::string& bytes) {
    std::string out;
    return printer->Print(bytes, &out) ? out : "<declined>";
  };
  const std::string empty_wrapper("\x3a\x00", 2);  // in_stock = {}
  EXPECT_EQ(print(empty_wrapper), Reference(type, empty_wrapper, {}));
  EXPECT_EQ(print(empty_wrapper), R"({"inStock":false})");
  // attributes = {"a": null-by-absence, "b": [true, {}]}
  const std::string value_struct = FromJson(type, R"({"attributes": {"a": null,
      "b": [true, {}, "x<", 1.5, [], {"c": -0.0}]}})")
                                       ->SerializeAsString();
  EXPECT_EQ(print(value_struct), Reference(type, value_struct, {}));
  // A wrapper with a field after its value, a Value with two kinds, a Value
  // with no known kind: declined.
  EXPECT_EQ(print(std::string("\x3a\x04\x08\x01\x10\x01", 6)), "<declined>");
  EXPECT_EQ(print(std::string("\x32\x0b\x0a\x09\x0a\x01k\x12\x04\x20\x01\x20\x00", 13)),
            "<declined>");
  EXPECT_EQ(print(std::string("\x32\x09\x0a\x07\x0a\x01k\x12\x02\x38\x01", 11)), "<declined>");
  // Without the coverage, the type is still refused.
  EXPECT_EQ(JsonPrinter::Create(type, {}), nullptr);
}

}  // namespace
}  // namespace protogate::transcode
