#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "error.h"
#include "tfjs/json.h"

using bodypix::JsonDocument;
using bodypix::JsonValue;
using Kind = JsonValue::Kind;

// In the Wasm builds these read JSON.parse's value laid out in Wasm memory,
// natively nlohmann's: both must answer alike.
TEST_CASE("a JSON document reads as its values, missing ones as null", "[json]") {
  const JsonDocument document = JsonDocument::parse(
      R"({"s": "caf\u00e9 \"q\"", "n": -2.5, "i": "7", "t": true, "f": false, "z": null,
          "a": [1, [2, 3], {"k": "v"}], "o": {"b": {"c": [42]}}, "e": {}, "constructor": 1})");
  const JsonValue doc = document.root();
  REQUIRE(doc.is(Kind::Object));
  CHECK(doc["s"].text() == "caf\xc3\xa9 \"q\"");
  CHECK(doc["n"].number() == -2.5);
  CHECK_FALSE(doc["n"].integer());
  CHECK(doc["i"].is(Kind::String));
  CHECK(doc["t"].boolean());
  CHECK(doc["f"].is(Kind::Bool));
  CHECK_FALSE(doc["f"].boolean());
  CHECK(doc["z"].is(Kind::Null));
  CHECK_FALSE(doc.has("z"));
  CHECK(doc.has("e"));
  CHECK(doc["e"].members().empty());

  const JsonValue a = doc["a"];
  REQUIRE(a.size() == 3);
  CHECK(a[0].integer() == 1);
  CHECK(a[1][1].integer() == 3);
  CHECK(a[2]["k"].text() == "v");
  CHECK(a[3].is(Kind::Null));
  CHECK(doc["o"]["b"]["c"][0].integer() == 42);

  // Absent members read as null, whatever the kind they are asked of; and
  // only a document's own members exist: "toString" is not Object's here.
  CHECK(doc["missing"].is(Kind::Null));
  CHECK(doc["missing"]["deeper"][0].is(Kind::Null));
  CHECK(doc["s"]["length"].is(Kind::Null));
  CHECK(a["0"].is(Kind::Null));
  CHECK(doc["toString"].is(Kind::Null));
  CHECK(doc["constructor"].integer() == 1);
  CHECK(doc["s"].size() == 0);
  CHECK(doc["s"].number() != doc["s"].number());

  std::vector<std::string> keys;
  for (const auto& [key, value] : doc["a"][2].members()) keys.push_back(key + "=" + value.text());
  CHECK(keys == std::vector<std::string>{"k=v"});
}

TEST_CASE("a JSON number is an integer only when it is a whole int64", "[json]") {
  const JsonDocument document = JsonDocument::parse("[34, -1, 0.5, 1e12, 9007199254740992, 1e30, -9.3e18, 34.0]");
  const JsonValue a = document.root();
  CHECK(a[0].integer() == 34);
  CHECK(a[1].integer() == -1);
  CHECK_FALSE(a[2].integer());
  CHECK(a[3].integer() == 1000000000000);
  CHECK(a[4].integer() == 9007199254740992);
  CHECK_FALSE(a[5].integer());
  CHECK_FALSE(a[6].integer());
  CHECK(a[7].integer() == 34);
}

TEST_CASE("a JSON value dumps as JSON, for messages", "[json]") {
  const JsonDocument document = JsonDocument::parse(
      R"({"shape": [1000000000000, -34, 17.5], "s": "a\"b", "o": {"x": [true, null]}})");
  const JsonValue doc = document.root();
  CHECK(doc["shape"].dump() == "[1000000000000,-34,17.5]");
  CHECK(doc["s"].dump() == R"("a\"b")");
  CHECK(doc["o"].dump() == R"({"x":[true,null]})");
}

TEST_CASE("text that is not JSON is an Error saying so", "[json][errors]") {
  for (const char* text : {"", "{", "[1,]", "{\"a\" 1}", "nul"})
    CHECK_THROWS_WITH(JsonDocument::parse(text), Catch::StartsWith("model JSON is malformed: "));
  // A NUL after a whole document: JSON.parse must not see the text end there.
  CHECK_THROWS_WITH(JsonDocument::parse(std::string("{}\0{", 4)), Catch::StartsWith("model JSON is malformed: "));
}

TEST_CASE("a deeply nested document reads, and is null past what the engine reads", "[json]") {
  const int depth = 100000;
  const JsonDocument document = JsonDocument::parse(std::string(depth, '[') + "1" + std::string(depth, ']'));
  JsonValue v = document.root();
  for (int i = 0; i < 5; ++i) v = v[0];
  CHECK(v.is(Kind::Array));
}
