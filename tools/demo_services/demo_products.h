#pragma once

#include <array>
#include <cstdint>

namespace protogate::demo_services {

// The products of the demo shop, shared so that the orders the OrderService makes
// up reference products the CatalogService knows, at the catalog's prices.
struct DemoProduct {
  const char* product_id;
  const char* title;
  int category;  // demo.catalog.v1.Category
  int64_t price_cents;
};

inline constexpr std::array<DemoProduct, 4> kDemoProducts = {{
    {"p-1", "The C++ Programming Language", /*CATEGORY_BOOKS=*/1, 5999},
    {"p-2", "Factorio", /*CATEGORY_GAMES=*/2, 3500},
    {"p-3", "Torque Wrench", /*CATEGORY_TOOLS=*/3, 8900},
    {"p-4", "Effective Modern C++", /*CATEGORY_BOOKS=*/1, 4499},
}};

}  // namespace protogate::demo_services
