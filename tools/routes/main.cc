// protogate-routes: publish a proto, get an API. See tools/routes/README.md.

#include <iostream>
#include <string>
#include <vector>

#include "routes/cli.h"

int main(int argc, char** argv) {
  return protogate::routes::RunRoutesCli(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                         std::cerr);
}
