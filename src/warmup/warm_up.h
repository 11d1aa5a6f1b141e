// Runs the engine once on a miniature model on a spare thread while the real
// model downloads and is parsed. A fresh WebAssembly engine compiles each
// function on its first call and optimises the hot ones only after they have
// run a while; the warm-up pays those costs off the critical path, so the
// first real call runs compiled, tiered-up code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bodypix::warmup {

struct ModelFiles {
  std::string json;
  std::vector<uint8_t> shard;
};

// The model the warm-up runs: a MobileNetV1 BodyPix graph in miniature.
ModelFiles miniModel();

// Says what the model on its way weighs (ModelJson's storedBytes and
// decodedBytes). The warm-up's last stages then fault in the heap that its
// decode and a first call will write: each fresh page costs a fault on its
// first write, on whichever thread writes it, and the download leaves the
// warm-up's thread time to spare.
void expectModel(size_t storedBytes, size_t decodedBytes);
// The model is in: from here its decode writes the heap itself, and faults
// on another thread would only take the cores it needs.
void modelArrived();

// Starts the warm-up on a thread of its own; a no-op without threads or if
// one has started before.
void start();

// Without threads: runs the warm-up's next stage (tens of ms) on the caller's
// thread, for callers that have time to spare between their own tasks.
// Returns whether stages remain.
bool step();

// Stops the warm-up at its next stage and waits for it, freeing its thread's
// Worker for the pool. Anything that makes the thread pool calls it first.
void finish();

}  // namespace bodypix::warmup
