// Analysis throughput (MB/s of input text) on real Portuguese prose: the Debian Reference in
// Brazilian Portuguese (package debian-reference-pt-br, HTML stripped at start-up), cut into
// documents of a marketplace-like size. Falls back to generated Portuguese text when the package
// is missing. Also measures the pieces: segmentation (fast path vs ICU only) and folding.
//
//   build/bin/analysis_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/analysis/normalizer.h"
#include "engine/analysis/word_segmenter.h"

namespace {

namespace fs = std::filesystem;
using busca::analysis::Analyzer;
using busca::analysis::Token;
using busca::analysis::WordSegmenter;
using busca::analysis::WordSpan;

std::string StripHtml(const std::string& html) {
  std::string text;
  bool in_tag = false, space = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        space = true;
      }
      continue;
    }
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !text.empty()) text += ' ';
    space = false;
    text += c;
  }
  return text;
}

std::string GeneratedPortuguese(size_t bytes) {
  const std::vector<std::string> words = {
      "promoção", "de",       "pães",    "frescos",    "açúcar",  "orgânico", "café",
      "torrado",  "em",       "grãos",   "500g",       "entrega", "grátis",   "para",
      "todo",     "o",        "Brasil",  "cozinheira", "vende",   "tomates",  "maduros",
      "queijo",   "minas",    "coalho",  "X-Tudo",     "com",     "batata",   "frita",
      "R$",       "12,90",    "só",      "hoje",       "não",     "perca",    "coleção",
      "verão",    "camiseta", "algodão", "tamanho",    "médio",   "azul",     "ótimo"};
  std::mt19937 rng(1);
  std::string text;
  while (text.size() < bytes) {
    text += words[rng() % words.size()];
    text += (rng() % 12 == 0) ? ". " : " ";
  }
  return text;
}

// The corpus: ~all of the Debian Reference prose, as documents of about `doc_bytes` bytes.
const std::vector<std::string>& Documents() {
  static const std::vector<std::string>* docs = [] {
    std::string text;
    std::set<fs::path> files;
    std::error_code ec;
    for (auto it = fs::directory_iterator("/usr/share/debian-reference", ec);
         it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() > 11 && name.compare(name.size() - 11, 11, ".pt-br.html") == 0) {
        files.insert(it->path());
      }
    }
    for (const fs::path& f : files) {
      std::ifstream in(f);
      std::stringstream buffer;
      buffer << in.rdbuf();
      text += StripHtml(buffer.str());
      text += ' ';
    }
    if (text.size() < (1 << 20)) text = GeneratedPortuguese(4 << 20);
    auto* out = new std::vector<std::string>();
    constexpr size_t kDocBytes = 400;  // a product description / post body
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = std::min(text.size(), pos + kDocBytes);
      while (end < text.size() && text[end] != ' ') ++end;  // cut at a space
      out->push_back(text.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }();
  return *docs;
}

size_t TotalBytes(const std::vector<std::string>& docs) {
  size_t n = 0;
  for (const std::string& d : docs) n += d.size();
  return n;
}

void BM_Analyze(benchmark::State& state) {
  const auto& docs = Documents();
  Analyzer analyzer;
  std::vector<Token> tokens;
  size_t token_count = 0;
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      tokens.clear();
      analyzer.Analyze(doc, &tokens);
      token_count += tokens.size();
    }
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(docs)));
  state.counters["docs"] = static_cast<double>(docs.size());
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(token_count), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond);

// A fresh Analyzer per pass: every distinct word misses the word cache once per pass.
void BM_AnalyzeColdCache(benchmark::State& state) {
  const auto& docs = Documents();
  std::vector<Token> tokens;
  for (auto _ : state) {
    Analyzer analyzer;
    for (const std::string& doc : docs) {
      tokens.clear();
      analyzer.Analyze(doc, &tokens);
    }
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(docs)));
}
BENCHMARK(BM_AnalyzeColdCache)->Unit(benchmark::kMillisecond);

void BM_Segment(benchmark::State& state) {
  const auto& docs = Documents();
  WordSegmenter segmenter;
  std::vector<WordSpan> spans;
  const auto path =
      state.range(0) == 0 ? WordSegmenter::Path::kAuto : WordSegmenter::Path::kIcuOnly;
  for (auto _ : state) {
    for (const std::string& doc : docs) segmenter.Segment(doc, &spans, path);
    benchmark::DoNotOptimize(spans.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(docs)));
  state.SetLabel(state.range(0) == 0 ? "fast path (ICU fallback)" : "ICU BreakIterator only");
}
BENCHMARK(BM_Segment)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_FoldWord(benchmark::State& state) {
  const std::vector<std::string> words = {"promoção", "açúcar",  "pães",  "Café",   "tomate",
                                          "ÓTIMO",    "coleção", "verão", "x-tudo", "500ml"};
  std::string out;
  size_t bytes = 0;
  for (const std::string& w : words) bytes += w.size();
  for (auto _ : state) {
    for (const std::string& w : words) {
      busca::analysis::FoldWordTo(w, &out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_FoldWord);

}  // namespace

BENCHMARK_MAIN();
