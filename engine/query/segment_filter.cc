#include "engine/query/segment_filter.h"

#include <algorithm>
#include <charconv>

#include "engine/index/document.h"
#include "engine/query/query_limits.h"

namespace busca::query {
namespace {

Result<int64_t> ParseValue(const std::string& filter_field, const index::FieldSpec& spec, const std::string& text) {
  auto err = [&](const std::string& why) {
    return Status::InvalidArgument("filter on '" + filter_field + "': value '" + text + "' " + why);
  };
  switch (spec.type) {
    case index::FieldType::kNumber: {
      Result<int64_t> v = index::ParseScaledDecimal(text, spec.scale);
      if (!v.ok()) return err("is not a decimal with at most " + std::to_string(spec.scale) + " fractional digits");
      return *v;
    }
    case index::FieldType::kTimestamp: {
      bool integer = !text.empty();
      for (size_t i = 0; i < text.size(); ++i) {
        integer = integer && ((text[i] >= '0' && text[i] <= '9') || (i == 0 && text[i] == '-' && text.size() > 1));
      }
      if (integer) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size()) return err("is out of range");
        return v;
      }
      Result<int64_t> v = index::ParseTimestampMicros(text);
      if (!v.ok()) return err("is not an ISO-8601 timestamp or integer microseconds");
      return *v;
    }
    case index::FieldType::kBoolean:
      if (text == "true" || text == "1") return int64_t{1};
      if (text == "false" || text == "0") return int64_t{0};
      return err("is not true or false");
    default:
      return Status::Internal("ParseValue on a non-numeric field");
  }
}

}  // namespace

Result<std::vector<CollectionFilter>> CompileFilters(const std::vector<Filter>& filters,
                                                     const index::CollectionSchema& schema) {
  if (filters.size() > kMaxFilters) {
    return Status::InvalidArgument("request has " + std::to_string(filters.size()) + " filters; the limit is " +
                                   std::to_string(kMaxFilters));
  }
  std::vector<CollectionFilter> out;
  for (const Filter& f : filters) {
    CollectionFilter cf;
    std::optional<size_t> idx = schema.FieldIndex(f.field);
    if (!idx) {
      cf.never = true;
      out.push_back(std::move(cf));
      continue;
    }
    const index::FieldSpec& spec = schema.fields[*idx];
    cf.field = *idx;
    cf.type = spec.type;
    if (spec.type == index::FieldType::kText) {
      return Status::InvalidArgument("filter on '" + f.field +
                                     "': text fields are searched, not filtered (use keyword, number, "
                                     "boolean or timestamp fields)");
    }
    if (f.op == Filter::Op::kIn) {
      if (f.values.empty()) return Status::InvalidArgument("filter on '" + f.field + "' has no values");
      if (f.values.size() > kMaxFilterValues) {
        return Status::InvalidArgument("filter on '" + f.field + "' has " + std::to_string(f.values.size()) +
                                       " values; the limit is " + std::to_string(kMaxFilterValues));
      }
      if (spec.type == index::FieldType::kKeyword) {
        cf.keywords = f.values;
      } else {
        for (const std::string& v : f.values) {
          BUSCA_ASSIGN_OR_RETURN(int64_t n, ParseValue(f.field, spec, v));
          cf.numbers.push_back(n);
        }
        std::sort(cf.numbers.begin(), cf.numbers.end());
      }
    } else {
      cf.range = true;
      if (spec.type != index::FieldType::kNumber && spec.type != index::FieldType::kTimestamp) {
        return Status::InvalidArgument("filter on '" + f.field + "': ranges apply to number and timestamp fields, not " +
                                       std::string(index::FieldTypeName(spec.type)));
      }
      if (!f.lower && !f.upper) return Status::InvalidArgument("filter on '" + f.field + "': a range needs a bound");
      if (f.lower) {
        BUSCA_ASSIGN_OR_RETURN(int64_t v, ParseValue(f.field, spec, *f.lower));
        if (!f.lower_inclusive) {
          if (v == INT64_MAX) cf.never = true;
          else ++v;
        }
        cf.lower = v;
      }
      if (f.upper) {
        BUSCA_ASSIGN_OR_RETURN(int64_t v, ParseValue(f.field, spec, *f.upper));
        if (!f.upper_inclusive) {
          if (v == INT64_MIN) cf.never = true;
          else --v;
        }
        cf.upper = v;
      }
      if (cf.lower > cf.upper) cf.never = true;
    }
    out.push_back(std::move(cf));
  }
  return out;
}

