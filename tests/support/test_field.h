// TestField: one-line FieldSpec construction for test schemas (column = name).
#pragma once

#include <string>

#include "engine/index/schema.h"

namespace busca::testing {

inline index::FieldSpec TestField(std::string name, index::FieldType type, double weight = 1.0,
                                  bool stored = false, bool multi = false, int scale = 0) {
  index::FieldSpec f;
  f.name = name;
  f.column = std::move(name);
  f.type = type;
  f.weight = weight;
  f.stored = stored;
  f.multi = multi;
  f.scale = scale;
  return f;
}

}  // namespace busca::testing
