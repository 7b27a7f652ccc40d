#include "engine/index/schema.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace busca::index {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxFields = 64;

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<FieldType> ParseFieldType(std::string_view s) {
  if (s == "text") return FieldType::kText;
  if (s == "keyword") return FieldType::kKeyword;
  if (s == "number") return FieldType::kNumber;
  if (s == "boolean") return FieldType::kBoolean;
  if (s == "timestamp") return FieldType::kTimestamp;
  return std::nullopt;
}

std::string JsonTypeName(const Json& j) { return j.type_name(); }

class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  Status Error(std::string_view where, std::string_view what) const {
    std::string msg(origin_);
    msg += ": ";
    if (!where.empty()) {
      msg += where;
      msg += ": ";
    }
    msg += what;
    return Status::InvalidArgument(std::move(msg));
  }

  Status CheckKeys(const Json& obj, std::string_view where, const std::set<std::string>& allowed) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!allowed.count(it.key())) return Error(where, "unknown key \"" + it.key() + "\"");
    }
    return Status::Ok();
  }

  Result<std::string> GetString(const Json& obj, const std::string& key, std::string_view where,
                                bool required, std::string default_value = "") const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return Error(where, "missing required key \"" + key + "\"");
      return default_value;
    }
    if (!it->is_string()) return Error(where, "\"" + key + "\" must be a string, not " + JsonTypeName(*it));
    return it->get<std::string>();
  }

  Result<CollectionSchema> Parse(std::string_view text) {
    Json root;
    try {
      root = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                         /*ignore_comments=*/true);
    } catch (const Json::parse_error& e) {
      return Error("", std::string("invalid JSON at byte ") + std::to_string(e.byte) + ": " + e.what());
    }
    if (!root.is_object()) return Error("", "the schema must be a JSON object");
    BUSCA_RETURN_IF_ERROR(CheckKeys(root, "", {"name", "source", "fields"}));
    CollectionSchema schema;
    BUSCA_ASSIGN_OR_RETURN(schema.name, GetString(root, "name", "", true));
    if (!IsIdentifier(schema.name)) {
      return Error("name", "\"" + schema.name + "\" is not a valid collection name ([a-z][a-z0-9_]*, at most 64 chars)");
    }
    auto src = root.find("source");
    if (src == root.end()) return Error("", "missing required key \"source\"");
    if (!src->is_object()) return Error("source", "must be an object");
    BUSCA_RETURN_IF_ERROR(CheckKeys(*src, "source", {"table", "id_column", "live_condition"}));
    BUSCA_ASSIGN_OR_RETURN(schema.source.table, GetString(*src, "table", "source", true));
    BUSCA_ASSIGN_OR_RETURN(schema.source.id_column, GetString(*src, "id_column", "source", true));
    BUSCA_ASSIGN_OR_RETURN(schema.source.live_condition, GetString(*src, "live_condition", "source", false));
    if (schema.source.table.empty()) return Error("source.table", "must not be empty");
    if (schema.source.id_column.empty()) return Error("source.id_column", "must not be empty");

    auto fields = root.find("fields");
    if (fields == root.end()) return Error("", "missing required key \"fields\"");
    if (!fields->is_array() || fields->empty()) return Error("fields", "must be a non-empty array");
    if (fields->size() > kMaxFields) return Error("fields", "more than " + std::to_string(kMaxFields) + " fields");
    std::set<std::string> names;
    size_t text_fields = 0;
    for (size_t i = 0; i < fields->size(); ++i) {
      const Json& f = (*fields)[i];
      std::string where = "fields[" + std::to_string(i) + "]";
      if (!f.is_object()) return Error(where, "must be an object");
      if (f.contains("name") && f["name"].is_string()) where += " (\"" + f["name"].get<std::string>() + "\")";
      BUSCA_RETURN_IF_ERROR(CheckKeys(f, where, {"name", "column", "type", "weight", "stored", "multi", "scale"}));
      FieldSpec spec;
      BUSCA_ASSIGN_OR_RETURN(spec.name, GetString(f, "name", where, true));
      if (!IsIdentifier(spec.name)) return Error(where, "\"" + spec.name + "\" is not a valid field name ([a-z][a-z0-9_]*)");
      if (spec.name == "id") return Error(where, "\"id\" is reserved for the external id");
      if (!names.insert(spec.name).second) return Error(where, "duplicate field name \"" + spec.name + "\"");
      BUSCA_ASSIGN_OR_RETURN(spec.column, GetString(f, "column", where, false, spec.name));
      if (spec.column.empty()) return Error(where, "\"column\" must not be empty");
      BUSCA_ASSIGN_OR_RETURN(std::string type, GetString(f, "type", where, true));
      auto parsed = ParseFieldType(type);
      if (!parsed) return Error(where, "unknown type \"" + type + "\" (text, keyword, number, boolean, timestamp)");
      spec.type = *parsed;
      if (auto it = f.find("weight"); it != f.end()) {
        if (spec.type != FieldType::kText) return Error(where, "\"weight\" applies to text fields only");
        if (!it->is_number()) return Error(where, "\"weight\" must be a number");
        spec.weight = it->get<double>();
        if (!(spec.weight > 0) || !std::isfinite(spec.weight) || spec.weight > 1000) {
          return Error(where, "\"weight\" must be > 0 and <= 1000");
        }
      }
      if (auto it = f.find("stored"); it != f.end()) {
        if (!it->is_boolean()) return Error(where, "\"stored\" must be true or false");
        spec.stored = it->get<bool>();
      }
      if (auto it = f.find("multi"); it != f.end()) {
        if (!it->is_boolean()) return Error(where, "\"multi\" must be true or false");
        spec.multi = it->get<bool>();
        if (spec.multi && spec.type != FieldType::kKeyword) return Error(where, "\"multi\" applies to keyword fields only");
      }
      if (auto it = f.find("scale"); it != f.end()) {
        if (spec.type != FieldType::kNumber) return Error(where, "\"scale\" applies to number fields only");
        if (!it->is_number_integer()) return Error(where, "\"scale\" must be an integer");
        int64_t scale = it->get<int64_t>();
        if (scale < 0 || scale > 9) return Error(where, "\"scale\" must be between 0 and 9");
        spec.scale = static_cast<int>(scale);
      }
      if (spec.type == FieldType::kText) ++text_fields;
      schema.fields.push_back(std::move(spec));
    }
    if (text_fields == 0) return Error("fields", "at least one text field is needed to make the collection searchable");
    if (text_fields > kMaxTextFields) return Error("fields", "more than " + std::to_string(kMaxTextFields) + " text fields");
    return schema;
  }

 private:
  std::string_view origin_;
};

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kText: return "text";
    case FieldType::kKeyword: return "keyword";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kTimestamp: return "timestamp";
  }
  return "unknown";
}