Result<CollectionSort> CompileSort(const SortSpec& sort, const index::CollectionSchema& schema) {
  CollectionSort cs;
  if (sort.field.empty()) return cs;
  cs.by_field = true;
  std::optional<size_t> idx = schema.FieldIndex(sort.field);
  if (!idx) {
    cs.never = true;
    return cs;
  }
  const index::FieldSpec& spec = schema.fields[*idx];
  if (spec.type == index::FieldType::kText) {
    return Status::InvalidArgument("sort by '" + sort.field +
                                   "': text fields cannot be sorted on (use a keyword, number, boolean or "
                                   "timestamp field, or score)");
  }
  cs.field = *idx;
  cs.keyword = spec.type == index::FieldType::kKeyword;
  return cs;
}

SegmentFilter::SegmentFilter(const std::vector<CollectionFilter>& filters, const CollectionSort& sort,
                             const index::SegmentReader& segment)
    : sort_(sort) {
  for (const CollectionFilter& cf : filters) {
    if (cf.never) {
      can_match_ = false;
      continue;
    }
    Pred p;
    if (cf.type == index::FieldType::kKeyword) {
      p.keyword = segment.keyword_column(cf.field);
      if (p.keyword == nullptr) {
        can_match_ = false;
        continue;
      }
      for (const std::string& v : cf.keywords) {
        if (std::optional<uint32_t> ord = p.keyword->FindOrdinal(v)) p.ordinals.push_back(*ord);
      }
      std::sort(p.ordinals.begin(), p.ordinals.end());
      if (p.ordinals.empty()) can_match_ = false;
    } else {
      p.numeric = segment.numeric_column(cf.field);
      if (p.numeric == nullptr || !p.numeric->has_values()) {
        can_match_ = false;
        continue;
      }
      p.range = cf.range;
      p.numbers = cf.numbers;
      p.lower = cf.lower;
      p.upper = cf.upper;
      if (p.range && (p.numeric->max_value() < p.lower || p.numeric->min_value() > p.upper)) can_match_ = false;
    }
    preds_.push_back(std::move(p));
  }
  if (sort.by_field && !sort.never) {
    if (sort.keyword) {
      sort_keyword_ = segment.keyword_column(sort.field);
    } else {
      sort_numeric_ = segment.numeric_column(sort.field);
    }
  }
}

bool SegmentFilter::Accept(index::DocId doc) const {
  for (const Pred& p : preds_) {
    if (p.keyword != nullptr) {
      std::span<const uint32_t> ords = p.keyword->Ordinals(doc);
      bool any = false;
      for (uint32_t o : ords) {
        if (std::binary_search(p.ordinals.begin(), p.ordinals.end(), o)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    } else {
      std::optional<int64_t> v = p.numeric->Get(doc);
      if (!v) return false;
      if (p.range) {
        if (*v < p.lower || *v > p.upper) return false;
      } else if (!std::binary_search(p.numbers.begin(), p.numbers.end(), *v)) {
        return false;
      }
    }
  }
  return true;
}

SortKey SegmentFilter::Key(index::DocId doc) const {
  SortKey key;
  if (sort_keyword_ != nullptr) {
    std::span<const uint32_t> ords = sort_keyword_->Ordinals(doc);
    if (!ords.empty()) {
      key.has_value = true;
      // Smallest value of a multi-valued field (ordinals are ascending = value order).
      key.text = sort_keyword_->Value(ords[0]);
    }
  } else if (sort_numeric_ != nullptr) {
    if (std::optional<int64_t> v = sort_numeric_->Get(doc)) {
      key.has_value = true;
      key.number = *v;
    }
  }
  return key;
}

}  // namespace busca::query
