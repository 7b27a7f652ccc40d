// query_bench: top-10 latency of one-, two- and three-word queries (and a phrase, a prefix, a
// filtered and a field-sorted query) on a generated corpus of 1M documents.
//
// Corpus: a "products" collection (name: text w=3, ~2-7 words; description: text w=1, ~8-30
// words; category keyword; price number) drawn from a 50,000-word vocabulary of Portuguese-like
// synthetic words (syllables + Portuguese endings, ~1/6 with diacritics) with Zipf(1.0) word
// frequencies. Every vocabulary word is analysed once with the real Analyzer and documents are
// assembled from those tokens, so building 1M docs takes seconds rather than minutes of ICU.
// The index is written by GenerationWriter (several segments, 1% deletions) into
// $BUSCA_BENCH_INDEX_DIR (default /tmp/busca-query-bench-<docs>) and REUSED when it already
// exists (delete the dir to rebuild). Query words are drawn with the same Zipf law, so the mix
// has frequent and rare words.
//
// Each benchmark reports the mean (Google Benchmark's time) plus p50_us / p99_us counters over
// the per-query latencies of its run. Env BUSCA_BENCH_DOCS overrides the corpus size.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/query/searcher.h"

namespace {

namespace fs = std::filesystem;
using namespace busca;

constexpr size_t kVocabulary = 50000;

std::vector<std::string> MakeVocabulary(std::mt19937_64& rng) {
  static const char* kOnsets[] = {"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v",
                                  "ch", "lh", "nh", "br", "cr", "pr", "tr", "gr", "fr", "pl", "qu"};
  static const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "o"};
  static const char* kEndings[] = {"", "", "", "ção", "ções", "ar", "er", "ir", "ado", "ada", "inho",
                                   "inha", "oso", "osa", "mente", "ável", "ês", "ão", "ões", "eiro",
                                   "eira", "ista", "agem", "ância", "ência", "ico", "ica", "ário"};
  std::vector<std::string> words;
  std::vector<std::string> seen;
  words.reserve(kVocabulary);
  while (words.size() < kVocabulary) {
    std::string w;
    int syllables = 1 + static_cast<int>(rng() % 3);
    for (int s = 0; s < syllables; ++s) {
      w += kOnsets[rng() % std::size(kOnsets)];
      w += kVowels[rng() % std::size(kVowels)];
    }
    w += kEndings[rng() % std::size(kEndings)];
    if (rng() % 12 == 0) {
      // An acute accent on the first 'a'/'e'/'o'.
      size_t p = w.find_first_of("aeo");
      if (p != std::string::npos) {
        const char* acc = w[p] == 'a' ? "á" : (w[p] == 'e' ? "é" : "ó");
        w.replace(p, 1, acc);
      }
    }
    words.push_back(std::move(w));
  }
  // Duplicates are harmless (they just merge frequencies).
  return words;
}

class Zipf {
 public:
  explicit Zipf(size_t n, double s = 1.0) {
    cdf_.reserve(n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
      cdf_.push_back(sum);
    }
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) const {
    double x = std::uniform_real_distribution<double>(0, 1)(rng);
    return std::min<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), x) - cdf_.begin(), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

index::CollectionSchema BenchSchema() {
  index::CollectionSchema s;
  s.name = "products";
  s.source = {"marketplace.\"Product\"", "id", "TRUE"};
  index::FieldSpec name{"name", "name", index::FieldType::kText, 3.0, true, false, 0};
  index::FieldSpec desc{"description", "description", index::FieldType::kText, 1.0, true, false, 0};
  index::FieldSpec cat{"category", "category", index::FieldType::kKeyword, 1.0, true, false, 0};
  index::FieldSpec price{"price", "price", index::FieldType::kNumber, 1.0, true, false, 2};
  s.fields = {name, desc, cat, price};
  return s;
}

struct Corpus {
  std::vector<std::string> vocabulary;
  std::unique_ptr<Zipf> zipf;
  std::shared_ptr<const query::Searcher> searcher;
  size_t docs = 0;
};

