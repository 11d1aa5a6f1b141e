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
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten/val.h>
#else
#include <nlohmann/json.hpp>
#endif

namespace bodypix {

// A value read from a JsonDocument, valid while the document is. A view, as
// cheap to copy and to drop as a pointer: reading model.json makes
// thousands, and per-value bookkeeping would be code in every function that
// reads them, which V8 optimises at a cost that grows with the code (see
// graph_model.cpp).
class JsonValue {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  // An object's own member, or null where there is none (or no object).
  JsonValue operator[](std::string_view key) const;
  // Whether an object has this member, and it is not null.
  bool has(std::string_view key) const { return !(*this)[key].is(Kind::Null); }
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
  friend class JsonDocument;
#ifdef __EMSCRIPTEN__
  JsonValue(const uint8_t* tape, size_t at);
  const uint8_t* tape_;
  size_t at_;
#else
  explicit JsonValue(const nlohmann::json* node);
  const nlohmann::json* node_;
#endif
  Kind kind_;
};
static_assert(std::is_trivially_copyable_v<JsonValue> && std::is_trivially_destructible_v<JsonValue>);

// A parsed JSON document: it holds what its values read.
class JsonDocument {
 public:
  // text parsed; an Error saying why where it is not JSON.
  static JsonDocument parse(const std::string& text);

#ifdef __EMSCRIPTEN__
  // A value JSON.parse made (or one like it: other JS values read as null).
  explicit JsonDocument(const emscripten::val& value);
#endif

  JsonValue root() const;

 private:
#ifdef __EMSCRIPTEN__
  std::vector<uint8_t> tape_;
#else
  explicit JsonDocument(std::unique_ptr<const nlohmann::json> root) : root_(std::move(root)) {}
  std::unique_ptr<const nlohmann::json> root_;
#endif
};

}  // namespace bodypix
