#include "core/json.h"

#include "core/error.h"

namespace npsbundle {

std::string JsonMember(const std::string& location, std::string_view key) {
  return location.empty() ? std::string(key) : location + "." + std::string(key);
}

std::string JsonIndex(const std::string& location, size_t index) {
  return location + "[" + std::to_string(index) + "]";
}

std::string JsonQuote(std::string_view key) { return "\"" + std::string(key) + "\""; }

JsonDocument::JsonDocument(std::string_view json, const std::string& display_path) {
  simdjson::padded_string padded(json);
  if (auto error = parser_.parse(padded).get(root_)) {
    JsonReader(display_path).Fail("", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
  }
}

void JsonReader::Fail(const std::string& location, const std::string& what) const {
  throw InputError(display_path_ + ": " + (location.empty() ? "" : location + ": ") + what);
}

JsonObject JsonReader::Object(JsonValue value, const std::string& location) const {
  JsonObject object;
  if (value.get_object().get(object)) Fail(location, "expected an object");
  return object;
}

JsonArray JsonReader::Array(JsonValue value, const std::string& location, const std::string& what) const {
  JsonArray array;
  if (value.get_array().get(array)) Fail(location, what);
  return array;
}

std::string JsonReader::String(JsonValue value, const std::string& location) const {
  std::string_view text;
  if (value.get_string().get(text)) Fail(location, "expected a string");
  return std::string(text);
}

bool JsonReader::Bool(JsonValue value, const std::string& location) const {
  bool flag = false;
  if (value.get_bool().get(flag)) Fail(location, "expected true or false");
  return flag;
}

int64_t JsonReader::Integer(JsonValue value, const std::string& location, int64_t min, int64_t max) const {
  int64_t number = 0;
  if (value.get_int64().get(number)) Fail(location, "expected a whole number");
  if (number < min || number > max) {
    Fail(location, std::to_string(number) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
  }
  return number;
}

double JsonReader::Number(JsonValue value, const std::string& location, const std::string& what) const {
  double number = 0;
  // get_double converts whole numbers too.
  if (value.get_double().get(number)) Fail(location, "expected " + what);
  return number;
}

uint64_t JsonReader::Unsigned(JsonValue value, const std::string& location, const std::string& what) const {
  uint64_t number = 0;
  if (value.get_uint64().get(number)) Fail(location, "expected " + what);
  return number;
}

std::vector<std::string> JsonReader::StringArray(JsonValue value, const std::string& location) const {
  std::vector<std::string> out;
  for (JsonValue item : Array(value, location, "expected an array of strings")) {
    out.push_back(String(item, JsonIndex(location, out.size())));
  }
  return out;
}

JsonValue JsonReader::Field(JsonValue object, std::string_view key, const std::string& location) const {
  JsonValue value;
  if (object[key].get(value)) Fail(location, "missing field \"" + std::string(key) + "\"");
  return value;
}

std::optional<JsonValue> JsonReader::OptionalField(JsonValue object, std::string_view key) {
  JsonValue value;
  if (object[key].get(value)) return std::nullopt;
  return value;
}

}  // namespace npsbundle