Corpus& GetCorpus() {
  static Corpus corpus = [] {
    Corpus c;
    c.docs = 1000000;
    if (const char* env = std::getenv("BUSCA_BENCH_DOCS")) c.docs = std::strtoull(env, nullptr, 10);
    std::mt19937_64 rng(20240601);
    c.vocabulary = MakeVocabulary(rng);
    c.zipf = std::make_unique<Zipf>(c.vocabulary.size());
    fs::path dir = std::getenv("BUSCA_BENCH_INDEX_DIR") ? fs::path(std::getenv("BUSCA_BENCH_INDEX_DIR"))
                                                        : fs::temp_directory_path() /
                                                              ("busca-query-bench-" + std::to_string(c.docs));
    index::IndexDir idx(dir);
    index::CollectionSchema schema = BenchSchema();
    if (!idx.ReadCurrent(schema.name).ok()) {
      auto t0 = std::chrono::steady_clock::now();
      analysis::Analyzer analyzer;
      std::vector<analysis::Token> templates;
      for (const std::string& w : c.vocabulary) {
        std::vector<analysis::Token> toks;
        analyzer.Analyze(w, &toks);
        templates.push_back(toks.empty() ? analysis::Token{} : toks[0]);
      }
      auto writer = index::GenerationWriter::Create(schema, idx);
      if (!writer.ok()) {
        std::fprintf(stderr, "query_bench: %s\n", writer.status().ToString().c_str());
        std::exit(1);
      }
      static const char* kCats[] = {"padaria", "bebidas", "doces", "laticinios", "mercearia", "hortifruti"};
      uint64_t text_bytes = 0;
      for (size_t i = 0; i < c.docs; ++i) {
        index::AnalyzedDocument ad;
        ad.doc.id = "prod_" + std::to_string(i);
        ad.doc.values.resize(4);
        ad.field_tokens.resize(4);
        for (int f = 0; f < 2; ++f) {
          int n = f == 0 ? 2 + static_cast<int>(rng() % 6) : 8 + static_cast<int>(rng() % 23);
          std::string text;
          auto& toks = ad.field_tokens[f];
          toks.reserve(n);
          for (int k = 0; k < n; ++k) {
            size_t w = (*c.zipf)(rng);
            if (!text.empty()) text += ' ';
            analysis::Token t = templates[w];
            t.position = static_cast<uint32_t>(k);
            t.start = static_cast<uint32_t>(text.size());
            text += c.vocabulary[w];
            t.end = static_cast<uint32_t>(text.size());
            toks.push_back(std::move(t));
          }
          text_bytes += text.size();
          ad.doc.values[f] = std::move(text);
        }
        ad.doc.values[2] = std::vector<std::string>{kCats[rng() % std::size(kCats)]};
        ad.doc.values[3] = static_cast<int64_t>(rng() % 100000);
        Status st = (*writer)->Add(std::move(ad));
        if (!st.ok()) {
          std::fprintf(stderr, "query_bench: %s\n", st.ToString().c_str());
          std::exit(1);
        }
        if (i % 100 == 37 && i > 1000) (void)(*writer)->Delete("prod_" + std::to_string(i - 1000));
      }
      auto info = (*writer)->Finish();
      if (!info.ok() || !idx.PublishCurrent(schema.name, info->id).ok()) {
        std::fprintf(stderr, "query_bench: finishing the index failed\n");
        std::exit(1);
      }
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "query_bench: built %zu docs (%.1f MB text, %zu segments) in %.1f s into %s\n", c.docs,
                   text_bytes / 1e6, info->segments.size(), secs, dir.c_str());
    }
    auto searcher = query::Searcher::Open(dir);
    if (!searcher.ok()) {
      std::fprintf(stderr, "query_bench: %s\n", searcher.status().ToString().c_str());
      std::exit(1);
    }
    c.searcher = *searcher;
    return c;
  }();
  return corpus;
}

