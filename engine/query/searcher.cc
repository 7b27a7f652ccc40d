#include "engine/query/searcher.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_set>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation.h"
#include "engine/index/index_dir.h"
#include "engine/query/query_parser.h"
#include "engine/query/bm25f.h"
#include "engine/query/query_plan.h"
#include "engine/query/segment_filter.h"
#include "engine/query/segment_matcher.h"
#include "engine/query/top_k.h"

namespace busca::query {
namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

analysis::Analyzer& ThreadAnalyzer() {
  thread_local analysis::Analyzer analyzer;
  return analyzer;
}

// Suggest: entries scanned per segment at most (a one-letter prefix over a large vocabulary).
constexpr size_t kSuggestScanLimit = 50000;

}  // namespace

Status QueryControl::Check(const char* phase) const {
  if (cancel != nullptr && cancel->cancelled()) return Status::Cancelled(std::string("search cancelled (") + phase + ")");
  if (deadline != Clock::time_point::max() && Clock::now() > deadline) {
    return Status::DeadlineExceeded(std::string("search deadline exceeded (") + phase + ")");
  }
  return Status::Ok();
}

struct Searcher::Impl {
  struct Collection {
    std::string name;
    std::shared_ptr<const index::Generation> gen;
    FieldScoring scoring;                        // weights, average lengths, norm tables
    std::vector<std::vector<uint32_t>> deleted;  // per segment: deleted docs, ascending
  };
  std::vector<Collection> collections;  // sorted by name

