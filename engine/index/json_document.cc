#include "engine/index/json_document.h"

#include <limits>

#include <nlohmann/json.hpp>

namespace busca::index {
namespace {

using Json = nlohmann::json;

Status FieldError(const FieldSpec& f, std::string_view what) {
  return Status::InvalidArgument("field \"" + f.name + "\" (" + std::string(FieldTypeName(f.type)) + "): " +
                                 std::string(what));
}

Result<FieldValue> ParseValue(const FieldSpec& f, const Json& v) {
  if (v.is_null()) return FieldValue{};
  switch (f.type) {
    case FieldType::kText:
      if (!v.is_string()) return FieldError(f, "expected a string, got " + std::string(v.type_name()));
      return FieldValue{v.get<std::string>()};
    case FieldType::kKeyword: {
      std::vector<std::string> values;
      if (v.is_string()) {
        values.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        if (!f.multi && v.size() > 1) return FieldError(f, "an array of several values for a single-valued field");
        for (const auto& e : v) {
          if (!e.is_string()) return FieldError(f, "array elements must be strings, got " + std::string(e.type_name()));
          values.push_back(e.get<std::string>());
        }
      } else {
        return FieldError(f, "expected a string or an array of strings, got " + std::string(v.type_name()));
      }
      return FieldValue{std::move(values)};
    }
    case FieldType::kNumber: {
      std::string text;
      if (v.is_string()) {
        text = v.get<std::string>();
      } else if (v.is_number_integer()) {
        text = v.dump();
      } else if (v.is_number_float()) {
        text = v.dump();  // shortest round-trip form, e.g. 12.5
      } else {
        return FieldError(f, "expected a number or a decimal string, got " + std::string(v.type_name()));
      }
      auto parsed = ParseScaledDecimal(text, f.scale);
      if (!parsed.ok()) return FieldError(f, parsed.status().message());
      return FieldValue{*parsed};
    }
    case FieldType::kBoolean:
      if (!v.is_boolean()) return FieldError(f, "expected true or false, got " + std::string(v.type_name()));
      return FieldValue{v.get<bool>()};
    case FieldType::kTimestamp: {
      if (!v.is_string()) return FieldError(f, "expected an ISO-8601 string, got " + std::string(v.type_name()));
      auto parsed = ParseTimestampMicros(v.get<std::string>());
      if (!parsed.ok()) return FieldError(f, parsed.status().message());
      return FieldValue{*parsed};
    }
  }
  return FieldError(f, "unsupported type");
}

}  // namespace

Result<Document> ParseJsonDocument(const CollectionSchema& schema, std::string_view json_text) {
  Json root;
  try {
    root = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument(std::string("invalid JSON at byte ") + std::to_string(e.byte) + ": " + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
  if (!root.is_object()) return Status::InvalidArgument("a document must be a JSON object");
  Document doc;
  doc.values.resize(schema.fields.size());
  auto id = root.find("id");
  if (id == root.end()) return Status::InvalidArgument("missing \"id\"");
  if (!id->is_string()) return Status::InvalidArgument("\"id\" must be a string");
  doc.id = id->get<std::string>();
  if (doc.id.empty()) return Status::InvalidArgument("\"id\" must not be empty");
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() == "id") continue;
    auto index = schema.FieldIndex(it.key());
    if (!index) return Status::InvalidArgument("unknown field \"" + it.key() + "\" (not in schema \"" + schema.name + "\")");
    BUSCA_ASSIGN_OR_RETURN(doc.values[*index], ParseValue(schema.fields[*index], it.value()));
  }
  return doc;
}

std::string DocumentToJson(const CollectionSchema& schema, const Document& doc) {
  Json out = Json::object();
  out["id"] = doc.id;
  for (size_t i = 0; i < schema.fields.size() && i < doc.values.size(); ++i) {
    const FieldSpec& f = schema.fields[i];
    const FieldValue& v = doc.values[i];
    if (std::holds_alternative<std::monostate>(v)) continue;
    switch (f.type) {
      case FieldType::kText:
        if (auto* s = std::get_if<std::string>(&v)) out[f.name] = *s;
        break;
      case FieldType::kKeyword:
        if (auto* vs = std::get_if<std::vector<std::string>>(&v)) {
          if (f.multi) {
            out[f.name] = *vs;
          } else if (!vs->empty()) {
            out[f.name] = vs->front();
          }
        }
        break;
      case FieldType::kNumber:
        if (auto* n = std::get_if<int64_t>(&v)) out[f.name] = FormatScaledDecimal(*n, f.scale);
        break;
      case FieldType::kTimestamp:
        if (auto* n = std::get_if<int64_t>(&v)) out[f.name] = FormatTimestampMicros(*n);
        break;
      case FieldType::kBoolean:
        if (auto* b = std::get_if<bool>(&v)) out[f.name] = *b;
        break;
    }
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace busca::index
