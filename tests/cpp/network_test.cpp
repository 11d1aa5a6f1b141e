// The network's threads: a fresh engine's first run on the calling thread
// alone where the pool would take every core, the pool afterwards, and the
// same outputs either way.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bodypix/model.h"
#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"
#include "warmup/warm_up.h"

using namespace bodypix;

TEST_CASE("only a two-thread pool on two cores, waited for by spinning, makes a first run alone") {
  CHECK(firstRunAlone(2, 2, true, false));
  CHECK(firstRunAlone(2, 1, true, false));
  CHECK_FALSE(firstRunAlone(2, 2, true, true));    // not the engine's first pooled run
  CHECK_FALSE(firstRunAlone(2, 2, false, false));  // the caller sleeps while it waits
  CHECK_FALSE(firstRunAlone(2, 4, true, false));   // a core is left for V8
  CHECK_FALSE(firstRunAlone(3, 2, true, false));
  CHECK_FALSE(firstRunAlone(4, 4, true, false));
}

TEST_CASE("a pooled network gives one thread's outputs, on its first run and on the pool") {
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
  CHECK(alone.lastRunThreads() == 1);
  const std::vector<std::vector<float>> expected = outputs(alone);

  Network pooled(buildSubgraph(graph, heads), 2);
  std::vector<size_t> runThreads;
  for (int run = 0; run < 3; ++run) {
    pooled.run(input.data(), h, w);
    runThreads.push_back(pooled.lastRunThreads());
    CHECK(outputs(pooled) == expected);  // bit for bit
  }
  // The pool (where the build has threads) from the second run on, whatever
  // the first used.
  CHECK((runThreads[0] == 1 || runThreads[0] == pooled.threads()));
  CHECK(runThreads[1] == pooled.threads());
  CHECK(runThreads[2] == pooled.threads());
}