  // Indices of the requested collections (sorted), or an error naming the unknown one.
  Result<std::vector<uint32_t>> Select(const std::vector<std::string>& names) const {
    std::vector<uint32_t> out;
    if (names.empty()) {
      for (uint32_t i = 0; i < collections.size(); ++i) out.push_back(i);
      return out;
    }
    for (const std::string& n : names) {
      auto it = std::lower_bound(collections.begin(), collections.end(), n,
                                 [](const Collection& c, const std::string& v) { return c.name < v; });
      if (it == collections.end() || it->name != n) {
        std::string known;
        for (const Collection& c : collections) known += (known.empty() ? "" : ", ") + c.name;
        return Status::InvalidArgument("unknown collection '" + n + "' (known: " + known + ")");
      }
      out.push_back(static_cast<uint32_t>(it - collections.begin()));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
};

Searcher::Searcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Searcher::~Searcher() = default;

Result<std::shared_ptr<const Searcher>> Searcher::Create(
    std::vector<std::shared_ptr<const index::Generation>> generations) {
  auto impl = std::make_unique<Impl>();
  for (auto& g : generations) {
    if (!g) return Status::InvalidArgument("Searcher::Create: null generation");
    Impl::Collection c;
    c.name = g->schema().name;
    const auto& fields = g->schema().fields;
    uint64_t max_doc = g->max_doc();
    for (size_t f = 0; f < fields.size(); ++f) {
      bool text = fields[f].type == index::FieldType::kText;
      c.scoring.weights.push_back(text ? fields[f].weight : 0.0);
      double avg = text && max_doc > 0 ? static_cast<double>(g->FieldLengthSum(f)) / static_cast<double>(max_doc)
                                       : 0.0;
      c.scoring.avg_length.push_back(avg);
      std::vector<double> table;
      std::vector<float> weighted_up;
      if (text) {
        table.resize(FieldScoring::kTableSize);
        weighted_up.resize(FieldScoring::kTableSize);
        for (uint32_t len = 0; len < FieldScoring::kTableSize; ++len) {
          table[len] = Bm25InverseNorm(len, avg);
          weighted_up[len] = index::RoundUpBound(fields[f].weight * table[len]);
        }
      }
      c.scoring.inv_norm.push_back(std::move(table));
      c.scoring.weighted_inv_norm_up.push_back(std::move(weighted_up));
    }
    for (const auto& seg : g->segments()) {
      std::vector<uint32_t> del(seg->deleted_docs().cardinality());
      if (!del.empty()) seg->deleted_docs().toUint32Array(del.data());
      c.deleted.push_back(std::move(del));
    }
    c.gen = std::move(g);
    impl->collections.push_back(std::move(c));
  }
  std::sort(impl->collections.begin(), impl->collections.end(),
            [](const Impl::Collection& a, const Impl::Collection& b) { return a.name < b.name; });
  for (size_t i = 1; i < impl->collections.size(); ++i) {
    if (impl->collections[i].name == impl->collections[i - 1].name) {
      return Status::InvalidArgument("Searcher::Create: collection '" + impl->collections[i].name +
                                     "' given twice");
    }
  }
  return std::shared_ptr<const Searcher>(new Searcher(std::move(impl)));
}

Result<std::shared_ptr<const Searcher>> Searcher::Open(const std::filesystem::path& index_dir,
                                                       const std::vector<std::string>& collections) {
  index::IndexDir dir(index_dir);
  std::vector<std::string> names = collections;
  if (names.empty()) {
    BUSCA_ASSIGN_OR_RETURN(names, dir.ListCollections());
    if (names.empty()) return Status::NotFound("no collections in index dir " + index_dir.string());
  }
  std::vector<std::shared_ptr<const index::Generation>> gens;
  for (const std::string& n : names) {
    BUSCA_ASSIGN_OR_RETURN(auto g, index::Generation::OpenCurrent(dir, n));
    gens.push_back(std::move(g));
  }
  return Create(std::move(gens));
}

std::vector<std::string> Searcher::collections() const {
  std::vector<std::string> out;
  for (const auto& c : impl_->collections) out.push_back(c.name);
  return out;
}

std::shared_ptr<const index::Generation> Searcher::generation(std::string_view collection) const {
  for (const auto& c : impl_->collections) {
    if (c.name == collection) return c.gen;
  }
  return nullptr;
}

Result<SearchResponse> Searcher::Search(const SearchRequest& request, const QueryControl& control) const {
  const Clock::time_point start = Clock::now();
  SearchResponse response;
  Explanation explanation;
  if (request.limit > kMaxLimit) {
    return Status::InvalidArgument("limit " + std::to_string(request.limit) + " is above the maximum of " +
                                   std::to_string(kMaxLimit));
  }
  if (uint64_t{request.offset} + request.limit > kMaxResultWindow) {
    return Status::InvalidArgument("offset + limit = " + std::to_string(uint64_t{request.offset} + request.limit) +
                                   " is above the result window of " + std::to_string(kMaxResultWindow));
  }
  BUSCA_ASSIGN_OR_RETURN(std::vector<uint32_t> selected, impl_->Select(request.collections));
  BUSCA_RETURN_IF_ERROR(control.Check("start"));

  // Parse and plan.
  Clock::time_point t = Clock::now();
  BUSCA_ASSIGN_OR_RETURN(ParsedQuery parsed, ParseQuery(request.query));
  explanation.phase_micros.emplace_back("parse", MicrosSince(t));
  t = Clock::now();
  std::vector<const index::Generation*> gens;
  for (uint32_t i : selected) gens.push_back(impl_->collections[i].gen.get());
  BUSCA_ASSIGN_OR_RETURN(QueryPlan plan, BuildQueryPlan(std::move(parsed), gens, ThreadAnalyzer()));
  explanation.phase_micros.emplace_back("analyze+expand", MicrosSince(t));

  // Filters and sort per collection.
  std::vector<std::vector<CollectionFilter>> filters(selected.size());
  std::vector<CollectionSort> sorts(selected.size());
  for (size_t i = 0; i < selected.size(); ++i) {
    const index::CollectionSchema& schema = impl_->collections[selected[i]].gen->schema();
    BUSCA_ASSIGN_OR_RETURN(filters[i], CompileFilters(request.filters, schema));
    BUSCA_ASSIGN_OR_RETURN(sorts[i], CompileSort(request.sort, schema));
  }
  auto field_known = [&](const std::string& name) {
    for (uint32_t i : selected) {
      if (impl_->collections[i].gen->schema().FieldIndex(name)) return true;
    }
    return false;
  };
  for (const Filter& f : request.filters) {
    if (!field_known(f.field)) {
      return Status::InvalidArgument("filter on unknown field '" + f.field + "' (not in any queried collection)");
    }
  }
  bool field_sort = !request.sort.field.empty();
  bool keyword_sort = false;
  if (field_sort) {
    if (!field_known(request.sort.field)) {
      return Status::InvalidArgument("sort by unknown field '" + request.sort.field +
                                     "' (not in any queried collection)");
    }
    for (size_t i = 0; i < selected.size(); ++i) {
      if (!sorts[i].never) keyword_sort = sorts[i].keyword;
    }
    for (size_t i = 0; i < selected.size(); ++i) {
      if (!sorts[i].never && sorts[i].keyword != keyword_sort) {
        return Status::InvalidArgument("sort by '" + request.sort.field +
                                       "': the field has different types in the queried collections");
      }
    }
  }
  for (const std::string& name : request.stored_fields) {
    if (!field_known(name)) {
      return Status::InvalidArgument("stored field '" + name + "' is not in any queried collection");
    }
  }

  // Evaluate.
  t = Clock::now();
  const auto& colls = impl_->collections;
  TopK top(size_t{request.offset} + request.limit, field_sort, keyword_sort, request.sort.ascending);
  const bool prune = !field_sort && !request.sort.ascending;
  MatchState state;
  state.total_threshold =
      request.total_hits_threshold == 0 ? kDefaultTotalHitsThreshold : request.total_hits_threshold;
  std::vector<uint64_t> postings_per_collection(selected.size(), 0);
  for (size_t i = 0; i < selected.size(); ++i) {
    const Impl::Collection& coll = colls[selected[i]];
    for (uint32_t s = 0; s < coll.gen->num_segments(); ++s) {
      const index::SegmentReader& seg = coll.gen->segment(s);
      SegmentFilter filter(filters[i], sorts[i], seg);
      if (!filter.CanMatch()) continue;
      SegmentMatcher matcher(plan, seg, coll.scoring, coll.deleted[s]);
      BUSCA_RETURN_IF_ERROR(matcher.Run(selected[i], s, filter, prune, &top, &state, control));
    }
    response.generations.push_back({coll.name, coll.gen->id()});
  }
  explanation.phase_micros.emplace_back("evaluate", MicrosSince(t));
  BUSCA_RETURN_IF_ERROR(control.Check("after evaluation"));

  // Hits.
  t = Clock::now();
  std::vector<Candidate> best = top.TakeSorted();
  response.total_hits = state.matched;
  response.total_is_lower_bound = state.skipped_matches;
  std::unordered_set<std::string> highlight_terms;
  if (request.highlight) {
    for (const PlannedClause& c : plan.clauses) {
      if (c.excluded) continue;
      for (const PlannedItem& item : c.items) {
        for (const PlannedSlot& slot : item.slots) highlight_terms.insert(slot.terms.begin(), slot.terms.end());
      }
    }
  }
  for (size_t r = request.offset; r < best.size(); ++r) {
    const Candidate& c = best[r];
    const Impl::Collection& coll = colls[c.collection];
    const index::SegmentReader& seg = coll.gen->segment(c.segment);
    Hit hit;
    hit.collection = coll.name;
    hit.id = std::string(seg.ExternalId(c.doc));
    hit.score = c.score;
    hit.generation = coll.gen->id();
    const auto& fields = coll.gen->schema().fields;
    if (request.return_stored || request.highlight) {
      BUSCA_ASSIGN_OR_RETURN(index::Document doc, seg.StoredDocument(c.doc));
      for (size_t f = 0; f < fields.size() && f < doc.values.size(); ++f) {
        if (!fields[f].stored) continue;
        if (request.return_stored) {
          bool wanted = request.stored_fields.empty() ||
                        std::find(request.stored_fields.begin(), request.stored_fields.end(), fields[f].name) !=
                            request.stored_fields.end();
          if (wanted) hit.fields.push_back({fields[f].name, fields[f].type, fields[f].scale, doc.values[f]});
        }
        if (request.highlight && fields[f].type == index::FieldType::kText &&
            std::holds_alternative<std::string>(doc.values[f])) {
          const std::string& text = std::get<std::string>(doc.values[f]);
          std::vector<analysis::Token> tokens;
          ThreadAnalyzer().Analyze(text, &tokens);
          Highlight h;
          h.field = fields[f].name;
          for (const analysis::Token& tok : tokens) {
            if (highlight_terms.contains(tok.term) && tok.end > tok.start && tok.end <= text.size()) {
              if (!h.spans.empty() && h.spans.back().second > tok.start) continue;
              h.spans.emplace_back(tok.start, tok.end);
            }
          }
          if (h.spans.empty()) continue;
          size_t prev = 0;
          for (const auto& [a, b] : h.spans) {
            h.marked.append(text, prev, a - prev);
            h.marked += "<em>";
            h.marked.append(text, a, b - a);
            h.marked += "</em>";
            prev = b;
          }
          h.marked.append(text, prev, std::string::npos);
          h.text = text;
          hit.highlights.push_back(std::move(h));
        }
      }
    }
    if (request.explain) {
      SegmentMatcher m(plan, seg, coll.scoring, coll.deleted[c.segment]);
      hit.score_parts = m.Explain(c.doc);
    }
    response.hits.push_back(std::move(hit));
  }
  explanation.phase_micros.emplace_back("fetch", MicrosSince(t));

  if (request.explain) {
    explanation.parsed_query = plan.ToString();
    explanation.strategy = prune ? "document-at-a-time, block-max pruning (exact top-k)"
                                 : "document-at-a-time, exhaustive (sort by field or ascending score)";
    explanation.docs_scored = state.docs_scored;
    explanation.blocks_skipped = state.blocks_skipped;
    for (const DroppedWord& d : plan.dropped_stopwords) {
      Explanation::Word w;
      w.text = d.word;
      w.kind = "stopword (ignored)";
      w.stopword = true;
      explanation.words.push_back(std::move(w));
    }
    for (const PlannedClause& c : plan.clauses) {
      for (const PlannedItem& item : c.items) {
        Explanation::Word w;
        w.text = item.display;
        switch (item.kind) {
          case PlannedItem::Kind::kWord:
            w.kind = "word";
            break;
          case PlannedItem::Kind::kPrefix:
            w.kind = "prefix";
            break;
          case PlannedItem::Kind::kPhrase:
            w.kind = "phrase";
            break;
        }
        if (c.excluded) w.kind = "excluded " + w.kind;
        for (const PlannedSlot& slot : item.slots) {
          if (!w.term.empty()) w.term += ' ';
          w.term += slot.term.empty() ? slot.word + "*" : slot.term;
          for (const std::string& term : slot.terms) {
            uint64_t df = 0;
            for (const index::Generation* g : gens) df += g->DocFreq(term);
            w.expansions.push_back({term, df});
            w.postings += df;
          }
        }
        w.idf = item.idf;
        explanation.words.push_back(std::move(w));
      }
    }
    response.explanation = std::move(explanation);
  }
  response.took_micros = MicrosSince(start);
  if (response.explanation) response.explanation->phase_micros.emplace_back("total", response.took_micros);
  return response;
}

Result<SuggestResponse> Searcher::Suggest(const SuggestRequest& request, const QueryControl& control) const {
  if (request.limit == 0 || request.limit > kMaxSuggestLimit) {
    return Status::InvalidArgument("suggest limit must be 1.." + std::to_string(kMaxSuggestLimit));
  }
  if (request.text.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("suggest text is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  BUSCA_ASSIGN_OR_RETURN(std::vector<uint32_t> selected, impl_->Select(request.collections));
  SuggestResponse response;
  size_t cut = request.text.find_last_of(" \t\n\r\"");
  std::string head = cut == std::string::npos ? "" : request.text.substr(0, cut + 1);
  std::string last = cut == std::string::npos ? request.text : request.text.substr(cut + 1);
  if (!last.empty() && last[0] == '-') {
    head += '-';
    last.erase(0, 1);
  }
  std::string prefix = analysis::Analyzer::Fold(analysis::Analyzer::Normalize(last));
  for (uint32_t ci : selected) {
    const auto& coll = impl_->collections[ci];
    response.generations.push_back({coll.name, coll.gen->id()});
    if (prefix.empty()) continue;
    BUSCA_RETURN_IF_ERROR(control.Check("suggest"));
    struct Agg {
      uint64_t doc_freq = 0;
      uint32_t best_df = 0;
      std::string spelling;
    };
    std::map<std::string, Agg, std::less<>> words;
    for (const auto& seg : coll.gen->segments()) {
      size_t scanned = 0;
      for (auto it = seg->surfaces().Seek(prefix); it.Valid() && it.folded().starts_with(prefix); it.Next()) {
        if (++scanned > kSuggestScanLimit) break;
        index::SurfaceEntry e = it.entry();
        Agg& a = words[std::string(e.folded)];
        a.doc_freq += e.doc_freq;
        if (e.doc_freq > a.best_df || a.spelling.empty()) {
          a.best_df = e.doc_freq;
          a.spelling = std::string(e.spelling);
        }
      }
    }
    std::vector<Suggestion> group;
    for (auto& [folded, a] : words) {
      if (analysis::Analyzer::IsStopword(a.spelling)) continue;
      group.push_back({coll.name, a.spelling, head + a.spelling, a.doc_freq});
    }
    std::sort(group.begin(), group.end(), [](const Suggestion& x, const Suggestion& y) {
      if (x.doc_freq != y.doc_freq) return x.doc_freq > y.doc_freq;
      return x.word < y.word;
    });
    if (group.size() > request.limit) group.resize(request.limit);
    for (Suggestion& s : group) response.suggestions.push_back(std::move(s));
  }
  return response;
}

std::string FormatStoredValue(const StoredField& field) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string s;
          for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
          return s;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          if (field.type == index::FieldType::kTimestamp) return index::FormatTimestampMicros(v);
          if (field.type == index::FieldType::kBoolean) return v ? "true" : "false";
          return index::FormatScaledDecimal(v, field.scale);
        }
      },
      field.value);
}

std::string Explanation::ToText() const {
  std::string s = "parsed: " + parsed_query + "\nstrategy: " + strategy + "\n";
  char buf[256];
  for (const Word& w : words) {
    std::snprintf(buf, sizeof(buf), "  %-16s %-18s term=%s idf=%.4f postings=%llu\n", w.text.c_str(), w.kind.c_str(),
                  w.term.c_str(), w.idf, static_cast<unsigned long long>(w.postings));
    s += buf;
    for (const Expansion& e : w.expansions) {
      std::snprintf(buf, sizeof(buf), "      -> %s (df %llu)\n", e.term.c_str(), static_cast<unsigned long long>(e.doc_freq));
      s += buf;
    }
  }
  std::snprintf(buf, sizeof(buf), "docs scored: %llu, block ranges skipped: %llu\n",
                static_cast<unsigned long long>(docs_scored), static_cast<unsigned long long>(blocks_skipped));
  s += buf;
  s += "time:";
  for (const auto& [phase, us] : phase_micros) {
    std::snprintf(buf, sizeof(buf), " %s=%.1fus", phase.c_str(), us);
    s += buf;
  }
  return s + "\n";
}

}  // namespace busca::query
