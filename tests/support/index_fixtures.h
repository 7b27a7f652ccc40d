// Index test fixtures shared by the engine tests (index, query) and anyone who needs a random
// generation: a scoped temp dir, a synthetic random corpus with Portuguese-looking words (no
// Analyzer needed: tokens are made here, deterministically from a seed) and a brute-force
// inverted index of it, the reference the property tests compare the real index with.
//
// Header-only (busca_test_support is an INTERFACE library). Not thread-safe; one per test.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/analysis/token.h"
#include "engine/index/document.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "tests/support/test_field.h"

namespace busca::testing {

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(std::string_view tag = "busca") {
    std::filesystem::path base = std::filesystem::temp_directory_path();
    static int counter = 0;
    path_ = base / (std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The schema the random corpus fills: two text fields of different weights, a multi-valued and a
// single-valued keyword, a number (scale 2), a boolean and a timestamp; a non-stored text field
// too, so stored-field tests see both cases.
inline index::CollectionSchema RandomCorpusSchema(std::string name = "random") {
  index::CollectionSchema s;
  s.name = std::move(name);
  s.source = {"test.\"Random\"", "id", "TRUE"};
  auto add = [&](std::string n, index::FieldType t, double w, bool stored, bool multi = false, int scale = 0) {
    s.fields.push_back(TestField(std::move(n), t, w, stored, multi, scale));
  };
  add("title", index::FieldType::kText, 3.0, true);
  add("body", index::FieldType::kText, 1.0, true);
  add("tags", index::FieldType::kKeyword, 1.0, true, true);
  add("category", index::FieldType::kKeyword, 1.0, true);
  add("price", index::FieldType::kNumber, 1.0, true, false, 2);
  add("verified", index::FieldType::kBoolean, 1.0, false);
  add("created_at", index::FieldType::kTimestamp, 1.0, true);
  add("notes", index::FieldType::kText, 1.0, false);
  return s;
}

// Folding of the few accented letters the generator uses (a stand-in for Analyzer::Fold).
inline std::string FoldForTest(const std::string& s) {
  static const std::pair<const char*, char> kMap[] = {{"á", 'a'}, {"à", 'a'}, {"ã", 'a'}, {"â", 'a'}, {"é", 'e'},
                                                       {"ê", 'e'}, {"í", 'i'}, {"ó", 'o'}, {"õ", 'o'}, {"ô", 'o'},
                                                       {"ú", 'u'}, {"ç", 'c'}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool matched = false;
    for (const auto& [from, to] : kMap) {
      size_t n = std::char_traits<char>::length(from);
      if (s.compare(i, n, from) == 0) {
        out.push_back(to);
        i += n;
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(s[i++]);
  }
  return out;
}

struct RandomCorpusOptions {
  uint32_t seed = 42;
  uint32_t num_docs = 1000;
  uint32_t vocabulary = 800;   // distinct surface words (Zipf-distributed use)
  uint32_t max_title_words = 8;
  uint32_t max_body_words = 60;
  double null_probability = 0.1;
};

// A deterministic random corpus of AnalyzedDocuments for RandomCorpusSchema().
// Token.term = first 5 letters of the folded surface (several spellings share a term, like
// stems do); stopwords are the 6 most frequent words.
class RandomCorpus {
 public:
  explicit RandomCorpus(const RandomCorpusOptions& options = {})
      : options_(options), schema_(RandomCorpusSchema()), rng_(options.seed) {
    static const char* kSyllables[] = {"ca", "sa", "pa", "ma", "to", "de", "li", "ção", "pão", "mé",
                                       "ri", "nho", "ta", "qu", "ei", "jo", "ra", "vo", "çu", "lá",
                                       "be", "fi", "go", "tu", "ne", "sé", "rô", "xa", "ze", "mu"};
    std::set<std::string> seen;
    while (words_.size() < options.vocabulary) {
      int n = 1 + static_cast<int>(rng_() % 4);
      std::string w;
      for (int i = 0; i < n; ++i) w += kSyllables[rng_() % (sizeof(kSyllables) / sizeof(kSyllables[0]))];
      if (seen.insert(w).second) words_.push_back(w);
    }
    // Zipf(1) weights.
    for (size_t i = 0; i < words_.size(); ++i) weights_.push_back(1.0 / static_cast<double>(i + 1));
    word_dist_ = std::discrete_distribution<size_t>(weights_.begin(), weights_.end());
    for (uint32_t i = 0; i < options.num_docs; ++i) docs_.push_back(MakeDoc(i));
  }

  const index::CollectionSchema& schema() const { return schema_; }
  const std::vector<index::AnalyzedDocument>& docs() const { return docs_; }
  const std::vector<std::string>& words() const { return words_; }

  static analysis::Token MakeToken(const std::string& surface, uint32_t position, bool stopword) {
    analysis::Token t;
    t.surface = surface;
    t.folded_surface = FoldForTest(surface);
    t.term = t.folded_surface.substr(0, std::min<size_t>(5, t.folded_surface.size()));
    t.stem = t.term;
    t.position = position;
    t.stopword = stopword;
    return t;
  }

 private:
  std::string RandomText(uint32_t max_words, std::vector<analysis::Token>* tokens) {
    uint32_t n = static_cast<uint32_t>(rng_() % (max_words + 1));
    std::string text;
    for (uint32_t i = 0; i < n; ++i) {
      size_t w = word_dist_(rng_);
      if (!text.empty()) text += ' ';
      analysis::Token t = MakeToken(words_[w], i, w < 6);
      t.start = static_cast<uint32_t>(text.size());
      text += words_[w];
      t.end = static_cast<uint32_t>(text.size());
      tokens->push_back(std::move(t));
    }
    return text;
  }

  bool Null() { return std::uniform_real_distribution<double>(0, 1)(rng_) < options_.null_probability; }

  index::AnalyzedDocument MakeDoc(uint32_t i) {
    index::AnalyzedDocument d;
    char id[32];
    std::snprintf(id, sizeof(id), "doc_%07u", i);
    d.doc.id = id;
    d.doc.values.resize(schema_.fields.size());
    d.field_tokens.resize(schema_.fields.size());
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      const auto& spec = schema_.fields[f];
      if (Null()) continue;
      switch (spec.type) {
        case index::FieldType::kText: {
          uint32_t max_words = spec.name == "title" ? options_.max_title_words : options_.max_body_words;
          d.doc.values[f] = RandomText(max_words, &d.field_tokens[f]);
          break;
        }
        case index::FieldType::kKeyword: {
          std::vector<std::string> vals;
          uint32_t n = spec.multi ? static_cast<uint32_t>(rng_() % 4) : 1;
          for (uint32_t k = 0; k < n; ++k) vals.push_back(words_[rng_() % 40]);
          d.doc.values[f] = std::move(vals);
          break;
        }
        case index::FieldType::kNumber:
          d.doc.values[f] = static_cast<int64_t>(rng_() % 1000000) - 1000;
          break;
        case index::FieldType::kBoolean:
          d.doc.values[f] = (rng_() % 2) == 0;
          break;
        case index::FieldType::kTimestamp:
          d.doc.values[f] = int64_t{1600000000000000} + static_cast<int64_t>(rng_() % 100000000) * 1000000;
          break;
      }
    }
    return d;
  }

  RandomCorpusOptions options_;
  index::CollectionSchema schema_;
  std::mt19937 rng_;
  std::vector<std::string> words_;
  std::vector<double> weights_;
  std::discrete_distribution<size_t> word_dist_;
  std::vector<index::AnalyzedDocument> docs_;
};

// The brute-force inverted index of a list of docs that went into ONE segment (DocId = position
// in the list): what every posting list, position list and length must be.
struct ReferencePosting {
  index::DocId doc = 0;
  std::vector<uint32_t> tfs;                     // per text slot
  std::vector<std::vector<uint32_t>> positions;  // per text slot, ascending
};

class ReferenceSegment {
 public:
  ReferenceSegment(const index::CollectionSchema& schema, const std::vector<const index::AnalyzedDocument*>& docs) {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      if (schema.fields[f].type == index::FieldType::kText) text_fields_.push_back(f);
    }
    const size_t T = text_fields_.size();
    lengths_.assign(T, std::vector<uint32_t>(docs.size(), 0));
    for (index::DocId d = 0; d < docs.size(); ++d) {
      std::map<std::string, ReferencePosting> per_doc;
      for (size_t s = 0; s < T; ++s) {
        const auto& tokens = docs[d]->field_tokens[text_fields_[s]];
        lengths_[s][d] = static_cast<uint32_t>(tokens.size());
        for (const auto& t : tokens) {
          auto& p = per_doc[t.term];
          if (p.tfs.empty()) {
            p.doc = d;
            p.tfs.assign(T, 0);
            p.positions.assign(T, {});
          }
          ++p.tfs[s];
          p.positions[s].push_back(t.position);
          auto& surf = surfaces_[t.folded_surface];
          surf.terms.insert(t.term);
          surf.docs.insert(d);
          surf.spellings[t.surface]++;
        }
      }
      for (auto& [term, p] : per_doc) {
        for (auto& v : p.positions) std::sort(v.begin(), v.end());
        postings_[term].push_back(std::move(p));
      }
    }
  }

  struct Surface {
    std::set<std::string> terms;
    std::set<index::DocId> docs;
    std::map<std::string, uint32_t> spellings;
    std::string MostFrequentSpelling() const {
      std::string best;
      uint32_t count = 0;
      for (const auto& [s, c] : spellings) {
        if (c > count) {
          best = s;
          count = c;
        }
      }
      return best;
    }
  };

  const std::map<std::string, std::vector<ReferencePosting>>& postings() const { return postings_; }
  const std::map<std::string, Surface>& surfaces() const { return surfaces_; }
  uint32_t length(index::DocId doc, size_t slot) const { return lengths_[slot][doc]; }
  const std::vector<size_t>& text_fields() const { return text_fields_; }

 private:
  std::vector<size_t> text_fields_;
  std::map<std::string, std::vector<ReferencePosting>> postings_;
  std::map<std::string, Surface> surfaces_;
  std::vector<std::vector<uint32_t>> lengths_;
};

// Writes `corpus` into a new generation of `dir`, flushing a segment every `docs_per_segment`
// docs and deleting the docs whose index is in `deleted` (right after the segment that holds them
// is flushed, so deletions hit earlier segments), then finishes and publishes CURRENT.
inline Result<index::GenerationInfo> BuildRandomGeneration(const RandomCorpus& corpus, const index::IndexDir& dir,
                                                           uint32_t docs_per_segment,
                                                           const std::set<uint32_t>& deleted,
                                                           const index::WriterOptions& options = {.merge_on_finish = false}) {
  BUSCA_ASSIGN_OR_RETURN(auto writer, index::GenerationWriter::Create(corpus.schema(), dir, options));
  std::vector<uint32_t> pending;
  for (uint32_t i = 0; i < corpus.docs().size(); ++i) {
    index::AnalyzedDocument copy = corpus.docs()[i];
    BUSCA_RETURN_IF_ERROR(writer->Add(std::move(copy)));
    if (deleted.count(i)) pending.push_back(i);
    if ((i + 1) % docs_per_segment == 0) {
      BUSCA_RETURN_IF_ERROR(writer->FlushSegment());
      for (uint32_t p : pending) BUSCA_RETURN_IF_ERROR(writer->Delete(corpus.docs()[p].doc.id));
      pending.clear();
    }
  }
  for (uint32_t p : pending) BUSCA_RETURN_IF_ERROR(writer->Delete(corpus.docs()[p].doc.id));
  BUSCA_ASSIGN_OR_RETURN(index::GenerationInfo info, writer->Finish());
  BUSCA_RETURN_IF_ERROR(dir.PublishCurrent(corpus.schema().name, info.id));
  return info;
}

}  // namespace busca::testing
