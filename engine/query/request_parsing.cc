// ParseFilter / ParseSort (declared in searcher.h): the CLI / HTTP text forms of filters and sorts.
#include <string>

#include "engine/query/searcher.h"

namespace busca::query {
namespace {

bool ValidFieldName(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Status FilterError(std::string_view text, size_t pos, std::string_view what) {
  return Status::InvalidArgument("filter '" + std::string(text) + "': " + std::string(what) +
                                 " (at character " + std::to_string(pos + 1) + ")");
}

}  // namespace

Result<Filter> ParseFilter(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] != ':' && text[i] != '<' && text[i] != '>' && text[i] != '=') ++i;
  if (i == text.size()) {
    return FilterError(text, 0, "expected field:value, field:a|b, field:lo..hi or field<op>value");
  }
  Filter f;
  f.field = std::string(text.substr(0, i));
  if (!ValidFieldName(f.field)) return FilterError(text, 0, "'" + f.field + "' is not a field name");
  char op = text[i];
  if (op == '=') {
    return FilterError(text, i, "use field:value for equality");
  }
  if (op == '<' || op == '>') {
    bool inclusive = i + 1 < text.size() && text[i + 1] == '=';
    size_t vstart = i + (inclusive ? 2 : 1);
    std::string value(text.substr(vstart));
    if (value.empty()) return FilterError(text, vstart, "missing value after the comparison");
    f.op = Filter::Op::kRange;
    if (op == '<') {
      f.upper = value;
      f.upper_inclusive = inclusive;
    } else {
      f.lower = value;
      f.lower_inclusive = inclusive;
    }
    return f;
  }
  // field:...
  std::string_view rest = text.substr(i + 1);
  size_t vstart = i + 1;
  if (rest.empty()) return FilterError(text, vstart, "missing value after ':'");
  size_t dots = rest.find("..");
  if (dots != std::string_view::npos) {
    f.op = Filter::Op::kRange;
    std::string_view lo = rest.substr(0, dots);
    std::string_view hi = rest.substr(dots + 2);
    if (lo.empty() && hi.empty()) return FilterError(text, vstart, "a range needs at least one bound");
    if (hi.find("..") != std::string_view::npos) {
      return FilterError(text, vstart + dots + 2, "a range has one '..'");
    }
    if (!lo.empty()) f.lower = std::string(lo);
    if (!hi.empty()) f.upper = std::string(hi);
    return f;
  }
  f.op = Filter::Op::kIn;
  size_t start = 0;
  while (true) {
    size_t bar = rest.find('|', start);
    std::string_view v = rest.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (v.empty()) return FilterError(text, vstart + start, "empty value in a set");
    f.values.emplace_back(v);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return f;
}

Result<SortSpec> ParseSort(std::string_view text) {
  SortSpec spec;
  std::string_view field = text;
  std::string_view dir;
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    field = text.substr(0, colon);
    dir = text.substr(colon + 1);
  }
  if (field == "score" || field == "_score") {
    spec.field.clear();
    spec.ascending = false;
  } else {
    if (!ValidFieldName(field)) {
      return Status::InvalidArgument("sort '" + std::string(text) + "': '" + std::string(field) +
                                     "' is not a field name (use score or <field>[:asc|:desc])");
    }
    spec.field = std::string(field);
    spec.ascending = true;
  }
  if (dir == "asc") {
    spec.ascending = true;
  } else if (dir == "desc") {
    spec.ascending = false;
  } else if (!dir.empty()) {
    return Status::InvalidArgument("sort '" + std::string(text) + "': direction must be asc or desc");
  }
  return spec;
}

}  // namespace busca::query