std::vector<std::string> MakeQueries(int words, int kind, size_t count) {
  Corpus& c = GetCorpus();
  std::mt19937_64 rng(1000 + words * 10 + kind);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string q;
    for (int w = 0; w < words; ++w) {
      std::string word = c.vocabulary[(*c.zipf)(rng)];
      if (kind == 2 && w == words - 1) {
        // prefix: the first 4 bytes of a word (char boundary)
        size_t cut = std::min<size_t>(4, word.size());
        while (cut < word.size() && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) ++cut;
        word = word.substr(0, cut) + "*";
      }
      q += (q.empty() ? "" : " ") + word;
    }
    if (kind == 1) q = "\"" + q + "\"";
    out.push_back(q);
  }
  return out;
}

// kind: 0 words, 1 phrase, 2 last word prefix, 3 filter, 4 sort by price.
void RunQueries(benchmark::State& state, int words, int kind) {
  Corpus& c = GetCorpus();
  std::vector<std::string> queries = MakeQueries(words, kind, 2000);
  std::vector<query::SearchRequest> requests;
  for (const std::string& q : queries) {
    query::SearchRequest r;
    r.query = q;
    r.limit = 10;
    if (kind == 3) r.filters.push_back(*query::ParseFilter("category:padaria|doces"));
    if (kind == 4) r.sort = *query::ParseSort("price:asc");
    requests.push_back(std::move(r));
  }
  for (const auto& r : requests) (void)c.searcher->Search(r);  // warm-up pass
  std::vector<double> lat;
  size_t i = 0;
  uint64_t hits = 0, errors = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.searcher->Search(requests[i]);
    lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (r.ok()) {
      hits += r->hits.size();
    } else {
      ++errors;
    }
    benchmark::DoNotOptimize(r);
    i = (i + 1) % requests.size();
  }
  std::sort(lat.begin(), lat.end());
  if (!lat.empty()) {
    state.counters["p50_us"] = lat[lat.size() / 2];
    state.counters["p99_us"] = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
    state.counters["max_us"] = lat.back();
  }
  state.counters["hits_per_query"] = lat.empty() ? 0 : static_cast<double>(hits) / lat.size();
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["docs"] = static_cast<double>(c.docs);
}

void BM_Top10_OneWord(benchmark::State& s) { RunQueries(s, 1, 0); }
void BM_Top10_TwoWords(benchmark::State& s) { RunQueries(s, 2, 0); }
void BM_Top10_ThreeWords(benchmark::State& s) { RunQueries(s, 3, 0); }
void BM_Top10_TwoWordPhrase(benchmark::State& s) { RunQueries(s, 2, 1); }
void BM_Top10_WordAndPrefix(benchmark::State& s) { RunQueries(s, 2, 2); }
void BM_Top10_TwoWordsFiltered(benchmark::State& s) { RunQueries(s, 2, 3); }
void BM_Top10_TwoWordsSortByPrice(benchmark::State& s) { RunQueries(s, 2, 4); }

BENCHMARK(BM_Top10_OneWord)->Unit(benchmark::kMicrosecond)->Iterations(4000);
BENCHMARK(BM_Top10_TwoWords)->Unit(benchmark::kMicrosecond)->Iterations(4000);
BENCHMARK(BM_Top10_ThreeWords)->Unit(benchmark::kMicrosecond)->Iterations(4000);
BENCHMARK(BM_Top10_TwoWordPhrase)->Unit(benchmark::kMicrosecond)->Iterations(2000);
BENCHMARK(BM_Top10_WordAndPrefix)->Unit(benchmark::kMicrosecond)->Iterations(2000);
BENCHMARK(BM_Top10_TwoWordsFiltered)->Unit(benchmark::kMicrosecond)->Iterations(2000);
BENCHMARK(BM_Top10_TwoWordsSortByPrice)->Unit(benchmark::kMicrosecond)->Iterations(500);

}  // namespace

BENCHMARK_MAIN();