std::optional<size_t> CollectionSchema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return std::nullopt;
}

Result<CollectionSchema> ParseSchema(std::string_view json_text, std::string_view origin) {
  return Parser(origin).Parse(json_text);
}

Result<CollectionSchema> LoadSchemaFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot open schema file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError(path.string() + ": read error");
  return ParseSchema(ss.str(), path.string());
}

Result<std::vector<CollectionSchema>> LoadSchemaDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::NotFound(dir.string() + ": not a directory");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  std::vector<CollectionSchema> out;
  std::set<std::string> names;
  for (const auto& f : files) {
    BUSCA_ASSIGN_OR_RETURN(auto schema, LoadSchemaFile(f));
    if (!names.insert(schema.name).second) {
      return Status::InvalidArgument(f.string() + ": collection \"" + schema.name + "\" defined twice in " + dir.string());
    }
    out.push_back(std::move(schema));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string SchemaToJson(const CollectionSchema& schema) {
  Json root = Json::object();
  root["name"] = schema.name;
  root["source"] = {{"table", schema.source.table},
                    {"id_column", schema.source.id_column},
                    {"live_condition", schema.source.live_condition}};
  Json fields = Json::array();
  for (const auto& f : schema.fields) {
    Json j = Json::object();
    j["name"] = f.name;
    j["column"] = f.column;
    j["type"] = std::string(FieldTypeName(f.type));
    if (f.type == FieldType::kText) j["weight"] = f.weight;
    j["stored"] = f.stored;
    if (f.type == FieldType::kKeyword) j["multi"] = f.multi;
    if (f.type == FieldType::kNumber) j["scale"] = f.scale;
    fields.push_back(std::move(j));
  }
  root["fields"] = std::move(fields);
  return root.dump(2) + "\n";
}

}  // namespace busca::index
