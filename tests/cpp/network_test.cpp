// The network's threads: the pool gives the outputs of one thread.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "bodypix/model.h"
#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"
#include "warmup/warm_up.h"

using namespace bodypix;

TEST_CASE("a pooled network gives one thread's outputs, run after run") {
  const warmup::ModelFiles mini = warmup::miniModel();
  const GraphModel graph = parseGraphModel(mini.json, {{mini.shard.data(), mini.shard.size()}});
  const std::vector<std::string>& heads = BodyPixModel::headNames(Architecture::MobileNetV1);
  const size_t h = 97, w = 129;
  std::vector<float> input(h * w * 3);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(i % 251) / 125.0f - 1.0f;
  const auto outputs = [](const Network& net) {
    std::vector<std::vector<float>> out;
    for (size_t o = 0; o < net.outputCount(); ++o)
      out.emplace_back(net.output(o), net.output(o) + net.outputShape(o).size());
    return out;
  };

  Network alone(buildSubgraph(graph, heads), 1);
  alone.run(input.data(), h, w);
  CHECK(alone.threads() == 1);
  const std::vector<std::vector<float>> expected = outputs(alone);

  // Written in place, the input gives the outputs of a copied-in one.
  Network inPlace(buildSubgraph(graph, heads), 1);
  std::copy(input.begin(), input.end(), inPlace.input(h, w));
  inPlace.run(h, w);
  CHECK(outputs(inPlace) == expected);
  CHECK_THROWS_WITH(inPlace.run(h + 16, w), "the network input was not written at 113x129");

  Network pooled(buildSubgraph(graph, heads), 2);
  // Where the build and the machine have threads, the runs below, the
  // first included, do use the pool.
  if (BODYPIX_MAX_THREADS > 1 && std::thread::hardware_concurrency() > 1) CHECK(pooled.threads() > 1);
  for (int run = 0; run < 3; ++run) {
    pooled.run(input.data(), h, w);
    CHECK(outputs(pooled) == expected);  // bit for bit
  }
}
