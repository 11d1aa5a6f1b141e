#include "tfjs/json.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "error.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/em_js.h>
#endif

namespace bodypix {
namespace {

// A double that is a whole number within int64's range.
std::optional<int64_t> wholeInt64(double d) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!std::isfinite(d) || d != std::trunc(d) || d < -kTwo63 || d >= kTwo63) return std::nullopt;
  return static_cast<int64_t>(d);
}

// JSON has no place for a NUL byte, and both parsers would end the text at
// one and read what came before as the whole document.
void refuseNul(const std::string& text) {
  if (text.find('\0') != std::string::npos) throw Error("model JSON is malformed: it holds a NUL byte");
}

}  // namespace
}  // namespace bodypix

#ifdef __EMSCRIPTEN__

// The tape: a JS value laid out in bytes, each value a kind byte (Kind's
// order) and then: a boolean one byte; a number its float64; a string its
// UTF-8 length (u32) and bytes; an array its length, the offset just past
// it and each element's offset (u32s), then the elements; an object its
// member count and the offset just past it, then each member's key (as a
// string's) and value. Little-endian, offsets from the tape's start. Values
// nested deeper than the engine reads (kMaxDepth) are laid out as null, so
// that a hostile document cannot exhaust the JS stack.
using emscripten::EM_VAL;
EM_JS_DEPS(bodypix_json, "$Emval,$UTF8ToString");

// The bodies are JS, which clang-format would break.
// clang-format off
EM_JS(EM_VAL, bodypix_json_parse, (const char* text, size_t length), {
  try {
    return Emval.toHandle({ value: JSON.parse(UTF8ToString(text, length)) });
  } catch (e) {
    return Emval.toHandle({ error: String(e.message) });
  }
});

