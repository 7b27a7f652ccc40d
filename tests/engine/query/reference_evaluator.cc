#include "tests/engine/query/reference_evaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/analysis/stopwords.h"
#include "engine/query/query_limits.h"
#include "engine/query/query_parser.h"

namespace busca::query::testing {
namespace {

struct RItem {
  bool phrase = false;
  std::vector<std::set<std::string>> slots;
  std::vector<uint32_t> offsets;
  double idf = 0;
};

struct RClause {
  bool excluded = false;
  std::vector<RItem> items;
};

// The BM25F of the documentation, written out again.
double Idf(double df, double n) { return std::log(1.0 + (n - df + 0.5) / (df + 0.5)); }

Result<int64_t> RefValue(const index::FieldSpec& spec, const std::string& text) {
  if (spec.type == index::FieldType::kNumber) return index::ParseScaledDecimal(text, spec.scale);
  if (spec.type == index::FieldType::kBoolean) {
    if (text == "true" || text == "1") return int64_t{1};
    if (text == "false" || text == "0") return int64_t{0};
    return Status::InvalidArgument("bad bool");
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && p == text.data() + text.size()) return v;
  return index::ParseTimestampMicros(text);
}

std::optional<int64_t> NumericOf(const index::FieldValue& v) {
  if (std::holds_alternative<int64_t>(v)) return std::get<int64_t>(v);
  if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? 1 : 0;
  return std::nullopt;
}

}  // namespace

ReferenceEvaluator::ReferenceEvaluator(std::vector<RefCollection> collections)
    : collections_(std::move(collections)) {
  std::sort(collections_.begin(), collections_.end(),
            [](const RefCollection& a, const RefCollection& b) { return a.schema.name < b.schema.name; });
  for (RefCollection& c : collections_) {
    for (RefDoc& d : c.docs) {
      d.tokens.assign(c.schema.fields.size(), {});
      for (size_t f = 0; f < c.schema.fields.size(); ++f) {
        if (c.schema.fields[f].type != index::FieldType::kText) continue;
        if (const auto* s = std::get_if<std::string>(&d.doc.values[f])) analyzer_.Analyze(*s, &d.tokens[f]);
      }
    }
  }
}

Result<RefResult> ReferenceEvaluator::Search(const SearchRequest& request) {
  std::vector<const RefCollection*> colls;
  for (const RefCollection& c : collections_) {
    if (request.collections.empty() ||
        std::find(request.collections.begin(), request.collections.end(), c.schema.name) != request.collections.end()) {
      colls.push_back(&c);
    }
  }
  // Corpus statistics over the queried collections (deleted docs included).
  double n = 0;
  std::unordered_map<std::string, double> df;
  std::map<std::string, std::set<std::string>> surface;  // folded surface -> terms
  std::unordered_map<std::string, double> surface_df;     // folded surface -> docs holding it
  for (const RefCollection* c : colls) {
    for (const RefDoc& d : c->docs) {
      n += 1;
      std::set<std::string> seen;
      std::set<std::string> seen_surfaces;
      for (const auto& toks : d.tokens) {
        for (const analysis::Token& t : toks) {
          seen.insert(t.term);
          seen_surfaces.insert(t.folded_surface);
          surface[t.folded_surface].insert(t.term);
        }
      }
      for (const std::string& t : seen) df[t] += 1;
      for (const std::string& s : seen_surfaces) surface_df[s] += 1;
    }
  }
  auto slot_idf = [&](const std::set<std::string>& terms) {
    double sum = 0;
    for (const std::string& t : terms) sum += df.count(t) ? df[t] : 0;
    return Idf(std::min(sum, n), n);
  };

  // Query: parse, analyse, apply the stopword rules, expand.
  BUSCA_ASSIGN_OR_RETURN(ParsedQuery parsed, ParseQuery(request.query));
  struct Raw {
    QueryItem::Kind kind;
    bool quoted;
    std::vector<analysis::Token> tokens;
  };
  std::vector<std::pair<bool, std::vector<Raw>>> raw_clauses;
  for (const QueryClause& qc : parsed.clauses) {
    std::vector<Raw> items;
    for (const QueryItem& qi : qc.alternatives) {
      Raw r{qi.kind, qi.kind == QueryItem::Kind::kPhrase, {}};
      analyzer_.Analyze(qi.text, &r.tokens);
      if (r.tokens.empty()) continue;
      items.push_back(std::move(r));
    }
    if (!items.empty()) raw_clauses.emplace_back(qc.excluded, std::move(items));
  }
  auto droppable = [](const Raw& r) {
    return r.kind == QueryItem::Kind::kWord && r.tokens.size() == 1 && r.tokens[0].stopword;
  };
  bool only_stop = true;
  bool any_positive = false;
  for (auto& [ex, items] : raw_clauses) {
    if (ex) continue;
    any_positive = true;
    for (const Raw& r : items) only_stop = only_stop && droppable(r);
  }
  if (!any_positive) return Status::InvalidArgument("nothing to search");
  std::vector<RClause> clauses;
  for (auto& [ex, items] : raw_clauses) {
    RClause rc;
    rc.excluded = ex;
    for (const Raw& r : items) {
      if (!ex && !only_stop && droppable(r)) continue;
      RItem it;
      if (r.kind == QueryItem::Kind::kPrefix) {
        const std::string& p = r.tokens[0].folded_surface;
        // The stopwords' folded forms and terms.
        std::set<std::string> stop_folded, stop_terms;
        for (std::string_view w : analysis::PortugueseStopwords()) {
          for (const analysis::Token& t : analyzer_.Analyze(w)) {
            stop_folded.insert(t.folded_surface);
            stop_terms.insert(t.term);
          }
        }
        std::set<std::string> terms;
        std::map<std::string, double> stop_term_docs;  // stopword term -> docs of the keys reaching it
        size_t keys = 0;
        bool stopword_key = false;
        for (auto i = surface.lower_bound(p); i != surface.end() && i->first.starts_with(p); ++i) {
          ++keys;
          stopword_key = stopword_key || stop_folded.count(i->first) > 0;
          terms.insert(i->second.begin(), i->second.end());
          for (const std::string& t : i->second) {
            if (stop_terms.count(t)) stop_term_docs[t] += surface_df[i->first];
          }
        }
        if (keys > kMaxPrefixExpansions) return Status::ResourceExhausted("prefix");
        // Words that are no stopwords, holding few of a stopword term's docs, do not reach it (a
        // stem collision).
        if (!stopword_key) {
          for (const auto& [t, docs] : stop_term_docs) {
            if (docs * 20 < df[t]) terms.erase(t);
          }
        }
        it.slots.push_back(terms);
        it.offsets.push_back(0);
      } else {
        for (const analysis::Token& t : r.tokens) {
          std::set<std::string> terms{t.term};
          auto s = surface.find(t.folded_surface);
          if (s != surface.end()) terms.insert(s->second.begin(), s->second.end());
          it.slots.push_back(terms);
          it.offsets.push_back(t.position - r.tokens[0].position);
        }
        it.phrase = it.slots.size() > 1;
      }
      for (const auto& s : it.slots) it.idf += slot_idf(s);
      rc.items.push_back(std::move(it));
    }
    if (!rc.items.empty()) clauses.push_back(std::move(rc));
  }

  struct Scored {
    RefHit hit;
    uint32_t coll;
    size_t order = 0;  // insertion order within the collection (= segment, doc order)
    bool has_key = false;
    int64_t num = 0;
    std::string text;
  };
  std::vector<Scored> matches;
  bool keyword_sort = false;
  for (uint32_t ci = 0; ci < colls.size(); ++ci) {
    const RefCollection& c = *colls[ci];
    const auto& fields = c.schema.fields;
    std::vector<double> avg(fields.size(), 0);
    for (size_t f = 0; f < fields.size(); ++f) {
      double sum = 0;
      for (const RefDoc& d : c.docs) sum += d.tokens[f].size();
      avg[f] = c.docs.empty() ? 0 : sum / c.docs.size();
    }
    for (size_t di = 0; di < c.docs.size(); ++di) {
      const RefDoc& d = c.docs[di];
      if (!d.live) continue;
      // Filters.
      bool pass = true;
      for (const Filter& flt : request.filters) {
        auto fi = c.schema.FieldIndex(flt.field);
        if (!fi) {
          pass = false;
          break;
        }
        const index::FieldSpec& spec = fields[*fi];
        const index::FieldValue& v = d.doc.values[*fi];
        if (spec.type == index::FieldType::kKeyword) {
          const auto* vals = std::get_if<std::vector<std::string>>(&v);
          bool any = false;
          if (vals) {
            for (const std::string& x : *vals) {
              any = any || std::find(flt.values.begin(), flt.values.end(), x) != flt.values.end();
            }
          }
          pass = any;
        } else {
          std::optional<int64_t> x = NumericOf(v);
          if (!x) {
            pass = false;
          } else if (flt.op == Filter::Op::kIn) {
            bool any = false;
            for (const std::string& s : flt.values) {
              BUSCA_ASSIGN_OR_RETURN(int64_t want, RefValue(spec, s));
              any = any || want == *x;
            }
            pass = any;
          } else {
            if (flt.lower) {
              BUSCA_ASSIGN_OR_RETURN(int64_t lo, RefValue(spec, *flt.lower));
              pass = pass && (flt.lower_inclusive ? *x >= lo : *x > lo);
            }
            if (flt.upper) {
              BUSCA_ASSIGN_OR_RETURN(int64_t hi, RefValue(spec, *flt.upper));
              pass = pass && (flt.upper_inclusive ? *x <= hi : *x < hi);
            }
          }
        }
        if (!pass) break;
      }
      if (!pass) continue;
      // Per item: field tfs.
      auto item_tfs = [&](const RItem& it) {
        std::vector<double> tfs(fields.size(), 0);
        for (size_t f = 0; f < fields.size(); ++f) {
          const auto& toks = d.tokens[f];
          if (toks.empty()) continue;
          if (!it.phrase) {
            for (const analysis::Token& t : toks) tfs[f] += it.slots[0].count(t.term);
            continue;
          }
          std::map<uint32_t, std::string> at;
          for (const analysis::Token& t : toks) at[t.position] = t.term;
          for (const analysis::Token& t : toks) {
            bool all = true;
            for (size_t i = 0; i < it.slots.size() && all; ++i) {
              auto p = at.find(t.position + it.offsets[i]);
              all = p != at.end() && it.slots[i].count(p->second);
            }
            tfs[f] += all;
          }
        }
        return tfs;
      };
      bool match = true;
      double score = 0;
      for (const RClause& rc : clauses) {
        bool any = false;
        for (const RItem& it : rc.items) {
          std::vector<double> tfs = item_tfs(it);
          double tilde = 0;
          bool present = false;
          for (size_t f = 0; f < fields.size(); ++f) {
            if (tfs[f] == 0) continue;
            present = true;
            double norm = avg[f] > 0 ? (1 - 0.75 + 0.75 * d.tokens[f].size() / avg[f]) : 1.0;
            tilde += fields[f].weight * tfs[f] / norm;
          }
          if (!present) continue;
          any = true;
          if (!rc.excluded) score += it.idf * tilde * 2.2 / (tilde + 1.2);
        }
        if (rc.excluded ? any : !any) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      Scored s;
      s.hit = {c.schema.name, d.doc.id, score};
      s.coll = ci;
      s.order = di;
      if (!request.sort.field.empty()) {
        if (auto fi = c.schema.FieldIndex(request.sort.field)) {
          const index::FieldValue& v = d.doc.values[*fi];
          if (const auto* vals = std::get_if<std::vector<std::string>>(&v)) {
            keyword_sort = true;
            if (!vals->empty()) {
              s.has_key = true;
              s.text = *std::min_element(vals->begin(), vals->end());
            }
          } else if (auto x = NumericOf(v)) {
            s.has_key = true;
            s.num = *x;
          }
        }
      }
      matches.push_back(std::move(s));
    }
  }
  const bool by_field = !request.sort.field.empty();
  const bool asc = request.sort.ascending;
  std::sort(matches.begin(), matches.end(), [&](const Scored& a, const Scored& b) {
    if (by_field) {
      if (a.has_key != b.has_key) return a.has_key;
      if (a.has_key) {
        if (keyword_sort ? a.text != b.text : a.num != b.num) {
          bool less = keyword_sort ? a.text < b.text : a.num < b.num;
          return asc ? less : !less;
        }
      }
      if (a.hit.score != b.hit.score) return a.hit.score > b.hit.score;
    } else if (a.hit.score != b.hit.score) {
      return asc ? a.hit.score < b.hit.score : a.hit.score > b.hit.score;
    }
    if (a.coll != b.coll) return a.coll < b.coll;
    return a.order < b.order;
  });
  RefResult result;
  for (Scored& s : matches) result.all.push_back(std::move(s.hit));
  return result;
}

}  // namespace busca::query::testing
