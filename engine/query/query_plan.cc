#include "engine/query/query_plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "engine/analysis/query_terms.h"
#include "engine/analysis/stopwords.h"
#include "engine/query/bm25f.h"
#include "engine/query/query_limits.h"

namespace busca::query {
namespace {

// A prefix of no stopword leaves out a stopword's term when its words hold under
// 1/kStopTermMinShare of the term's docs (ExpandPrefix).
constexpr uint64_t kStopTermMinShare = 20;

// The folded forms and the index terms of the stopwords, analysed once.
struct StopwordForms {
  std::set<std::string, std::less<>> folded;
  std::set<std::string, std::less<>> terms;
};

const StopwordForms& TheStopwordForms() {
  static const StopwordForms forms = [] {
    StopwordForms f;
    analysis::Analyzer analyzer;
    std::vector<analysis::Token> tokens;
    for (std::string_view word : analysis::PortugueseStopwords()) {
      tokens.clear();
      analyzer.Analyze(word, &tokens);
      for (const analysis::Token& t : tokens) {
        f.folded.insert(t.folded_surface);
        f.terms.insert(t.term);
      }
    }
    return f;
  }();
  return forms;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// One analysed item before expansion.
struct RawItem {
  PlannedItem::Kind kind;
  std::string display;
  std::vector<analysis::Token> tokens;
  bool from_phrase = false;  // written as "..." (never dropped as a stopword)
};

class Planner {
 public:
  Planner(const std::vector<const index::Generation*>& gens, analysis::Analyzer& analyzer)
      : gens_(gens), analyzer_(analyzer) {
    for (const index::Generation* g : gens_) total_docs_ += g->max_doc();
  }

  Result<QueryPlan> Build(ParsedQuery parsed) {
    // 1. Analyse.
    std::vector<std::pair<bool, std::vector<RawItem>>> clauses;  // (excluded, items)
    size_t term_count = 0;
    for (const QueryClause& clause : parsed.clauses) {
      std::vector<RawItem> items;
      for (const QueryItem& qi : clause.alternatives) {
        RawItem raw;
        std::vector<analysis::Token> tokens;
        analyzer_.Analyze(qi.text, &tokens);
        if (tokens.empty()) continue;
        term_count += tokens.size();
        if (term_count > kMaxQueryTerms) {
          return Status::InvalidArgument("query has more than " + std::to_string(kMaxQueryTerms) +
                                         " words (the limit)");
        }
        switch (qi.kind) {
          case QueryItem::Kind::kWord:
            raw.kind = tokens.size() == 1 ? PlannedItem::Kind::kWord : PlannedItem::Kind::kPhrase;
            raw.display = qi.text;
            break;
          case QueryItem::Kind::kPrefix:
            if (tokens.size() != 1) {
              return Status::InvalidArgument("query: prefix '" + qi.text + "*' at character " +
                                             std::to_string(qi.position) + " must be a single word");
            }
            if (CodePoints(tokens[0].folded_surface) < kMinPrefixChars) {
              return Status::InvalidArgument("query: prefix '" + qi.text + "*' at character " +
                                             std::to_string(qi.position) + " is shorter than " +
                                             std::to_string(kMinPrefixChars) + " characters");
            }
            raw.kind = PlannedItem::Kind::kPrefix;
            raw.display = qi.text + "*";
            break;
          case QueryItem::Kind::kPhrase:
            if (tokens.size() > kMaxPhraseWords) {
              return Status::InvalidArgument("query: phrase at character " + std::to_string(qi.position) +
                                             " has more than " + std::to_string(kMaxPhraseWords) + " words");
            }
            raw.kind = tokens.size() == 1 ? PlannedItem::Kind::kWord : PlannedItem::Kind::kPhrase;
            raw.display = "\"" + qi.text + "\"";
            raw.from_phrase = true;
            break;
        }
        raw.tokens = std::move(tokens);
        items.push_back(std::move(raw));
      }
      if (!items.empty()) clauses.emplace_back(clause.excluded, std::move(items));
    }
    if (clauses.empty()) return Status::InvalidArgument("query has no searchable words");

    // 2. Stopwords.
    auto is_droppable = [](const RawItem& r) {
      return r.kind == PlannedItem::Kind::kWord && !r.from_phrase && r.tokens[0].stopword;
    };
    bool any_positive = false;
    bool only_stopwords = true;
    for (const auto& [excluded, items] : clauses) {
      if (excluded) continue;
      any_positive = true;
      for (const RawItem& r : items) only_stopwords = only_stopwords && is_droppable(r);
    }
    if (!any_positive) {
      return Status::InvalidArgument("query needs at least one word or phrase that is not excluded");
    }
    QueryPlan plan;
    plan.stopword_only = only_stopwords;
    plan.total_docs = total_docs_;
    if (!only_stopwords) {
      for (auto& [excluded, items] : clauses) {
        if (excluded) continue;
        std::vector<RawItem> kept;
        for (RawItem& r : items) {
          if (is_droppable(r)) {
            plan.dropped_stopwords.push_back({r.tokens[0].surface});
          } else {
            kept.push_back(std::move(r));
          }
        }
        items = std::move(kept);
      }
      std::erase_if(clauses, [](const auto& c) { return c.second.empty(); });
    }

    // 3. Expand and compute statistics.
    for (auto& [excluded, items] : clauses) {
      PlannedClause pc;
      pc.excluded = excluded;
      for (RawItem& r : items) {
        BUSCA_ASSIGN_OR_RETURN(PlannedItem item, Expand(r));
        pc.items.push_back(std::move(item));
      }
      plan.clauses.push_back(std::move(pc));
    }
    if (expanded_terms_ > kMaxExpandedTerms) {
      return Status::ResourceExhausted("query expands to " + std::to_string(expanded_terms_) +
                                       " index terms; the limit is " + std::to_string(kMaxExpandedTerms));
    }
    auto clause_cost = [](const PlannedClause& c) {
      uint64_t s = 0;
      for (const PlannedItem& i : c.items) s += i.cost;
      return s;
    };
    std::stable_sort(plan.clauses.begin(), plan.clauses.end(),
                     [&](const PlannedClause& a, const PlannedClause& b) {
                       if (a.excluded != b.excluded) return !a.excluded;
                       return clause_cost(a) < clause_cost(b);
                     });
    plan.parsed = std::move(parsed);
    return plan;
  }

 private:
  uint64_t SumDocFreq(const std::vector<std::string>& terms) const {
    uint64_t df = 0;
    for (const std::string& t : terms) {
      for (const index::Generation* g : gens_) df += g->DocFreq(t);
    }
    return df;
  }

  void FinishSlot(PlannedSlot* slot) {
    std::sort(slot->terms.begin(), slot->terms.end());
    slot->terms.erase(std::unique(slot->terms.begin(), slot->terms.end()), slot->terms.end());
    expanded_terms_ += slot->terms.size();
    uint64_t df = SumDocFreq(slot->terms);
    slot->doc_freq = std::min<uint64_t>(df, total_docs_);
    slot->idf = Bm25Idf(slot->doc_freq, total_docs_);
  }

  PlannedSlot ExpandWord(const analysis::Token& tok) {
    PlannedSlot slot;
    slot.word = tok.surface;
    slot.term = tok.term;
    slot.terms = analysis::ExpandQueryTerms(
        tok, [this](std::string_view folded, std::vector<std::string>* terms) {
          for (const index::Generation* g : gens_) {
            for (const auto& seg : g->segments()) {
              std::optional<index::SurfaceEntry> e = seg->surfaces().Find(folded);
              if (!e) continue;
              for (uint32_t ord : e->term_ordinals) {
                index::TermDictionary::Iterator it = seg->terms().At(ord);
                if (it.Valid()) terms->emplace_back(it.term());
              }
            }
          }
        });
    FinishSlot(&slot);
    return slot;
  }

  Result<PlannedSlot> ExpandPrefix(const analysis::Token& tok, const std::string& display) {
    PlannedSlot slot;
    slot.word = tok.surface;
    const std::string& prefix = tok.folded_surface;
    std::set<std::string, std::less<>> keys;
    const StopwordForms& stop = TheStopwordForms();
    bool stopword_key = false;  // some key is a stopword's folded form
    // Per stopword term reached: the docs of the keys that reached it (summed over them).
    std::map<std::string, uint64_t, std::less<>> stop_term_docs;
    for (const index::Generation* g : gens_) {
      for (const auto& seg : g->segments()) {
        for (auto it = seg->surfaces().Seek(prefix); it.Valid() && it.folded().starts_with(prefix); it.Next()) {
          keys.emplace(it.folded());
          if (keys.size() > kMaxPrefixExpansions) {
            return Status::ResourceExhausted("query: prefix '" + display + "' matches more than " +
                                             std::to_string(kMaxPrefixExpansions) +
                                             " words (the limit); type more letters");
          }
          stopword_key = stopword_key || stop.folded.contains(it.folded());
          index::SurfaceEntry e = it.entry();
          for (uint32_t ord : e.term_ordinals) {
            index::TermDictionary::Iterator t = seg->terms().At(ord);
            if (!t.Valid()) continue;
            slot.terms.emplace_back(t.term());
            if (stop.terms.contains(t.term())) stop_term_docs[std::string(t.term())] += e.doc_freq;
          }
        }
      }
    }
    // A prefix none of whose words is a stopword leaves out a stopword's term that its words hold
    // under 1/kStopTermMinShare of the docs of: a stem collision (quei* -> queiram -> que, the
    // term of "que"; come* -> comeram -> com) that would make it match every doc with the
    // stopword. (form* keeps form: formos is a stopword, but forma holds the term's docs.)
    if (!stopword_key) {
      std::erase_if(slot.terms, [&](const std::string& t) {
        auto it = stop_term_docs.find(t);
        return it != stop_term_docs.end() && it->second * kStopTermMinShare < SumDocFreq({t});
      });
    }
    FinishSlot(&slot);
    return slot;
  }

  Result<PlannedItem> Expand(const RawItem& r) {
    PlannedItem item;
    item.kind = r.kind;
    item.display = r.display;
    if (r.kind == PlannedItem::Kind::kPrefix) {
      BUSCA_ASSIGN_OR_RETURN(PlannedSlot slot, ExpandPrefix(r.tokens[0], r.display));
      item.slots.push_back(std::move(slot));
    } else {
      uint32_t first = r.tokens[0].position;
      for (const analysis::Token& tok : r.tokens) {
        item.slots.push_back(ExpandWord(tok));
        item.offsets.push_back(tok.position - first);
      }
    }
    item.idf = 0;
    item.cost = 0;
    for (const PlannedSlot& s : item.slots) {
      item.idf += s.idf;
      item.cost = item.cost == 0 ? s.doc_freq : std::min(item.cost, s.doc_freq);
    }
    if (item.kind == PlannedItem::Kind::kPrefix || item.kind == PlannedItem::Kind::kWord) {
      item.cost = item.slots[0].doc_freq;
    }
    return item;
  }

  const std::vector<const index::Generation*>& gens_;
  analysis::Analyzer& analyzer_;
  uint64_t total_docs_ = 0;
  size_t expanded_terms_ = 0;
};

std::string ItemToString(const PlannedItem& item) {
  std::string s;
  switch (item.kind) {
    case PlannedItem::Kind::kWord:
      s = "word(";
      break;
    case PlannedItem::Kind::kPrefix:
      s = "prefix(";
      break;
    case PlannedItem::Kind::kPhrase:
      s = "phrase(";
      break;
  }
  for (size_t i = 0; i < item.slots.size(); ++i) {
    if (i > 0) s += ' ';
    const PlannedSlot& slot = item.slots[i];
    if (item.kind == PlannedItem::Kind::kPrefix) {
      s += slot.word + "*";
    } else {
      s += slot.term;
    }
    if (slot.terms.size() > 1 || (slot.terms.size() == 1 && slot.terms[0] != slot.term)) {
      s += "{";
      for (size_t j = 0; j < slot.terms.size(); ++j) {
        if (j > 0) s += ',';
        if (j == 8) {
          s += "…+" + std::to_string(slot.terms.size() - 8);
          break;
        }
        s += slot.terms[j];
      }
      s += "}";
    }
  }
  return s + ")";
}

}  // namespace

size_t QueryPlan::required_count() const {
  size_t n = 0;
  for (const PlannedClause& c : clauses) n += !c.excluded;
  return n;
}

std::string QueryPlan::ToString() const {
  std::string s = "AND(";
  bool first = true;
  for (const PlannedClause& c : clauses) {
    if (!first) s += ' ';
    first = false;
    if (c.excluded) {
      s += "NOT(" + ItemToString(c.items[0]) + ")";
    } else if (c.items.size() == 1) {
      s += ItemToString(c.items[0]);
    } else {
      s += "OR(";
      for (size_t i = 0; i < c.items.size(); ++i) {
        if (i > 0) s += ", ";
        s += ItemToString(c.items[i]);
      }
      s += ")";
    }
  }
  return s + ")";
}

Result<QueryPlan> BuildQueryPlan(ParsedQuery parsed, const std::vector<const index::Generation*>& generations,
                                 analysis::Analyzer& analyzer) {
  return Planner(generations, analyzer).Build(std::move(parsed));
}

}  // namespace busca::query