EM_JS(EM_VAL, bodypix_json_tape, (EM_VAL handle, int maxDepth), {
  let bytes = new Uint8Array(65536);
  let view = new DataView(bytes.buffer);
  let at = 0;
  const room = (n) => {
    if (at + n <= bytes.length) return;
    let size = bytes.length * 2;
    while (size < at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(bytes.subarray(0, at));
    bytes = grown;
    view = new DataView(bytes.buffer);
  };
  const u32 = (v) => {
    room(4);
    view.setUint32(at, v, true);
    at += 4;
  };
  // ASCII (all of a model.json's text) copied a character at a time: a
  // TextEncoder call per string took ~6 us each in a cold page.
  const utf8 = new TextEncoder();
  const text = (s) => {
    const n = s.length;
    room(4 + 3 * n);
    let i = 0;
    for (let c; i < n && (c = s.charCodeAt(i)) < 128; i++) bytes[at + 4 + i] = c;
    const written = i === n ? n : utf8.encodeInto(s, bytes.subarray(at + 4)).written;
    view.setUint32(at, written, true);
    at += 4 + written;
  };
  const value = (v, depth) => {
    room(1);
    if (typeof v === 'boolean') {
      bytes[at++] = 1;
      room(1);
      bytes[at++] = v ? 1 : 0;
    } else if (typeof v === 'number') {
      bytes[at++] = 2;
      room(8);
      view.setFloat64(at, v, true);
      at += 8;
    } else if (typeof v === 'string') {
      bytes[at++] = 3;
      text(v);
    } else if (typeof v === 'object' && v !== null && depth < maxDepth) {
      const array = Array.isArray(v);
      const keys = array ? null : Object.keys(v);
      const count = array ? v.length : keys.length;
      bytes[at++] = array ? 4 : 5;
      u32(count);
      const end = at;
      u32(0);
      if (array) {
        const table = at;
        room(4 * count);
        at += 4 * count;
        for (let i = 0; i < count; i++) {
          view.setUint32(table + 4 * i, at, true);
          value(v[i], depth + 1);
        }
      } else {
        for (const k of keys) {
          text(k);
          value(v[k], depth + 1);
        }
      }
      view.setUint32(end, at, true);
    } else {
      bytes[at++] = 0;
    }
  };
  value(Emval.toValue(handle), 0);
  return Emval.toHandle(bytes.subarray(0, at));
});
// clang-format on

namespace bodypix {
namespace {

using emscripten::val;

// The engine reads model.json no deeper than five levels.
constexpr int kMaxDepth = 32;

// What a missing member or element reads as.
const uint8_t kNullTape[1] = {0};

uint32_t u32At(const uint8_t* tape, size_t at) {
  uint32_t v;
  std::memcpy(&v, tape + at, 4);
  return v;
}

// Where the value at `at` ends.
size_t valueEnd(const uint8_t* tape, size_t at) {
  switch (static_cast<JsonValue::Kind>(tape[at])) {
    case JsonValue::Kind::Bool:
      return at + 2;
    case JsonValue::Kind::Number:
      return at + 9;
    case JsonValue::Kind::String:
      return at + 5 + u32At(tape, at + 1);
    case JsonValue::Kind::Array:
    case JsonValue::Kind::Object:
      return u32At(tape, at + 5);
    default:
      return at + 1;
  }
}

std::string stringAt(const uint8_t* tape, size_t at) {
  return std::string(reinterpret_cast<const char*>(tape) + at + 4, u32At(tape, at));
}

// A number as %.17g writes it, which reads back as the same double.
std::string numberText(double v) {
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + '"';
}

}  // namespace

JsonDocument JsonDocument::parse(const std::string& text) {
  refuseNul(text);
  const val result = val::take_ownership(bodypix_json_parse(text.data(), text.size()));
  const val error = result["error"];
  if (!error.isUndefined()) throw Error("model JSON is malformed: " + error.as<std::string>());
  return JsonDocument(result["value"]);
}

JsonDocument::JsonDocument(const val& value) {
  const val bytes = val::take_ownership(bodypix_json_tape(value.as_handle(), kMaxDepth));
  tape_.resize(bytes["length"].as<size_t>());
  val(emscripten::typed_memory_view(tape_.size(), tape_.data())).call<void>("set", bytes);
}

JsonValue JsonDocument::root() const { return JsonValue(tape_.data(), 0); }

JsonValue::JsonValue(const uint8_t* tape, size_t at) : tape_(tape), at_(at), kind_(static_cast<Kind>(tape[at])) {}

JsonValue JsonValue::operator[](std::string_view key) const {
  if (kind_ == Kind::Object) {
    size_t at = at_ + 9;
    for (uint32_t i = 0, n = u32At(tape_, at_ + 1); i < n; ++i) {
      const size_t length = u32At(tape_, at), value = at + 4 + length;
      if (length == key.size() && std::memcmp(tape_ + at + 4, key.data(), length) == 0) return JsonValue(tape_, value);
      at = valueEnd(tape_, value);
    }
  }
  return JsonValue(kNullTape, 0);
}

size_t JsonValue::size() const { return kind_ == Kind::Array ? u32At(tape_, at_ + 1) : 0; }

JsonValue JsonValue::operator[](size_t index) const {
  if (index >= size()) return JsonValue(kNullTape, 0);
  return JsonValue(tape_, u32At(tape_, at_ + 9 + 4 * index));
}

std::vector<std::pair<std::string, JsonValue>> JsonValue::members() const {
  std::vector<std::pair<std::string, JsonValue>> out;
  if (kind_ != Kind::Object) return out;
  size_t at = at_ + 9;
  for (uint32_t i = 0, n = u32At(tape_, at_ + 1); i < n; ++i) {
    const size_t value = at + 4 + u32At(tape_, at);
    out.emplace_back(stringAt(tape_, at), JsonValue(tape_, value));
    at = valueEnd(tape_, value);
  }
  return out;
}

std::string JsonValue::text() const { return kind_ == Kind::String ? stringAt(tape_, at_ + 1) : std::string(); }

double JsonValue::number() const {
  if (kind_ != Kind::Number) return std::numeric_limits<double>::quiet_NaN();
  double v;
  std::memcpy(&v, tape_ + at_ + 1, 8);
  return v;
}

bool JsonValue::boolean() const { return kind_ == Kind::Bool && tape_[at_ + 1] != 0; }

std::optional<int64_t> JsonValue::integer() const {
  return kind_ == Kind::Number ? wholeInt64(number()) : std::nullopt;
}

std::string JsonValue::dump() const {
  switch (kind_) {
    case Kind::Bool:
      return boolean() ? "true" : "false";
    case Kind::Number:
      return numberText(number());
    case Kind::String:
      return quoted(text());
    case Kind::Array: {
      std::string out = "[";
      for (size_t i = 0; i < size(); ++i) out += (i ? "," : "") + (*this)[i].dump();
      return out + "]";
    }
    case Kind::Object: {
      std::string out = "{";
      for (const auto& [key, value] : members()) out += (out.size() > 1 ? "," : "") + quoted(key) + ":" + value.dump();
      return out + "}";
    }
    default:
      return "null";
  }
}

}  // namespace bodypix

#else

namespace bodypix {

using nlohmann::json;

namespace {

const json kNull;

JsonValue::Kind kindOf(const json& j) {
  switch (j.type()) {
    case json::value_t::boolean:
      return JsonValue::Kind::Bool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return JsonValue::Kind::Number;
    case json::value_t::string:
      return JsonValue::Kind::String;
    case json::value_t::array:
      return JsonValue::Kind::Array;
    case json::value_t::object:
      return JsonValue::Kind::Object;
    default:
      return JsonValue::Kind::Null;
  }
}

}  // namespace

JsonValue::JsonValue(const json* node) : node_(node), kind_(kindOf(*node)) {}

JsonDocument JsonDocument::parse(const std::string& text) {
  refuseNul(text);
  try {
    return JsonDocument(std::make_unique<const json>(json::parse(text)));
  } catch (const json::exception& e) {
    throw Error(std::string("model JSON is malformed: ") + e.what());
  }
}

JsonValue JsonDocument::root() const { return JsonValue(root_.get()); }

JsonValue JsonValue::operator[](std::string_view key) const {
  if (kind_ != Kind::Object) return JsonValue(&kNull);
  const auto it = node_->find(std::string(key));
  return JsonValue(it == node_->end() ? &kNull : &*it);
}

size_t JsonValue::size() const { return kind_ == Kind::Array ? node_->size() : 0; }

JsonValue JsonValue::operator[](size_t index) const { return JsonValue(index < size() ? &(*node_)[index] : &kNull); }

std::vector<std::pair<std::string, JsonValue>> JsonValue::members() const {
  std::vector<std::pair<std::string, JsonValue>> out;
  if (kind_ == Kind::Object)
    for (const auto& item : node_->items()) out.emplace_back(item.key(), JsonValue(&item.value()));
  return out;
}

std::string JsonValue::text() const { return kind_ == Kind::String ? node_->get<std::string>() : std::string(); }

double JsonValue::number() const {
  return kind_ == Kind::Number ? node_->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

bool JsonValue::boolean() const { return kind_ == Kind::Bool && node_->get<bool>(); }

std::optional<int64_t> JsonValue::integer() const {
  if (node_->is_number_unsigned()) {
    const uint64_t u = node_->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (node_->is_number_integer()) return node_->get<int64_t>();
  return kind_ == Kind::Number ? wholeInt64(node_->get<double>()) : std::nullopt;
}

std::string JsonValue::dump() const { return node_->dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace bodypix

#endif
