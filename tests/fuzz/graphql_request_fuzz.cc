// libFuzzer target: a whole GraphQL request against the schema of the test
// shapes service — parse, validate, bound, coerce variables, then execute
// with every call answered by an empty message or a scripted failure. The
// input's first line is the variables (JSON), the rest the document. The
// invariants: no crash, no hang; a refused request has errors, each with a
// message; an executed one answers one JSON object with "data".

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "aggregate/value_printer.h"
#include "graphql/executor.h"
#include "nlohmann/json.hpp"
#include "support/json_shapes.h"

namespace {

using namespace protogate;

std::shared_ptr<const graphql::Schema> ShapesSchema() {
  static const auto* const schema = [] {
    const auto* service =
        test::ShapesRegistry()->pool().FindServiceByName("protogate.test.ShapesService");
    if (service == nullptr) std::abort();
    std::vector<graphql::RootMethod> methods;
    for (int i = 0; i < service->method_count(); ++i)
      methods.push_back({.method = service->method(i)});
    auto built = graphql::Schema::Build(methods);
    if (!built.ok()) std::abort();
    return new std::shared_ptr<const graphql::Schema>(*built);
  }();
  return *schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  graphql::GraphqlRequest request;
  request.query = newline == std::string::npos ? input : input.substr(newline + 1);
  if (newline != std::string::npos) {
    auto variables = nlohmann::ordered_json::parse(input.substr(0, newline), nullptr, false);
    if (variables.is_object()) request.variables = std::move(variables);
  }
  graphql::Prepared prepared = graphql::Prepare(*ShapesSchema(), request, {.max_tokens = 2000});
  if (!prepared.errors.empty()) {
    for (const graphql::Error& error : prepared.errors) {
      if (error.message.empty()) std::abort();
    }
    return 0;
  }
  static const auto values = std::make_shared<const aggregate::ValuePrinter>(
      test::ShapesRegistry(), transcode::JsonOutputOptions{});
  int answered = 0;
  std::string body;
  graphql::Execute(
      ShapesSchema(), values, std::move(prepared), {},
      [&answered](graphql::Call call, std::function<void(graphql::CallReply)> done) {
        graphql::CallReply reply;
        if (++answered % 2 == 0) {
          reply.status = absl::NotFoundError("scripted");
        } else {
          reply.response = aggregate::Value::Message(std::make_shared<const std::string>(),
                                                     *call.method->output_type());
        }
        done(std::move(reply));
      },
      [&body](graphql::ExecutionResult result) { body = std::move(result.body); });
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("data")) std::abort();
  return 0;
}
