// A parsed JSON document, read-only: what graph_model reads model.json
// through. In the Wasm builds JSON.parse parses it, in the JS engine's native
// code, and one JS pass lays the value out in Wasm memory (json.cpp): a
// parser compiled to Wasm cost a first visit ~30 ms on the page's thread and
// ~100 ms of V8 optimising it on the others, and reading the JS value through
// Embind one property at a time as much (docs/benchmarks.md). Natively
// (tests, fuzzing) it is nlohmann::json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten/val.h>
#else
#include <nlohmann/json.hpp>
#endif

namespace bodypix {

// A value read from a document is valid while the document is.
class JsonValue {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  // text parsed; an Error saying why where it is not JSON.
  static JsonValue parse(const std::string& text);

#ifdef __EMSCRIPTEN__
  // A value JSON.parse made (or one like it: other JS values read as null).
  explicit JsonValue(const emscripten::val& value);
#endif

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  // An object's own member, or null where there is none (or no object).
  JsonValue operator[](const std::string& key) const;
  // Whether an object has this member, and it is not null.
  bool has(const std::string& key) const { return !(*this)[key].is(Kind::Null); }
  // An array's length and elements; other kinds have none.
  size_t size() const;
  JsonValue operator[](size_t index) const;
  // An object's members, in order; other kinds have none.
  std::vector<std::pair<std::string, JsonValue>> members() const;
  // A string's text, a number's value, a boolean's: callers check the kind first.
  std::string text() const;
  double number() const;
  bool boolean() const;
  // A number that is a whole int64, if this is one.
  std::optional<int64_t> integer() const;
  // Compact JSON, for messages.
  std::string dump() const;

 private:
#ifdef __EMSCRIPTEN__
  JsonValue(const uint8_t* tape, size_t at);
  std::shared_ptr<const std::vector<uint8_t>> owner_;  // the document's; null in values read from it
  const uint8_t* tape_;
  size_t at_;
#else
  JsonValue(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* node);
  std::shared_ptr<const nlohmann::json> root_;
  const nlohmann::json* node_;
#endif
  Kind kind_;
};

}  // namespace bodypix
