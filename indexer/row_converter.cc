// RowConverter (see row_converter.h).
#include "indexer/row_converter.h"

namespace busca::indexer {

Status RowConverter::Convert(std::string_view line, index::Document* doc, std::string* warning) {
  warning->clear();
  last_text_bytes_ = 0;
  const size_t columns = schema_.fields.size() + 1;
  if (Status s = decoder_.Decode(line, columns); !s.ok()) return s;
  if (decoder_.is_null(0) || decoder_.field(0).empty()) {
    return Status::InvalidArgument("row without an id (column " + schema_.source.id_column +
                                   " is NULL or empty)");
  }
  doc->id.assign(decoder_.field(0));
  doc->values.resize(schema_.fields.size());
  for (size_t i = 0; i < schema_.fields.size(); ++i) {
    const index::FieldSpec& field = schema_.fields[i];
    index::FieldValue& value = doc->values[i];
    const size_t col = i + 1;
    if (decoder_.is_null(col)) {
      value = std::monostate{};
      continue;
    }
    std::string_view text = decoder_.field(col);
    auto drop = [&](const Status& why) {
      value = std::monostate{};
      if (warning->empty()) {
        *warning = "row " + doc->id + ", field " + field.name + " (column " + field.column +
                   "): value dropped (NULL): " + why.message();
      }
    };
    switch (field.type) {
      case index::FieldType::kText:
        value = std::string(text);
        last_text_bytes_ += text.size();
        break;
      case index::FieldType::kKeyword:
        if (field.multi) {
          if (Status s = ParsePgTextArray(text, &array_); !s.ok()) {
            drop(s);
            break;
          }
          std::vector<std::string> values;
          values.reserve(array_.size());
          for (auto& element : array_) {
            if (element.has_value()) values.push_back(std::move(*element));
          }
          value = std::move(values);
        } else {
          value = std::vector<std::string>{std::string(text)};
        }
        break;
      case index::FieldType::kNumber: {
        Result<int64_t> number = index::ParseScaledDecimal(text, field.scale);
        if (number.ok()) {
          value = *number;
        } else {
          drop(number.status());
        }
        break;
      }
      case index::FieldType::kBoolean:
        if (text == "t") {
          value = true;
        } else if (text == "f") {
          value = false;
        } else {
          drop(Status::InvalidArgument("not a boolean: '" + std::string(text) + "'"));
        }
        break;
      case index::FieldType::kTimestamp: {
        Result<int64_t> micros = index::ParseTimestampMicros(text);
        if (micros.ok()) {
          value = *micros;
        } else {
          drop(micros.status());
        }
        break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace busca::indexer
