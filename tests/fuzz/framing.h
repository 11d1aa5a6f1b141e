// How one fuzzer input holds a model: the model.json text, a NUL byte, then
// the bytes of its single weight shard. JSON text never contains a raw NUL,
// so the first one is the split. An input without one is all JSON, and the
// fuzz target makes a shard to measure for it (model_fuzz.cpp). An input
// whose JSON is empty (it starts with the NUL; no model file is empty) holds
// a config instead: the bytes after the NUL give a segment call's config,
// image and method (model_fuzz.cpp, runConfig). The seed writer and the fuzz
// target share this file.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace bodypix::fuzz {

struct Framed {
  std::string json;
  bool hasShard;
  const uint8_t* shard;
  size_t shardSize;
};

inline Framed split(const uint8_t* data, size_t size) {
  const void* nul = size ? std::memchr(data, 0, size) : nullptr;
  const size_t jsonSize = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : size;
  const size_t shardAt = nul ? jsonSize + 1 : size;
  return {std::string(reinterpret_cast<const char*>(data), jsonSize), nul != nullptr, data + shardAt, size - shardAt};
}

// A config input: the NUL, then the bytes.
inline std::vector<uint8_t> configInput(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> out{0};
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

inline std::vector<uint8_t> join(const std::string& json, const uint8_t* shard, size_t shardSize) {
  std::vector<uint8_t> out(json.begin(), json.end());
  out.push_back(0);
  out.insert(out.end(), shard, shard + shardSize);
  return out;
}

}  // namespace bodypix::fuzz
