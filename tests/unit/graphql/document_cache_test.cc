#include "graphql/document_cache.h"

#include <string>

#include "graphql/executor.h"
#include "gtest/gtest.h"
#include "support/demo_graphql.h"

namespace protogate::graphql {
namespace {

std::shared_ptr<const Document> Doc() { return std::make_shared<const Document>(); }

TEST(DocumentCacheTest, KeepsTheMostRecentlyUsedDocuments) {
  DocumentCache cache(2);
  auto a = Doc();
  cache.Insert("{ a }", a);
  cache.Insert("{ b }", Doc());
  EXPECT_EQ(cache.Find("{ a }"), a);  // now the most recent
  cache.Insert("{ c }", Doc());       // evicts { b }
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find("{ b }"), nullptr);
  EXPECT_EQ(cache.Find("{ a }"), a);
  EXPECT_NE(cache.Find("{ c }"), nullptr);
}

TEST(DocumentCacheTest, LongDocumentsAndAZeroCapacityKeepNothing) {
  DocumentCache cache(10);
  cache.Insert(std::string(DocumentCache::kMaxCachedQuery + 1, ' '), Doc());
  EXPECT_EQ(cache.size(), 0u);
  DocumentCache none(0);
  none.Insert("{ a }", Doc());
  EXPECT_EQ(none.Find("{ a }"), nullptr);
}

TEST(DocumentCacheTest, PrepareParsesAndValidatesADocumentOnce) {
  auto schema = Schema::Build(test::DemoRootMethods());
  ASSERT_TRUE(schema.ok()) << schema.status();
  DocumentCache cache(10);
  const GraphqlRequest request{.query = "query($id: String) { getUser(userId: $id) { email } }"};
  Prepared first = Prepare(**schema, request, {}, &cache);
  ASSERT_TRUE(first.errors.empty());
  Prepared second = Prepare(**schema, request, {}, &cache);
  ASSERT_TRUE(second.errors.empty());
  EXPECT_EQ(first.document, second.document);  // the same parsed document
  Prepared invalid = Prepare(**schema, {.query = "{ getUser { nope } }"}, {}, &cache);
  EXPECT_FALSE(invalid.errors.empty());
  EXPECT_EQ(cache.size(), 1u);  // refused documents are not kept
}

}  // namespace
}  // namespace protogate::graphql
