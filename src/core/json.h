#ifndef NPSBUNDLE_CORE_JSON_H_
#define NPSBUNDLE_CORE_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace npsbundle {

// Reading the JSON files users hand us (Vite manifests, budgets, Lighthouse
// budgets, saved reports) with errors that say where. Every helper takes the
// location of the value in the document, written as the error shows it:
// "" for the root, "initial.max", "\"_x.js\".imports[2]" (JsonMember,
// JsonIndex and JsonQuote build them), and throws InputError
// "<file>: <location>: <what>" ("<file>: <what>" at the root).

using JsonValue = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// "a.b" from "a" and "b"; just "b" at the root.
std::string JsonMember(const std::string& location, std::string_view key);
// "a[3]".
std::string JsonIndex(const std::string& location, size_t index);
// "\"_x.js\"": a key that may hold dots, as manifest locations show it.
std::string JsonQuote(std::string_view key);

// A parsed document. Values point into it, so it must outlive them.
class JsonDocument {
 public:
  // Throws InputError "<display_path>: invalid JSON (<simdjson's reason>)".
  JsonDocument(std::string_view json, const std::string& display_path);
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
  JsonValue root() const { return root_; }

 private:
  simdjson::dom::parser parser_;
  JsonValue root_;
};

// The typed reads of one file's values. Parsers of a format derive from it
// (or hold one) and add their schema; messages are the same in every format.
class JsonReader {
 public:
  explicit JsonReader(std::string display_path) : display_path_(std::move(display_path)) {}
  const std::string& display_path() const { return display_path_; }

  // Throws InputError "<file>: <location>: <what>".
  [[noreturn]] void Fail(const std::string& location, const std::string& what) const;
  [[noreturn]] void Unknown(const std::string& location) const { Fail(location, "unknown field"); }

  JsonObject Object(JsonValue value, const std::string& location) const;  // "expected an object"
  JsonArray Array(JsonValue value, const std::string& location,
                  const std::string& what = "expected an array") const;
  std::string String(JsonValue value, const std::string& location) const;  // "expected a string"
  bool Bool(JsonValue value, const std::string& location) const;          // "expected true or false"
  // A whole number in [min, max]: "expected a whole number", "7 is out of range 1..5".
  int64_t Integer(JsonValue value, const std::string& location, int64_t min, int64_t max) const;
  // Any JSON number (whole or not); `what` completes "expected ..." when it is not one.
  double Number(JsonValue value, const std::string& location, const std::string& what = "a number") const;
  // A non-negative whole number that fits in 64 bits; "expected <what>" otherwise.
  uint64_t Unsigned(JsonValue value, const std::string& location, const std::string& what) const;
  // "expected an array of strings" unless every item is a string.
  std::vector<std::string> StringArray(JsonValue value, const std::string& location) const;

  // The member `key` of the object `object` at `location`: Field fails with
  // "<location>: missing field \"key\"", OptionalField returns nullopt.
  JsonValue Field(JsonValue object, std::string_view key, const std::string& location) const;
  static std::optional<JsonValue> OptionalField(JsonValue object, std::string_view key);

 private:
  std::string display_path_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_JSON_H_
