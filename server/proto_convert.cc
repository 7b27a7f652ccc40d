#include "server/proto_convert.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "engine/index/document.h"
#include "engine/query/query_limits.h"

namespace busca::server {
namespace {

constexpr uint32_t kDefaultLimit = 10;
constexpr size_t kMaxCollections = 64;
constexpr size_t kMaxStoredFields = 128;

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

Status CheckCollections(const google::protobuf::RepeatedPtrField<std::string>& collections,
                        std::vector<std::string>* out) {
  if (static_cast<size_t>(collections.size()) > kMaxCollections) {
    return Status::InvalidArgument(fmt::format("collections: {} names exceed the maximum of {}",
                                               collections.size(), kMaxCollections));
  }
  for (int i = 0; i < collections.size(); ++i) {
    if (collections[i].empty()) {
      return Status::InvalidArgument(fmt::format("collections[{}]: empty name", i));
    }
    out->push_back(collections[i]);
  }
  return Status::Ok();
}

}  // namespace

Status ToEngineRequest(const v1::SearchRequest& in, query::SearchRequest* out) {
  *out = query::SearchRequest();
  if (in.query().size() > query::kMaxQueryBytes) {
    return Status::InvalidArgument(fmt::format("query: {} bytes exceed the maximum of {}",
                                               in.query().size(), query::kMaxQueryBytes));
  }
  if (CollapseWhitespace(in.query()).empty()) {
    return Status::InvalidArgument("query: empty (type at least one word)");
  }
  out->query = in.query();
  BUSCA_RETURN_IF_ERROR(CheckCollections(in.collections(), &out->collections));

  if (static_cast<size_t>(in.filters_size()) > query::kMaxFilters) {
    return Status::InvalidArgument(fmt::format("filters: {} filters exceed the maximum of {}",
                                               in.filters_size(), query::kMaxFilters));
  }
  for (int i = 0; i < in.filters_size(); ++i) {
    const v1::Filter& f = in.filters(i);
    query::Filter filter;
    if (f.field().empty()) return Status::InvalidArgument(fmt::format("filters[{}]: field is empty", i));
    filter.field = f.field();
    switch (f.kind_case()) {
      case v1::Filter::kAnyOf:
        if (f.any_of().values_size() == 0) {
          return Status::InvalidArgument(fmt::format("filters[{}] ({}): any_of has no values", i, f.field()));
        }
        if (static_cast<size_t>(f.any_of().values_size()) > query::kMaxFilterValues) {
          return Status::InvalidArgument(fmt::format("filters[{}] ({}): {} values exceed the maximum of {}",
                                                     i, f.field(), f.any_of().values_size(),
                                                     query::kMaxFilterValues));
        }
        filter.op = query::Filter::Op::kIn;
        filter.values.assign(f.any_of().values().begin(), f.any_of().values().end());
        break;
      case v1::Filter::kRange:
        if (f.range().lower().empty() && f.range().upper().empty()) {
          return Status::InvalidArgument(fmt::format("filters[{}] ({}): range has neither lower nor upper", i, f.field()));
        }
        filter.op = query::Filter::Op::kRange;
        if (!f.range().lower().empty()) filter.lower = f.range().lower();
        if (!f.range().upper().empty()) filter.upper = f.range().upper();
        filter.lower_inclusive = !f.range().lower_exclusive();
        filter.upper_inclusive = !f.range().upper_exclusive();
        break;
      case v1::Filter::kEqualsBool:
        filter.op = query::Filter::Op::kIn;
        filter.values = {f.equals_bool() ? "true" : "false"};
        break;
      case v1::Filter::KIND_NOT_SET:
        return Status::InvalidArgument(
            fmt::format("filters[{}] ({}): no condition (set any_of, range or equals_bool)", i, f.field()));
    }
    out->filters.push_back(std::move(filter));
  }

  const std::string& sort_field = in.sort().field();
  if (sort_field.empty() || sort_field == "_score") {
    out->sort.field.clear();
    out->sort.ascending = in.sort().order() == v1::SORT_ORDER_ASC;
  } else {
    out->sort.field = sort_field;
    out->sort.ascending = in.sort().order() != v1::SORT_ORDER_DESC;
  }

  uint32_t limit = in.count_only() ? 0 : (in.limit() == 0 ? kDefaultLimit : in.limit());
  if (limit > query::kMaxLimit) {
    return Status::InvalidArgument(fmt::format("limit: {} exceeds the maximum of {}", limit, query::kMaxLimit));
  }
  if (static_cast<uint64_t>(in.offset()) + limit > query::kMaxResultWindow) {
    return Status::InvalidArgument(fmt::format(
        "offset + limit: {} + {} exceeds the result window of {} (page deeper with filters or sort)",
        in.offset(), limit, query::kMaxResultWindow));
  }
  out->offset = in.offset();
  out->limit = limit;
  out->total_hits_threshold = in.total_hits_threshold();
  out->return_stored = in.return_stored();
  if (static_cast<size_t>(in.stored_fields_size()) > kMaxStoredFields) {
    return Status::InvalidArgument(fmt::format("stored_fields: {} names exceed the maximum of {}",
                                               in.stored_fields_size(), kMaxStoredFields));
  }
  out->stored_fields.assign(in.stored_fields().begin(), in.stored_fields().end());
  if (!out->stored_fields.empty()) out->return_stored = true;
  out->highlight = in.highlight();
  out->explain = in.explain();
  return Status::Ok();
}

Status ToEngineRequest(const v1::SuggestRequest& in, query::SuggestRequest* out) {
  *out = query::SuggestRequest();
  if (in.text().size() > query::kMaxQueryBytes) {
    return Status::InvalidArgument(fmt::format("text: {} bytes exceed the maximum of {}",
                                               in.text().size(), query::kMaxQueryBytes));
  }
  if (CollapseWhitespace(in.text()).empty()) return Status::InvalidArgument("text: empty");
  out->text = in.text();
  BUSCA_RETURN_IF_ERROR(CheckCollections(in.collections(), &out->collections));
  uint32_t limit = in.limit() == 0 ? kDefaultLimit : in.limit();
  if (limit > query::kMaxSuggestLimit) {
    return Status::InvalidArgument(
        fmt::format("limit: {} exceeds the maximum of {}", limit, query::kMaxSuggestLimit));
  }
  out->limit = limit;
  return Status::Ok();
}

namespace {

void ToProto(const query::StoredField& f, v1::FieldValue* out) {
  switch (f.type) {
    case index::FieldType::kText:
      if (auto* s = std::get_if<std::string>(&f.value)) out->set_text(*s);
      break;
    case index::FieldType::kKeyword:
      if (auto* v = std::get_if<std::vector<std::string>>(&f.value)) {
        auto* set = out->mutable_keywords();
        for (const auto& k : *v) set->add_values(k);
      } else if (auto* s = std::get_if<std::string>(&f.value)) {
        out->mutable_keywords()->add_values(*s);
      }
      break;
    case index::FieldType::kNumber:
      if (auto* n = std::get_if<int64_t>(&f.value)) out->set_number(index::FormatScaledDecimal(*n, f.scale));
      break;
    case index::FieldType::kBoolean:
      if (auto* b = std::get_if<bool>(&f.value)) out->set_boolean(*b);
      break;
    case index::FieldType::kTimestamp:
      if (auto* t = std::get_if<int64_t>(&f.value)) out->set_timestamp(index::FormatTimestampMicros(*t));
      break;
  }
}

void ToProto(const std::vector<query::GenerationRef>& gens,
             google::protobuf::RepeatedPtrField<v1::GenerationRef>* out) {
  for (const auto& g : gens) {
    auto* r = out->Add();
    r->set_collection(g.collection);
    r->set_generation(g.generation);
  }
}

}  // namespace

void ToProto(const query::SearchResponse& in, v1::SearchResponse* out) {
  out->set_total_hits(in.total_hits);
  out->set_total_is_lower_bound(in.total_is_lower_bound);
  out->set_took_micros(in.took_micros);
  ToProto(in.generations, out->mutable_generations());
  for (const auto& h : in.hits) {
    auto* hit = out->add_hits();
    hit->set_collection(h.collection);
    hit->set_id(h.id);
    hit->set_score(h.score);
    hit->set_generation(h.generation);
    auto* fields = hit->mutable_fields();
    for (const auto& f : h.fields) {
      if (std::holds_alternative<std::monostate>(f.value)) continue;
      ToProto(f, &(*fields)[f.name]);
    }
    for (const auto& hl : h.highlights) {
      auto* p = hit->add_highlights();
      p->set_field(hl.field);
      p->set_marked(hl.marked);
      for (auto [s, e] : hl.spans) {
        auto* span = p->add_spans();
        span->set_start(s);
        span->set_end(e);
      }
    }
    for (const auto& sp : h.score_parts) {
      auto* p = hit->add_score_parts();
      p->set_word(sp.word);
      p->set_field(sp.field);
      p->set_tf(sp.tf);
      p->set_score(sp.score);
    }
  }
  if (in.explanation) {
    const auto& e = *in.explanation;
    auto* x = out->mutable_explanation();
    x->set_parsed_query(e.parsed_query);
    x->set_strategy(e.strategy);
    x->set_docs_scored(e.docs_scored);
    x->set_blocks_skipped(e.blocks_skipped);
    for (const auto& w : e.words) {
      auto* pw = x->add_words();
      pw->set_text(w.text);
      pw->set_kind(w.kind);
      pw->set_term(w.term);
      pw->set_stopword(w.stopword);
      pw->set_postings(w.postings);
      pw->set_idf(w.idf);
      for (const auto& ex : w.expansions) {
        auto* pe = pw->add_expansions();
        pe->set_term(ex.term);
        pe->set_doc_freq(ex.doc_freq);
      }
    }
    for (const auto& [name, micros] : e.phase_micros) {
      auto* ph = x->add_phases();
      ph->set_name(name);
      ph->set_micros(micros);
    }
    x->set_text(e.ToText());
  }
}

void ToProto(const query::SuggestResponse& in, v1::SuggestResponse* out) {
  for (const auto& s : in.suggestions) {
    auto* p = out->add_suggestions();
    p->set_collection(s.collection);
    p->set_word(s.word);
    p->set_completion(s.completion);
    p->set_doc_freq(s.doc_freq);
  }
  ToProto(in.generations, out->mutable_generations());
}

void ToProto(const query::SearchRequest& in, v1::SearchRequest* out) {
  out->Clear();
  out->set_query(in.query);
  for (const auto& c : in.collections) out->add_collections(c);
  for (const auto& f : in.filters) {
    auto* pf = out->add_filters();
    pf->set_field(f.field);
    if (f.op == query::Filter::Op::kIn) {
      for (const auto& v : f.values) pf->mutable_any_of()->add_values(v);
    } else {
      auto* r = pf->mutable_range();
      if (f.lower) r->set_lower(*f.lower);
      if (f.upper) r->set_upper(*f.upper);
      r->set_lower_exclusive(!f.lower_inclusive);
      r->set_upper_exclusive(!f.upper_inclusive);
    }
  }
  if (!in.sort.field.empty()) out->mutable_sort()->set_field(in.sort.field);
  out->mutable_sort()->set_order(in.sort.ascending ? v1::SORT_ORDER_ASC : v1::SORT_ORDER_DESC);
  out->set_offset(in.offset);
  out->set_limit(in.limit);
  out->set_count_only(in.limit == 0);
  out->set_total_hits_threshold(in.total_hits_threshold);
  out->set_return_stored(in.return_stored);
  for (const auto& f : in.stored_fields) out->add_stored_fields(f);
  out->set_highlight(in.highlight);
  out->set_explain(in.explain);
}

namespace {

// Decimal digits after the point of "12.50" -> 2.
int DecimalScale(std::string_view text) {
  auto dot = text.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

}  // namespace

Result<query::SearchResponse> FromProto(const v1::SearchResponse& in) {
  query::SearchResponse out;
  out.total_hits = in.total_hits();
  out.total_is_lower_bound = in.total_is_lower_bound();
  out.took_micros = in.took_micros();
  for (const auto& g : in.generations()) out.generations.push_back({g.collection(), g.generation()});
  for (const auto& h : in.hits()) {
    query::Hit hit;
    hit.collection = h.collection();
    hit.id = h.id();
    hit.score = h.score();
    hit.generation = h.generation();
    std::vector<std::string> names;
    for (const auto& [name, _] : h.fields()) names.push_back(name);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const v1::FieldValue& v = h.fields().at(name);
      query::StoredField f;
      f.name = name;
      switch (v.kind_case()) {
        case v1::FieldValue::kText: f.type = index::FieldType::kText; f.value = v.text(); break;
        case v1::FieldValue::kKeywords:
          f.type = index::FieldType::kKeyword;
          f.value = std::vector<std::string>(v.keywords().values().begin(), v.keywords().values().end());
          break;
        case v1::FieldValue::kNumber: {
          f.type = index::FieldType::kNumber;
          f.scale = DecimalScale(v.number());
          BUSCA_ASSIGN_OR_RETURN(int64_t n, index::ParseScaledDecimal(v.number(), f.scale));
          f.value = n;
          break;
        }
        case v1::FieldValue::kBoolean: f.type = index::FieldType::kBoolean; f.value = v.boolean(); break;
        case v1::FieldValue::kTimestamp: {
          f.type = index::FieldType::kTimestamp;
          BUSCA_ASSIGN_OR_RETURN(int64_t t, index::ParseTimestampMicros(v.timestamp()));
          f.value = t;
          break;
        }
        case v1::FieldValue::KIND_NOT_SET: break;
      }
      hit.fields.push_back(std::move(f));
    }
    for (const auto& hl : h.highlights()) {
      query::Highlight q;
      q.field = hl.field();
      q.marked = hl.marked();
      for (const auto& s : hl.spans()) q.spans.emplace_back(s.start(), s.end());
      hit.highlights.push_back(std::move(q));
    }
    for (const auto& sp : h.score_parts()) hit.score_parts.push_back({sp.word(), sp.field(), sp.tf(), sp.score()});
    out.hits.push_back(std::move(hit));
  }
  if (in.has_explanation()) {
    query::Explanation e;
    const auto& x = in.explanation();
    e.parsed_query = x.parsed_query();
    e.strategy = x.strategy();
    e.docs_scored = x.docs_scored();
    e.blocks_skipped = x.blocks_skipped();
    for (const auto& w : x.words()) {
      query::Explanation::Word word;
      word.text = w.text();
      word.kind = w.kind();
      word.term = w.term();
      word.stopword = w.stopword();
      word.postings = w.postings();
      word.idf = w.idf();
      for (const auto& ex : w.expansions()) word.expansions.push_back({ex.term(), ex.doc_freq()});
      e.words.push_back(std::move(word));
    }
    for (const auto& p : x.phases()) e.phase_micros.emplace_back(p.name(), p.micros());
    out.explanation = std::move(e);
  }
  return out;
}

std::string NormalizedKey(const query::SearchRequest& r) {
  std::vector<std::string> collections = r.collections;
  std::sort(collections.begin(), collections.end());
  collections.erase(std::unique(collections.begin(), collections.end()), collections.end());
  std::string key;
  key.reserve(128 + r.query.size());
  auto add = [&key](std::string_view s) {  // length-prefixed: no separator ambiguity
    key += std::to_string(s.size());
    key.push_back(':');
    key.append(s);
  };
  add(CollapseWhitespace(r.query));
  key += "|c";
  for (const auto& c : collections) add(c);
  key += "|f";
  for (const auto& f : r.filters) {
    add(f.field);
    key += f.op == query::Filter::Op::kIn ? "in" : "rg";
    for (const auto& v : f.values) add(v);
    key += f.lower ? "L" + std::string(f.lower_inclusive ? "i" : "x") : "-";
    if (f.lower) add(*f.lower);
    key += f.upper ? "U" + std::string(f.upper_inclusive ? "i" : "x") : "-";
    if (f.upper) add(*f.upper);
  }
  key += "|s";
  add(r.sort.field);
  key += r.sort.ascending ? "a" : "d";
  key += fmt::format("|o{}|l{}|t{}|r{}", r.offset, r.limit, r.total_hits_threshold, r.return_stored ? 1 : 0);
  for (const auto& f : r.stored_fields) add(f);
  key += r.highlight ? "|h" : "|-";
  key += r.explain ? "|x" : "|-";
  return key;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  auto st = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!st.ok()) return "{\"error\":\"json conversion failed\"}";
  return out;
}

}  // namespace busca::server
