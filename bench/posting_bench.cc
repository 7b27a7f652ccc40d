// Posting-list decoding speed (issue #2): integers decoded per second by the bp128 codec that
// posting lists and positions use, next to a plain memcpy of the same encoded bytes (the
// ceiling) and libstreamvbyte; plus PostingCursor iteration (Next / NextGeq) over a real
// segment. Run: build/bin/posting_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <streamvbyte.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/index/generation.h"
#include "engine/index/posting_codec.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

constexpr size_t kBlocks = 8192;  // 1M integers per run
constexpr size_t kInts = kBlocks * codec::kMaxBlockValues;

// Doc-gap-like values: geometric with mean ~2^bits/2 so blocks pack at about `bits` bits.
std::vector<uint32_t> Values(int bits) {
  std::mt19937 rng(bits);
  std::vector<uint32_t> v(kInts);
  const uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
  for (auto& x : v) x = rng() & mask;
  return v;
}

std::string EncodeAll(const std::vector<uint32_t>& v) {
  std::string out;
  for (size_t b = 0; b < kBlocks; ++b) codec::EncodeBlock(v.data() + b * codec::kMaxBlockValues, codec::kMaxBlockValues, &out);
  out.append(8, '\0');  // read-ahead slack, as the file footer provides on disk
  return out;
}

void BM_Bp128Decode(benchmark::State& state) {
  const auto values = Values(static_cast<int>(state.range(0)));
  const std::string encoded = EncodeAll(values);
  std::vector<uint32_t> out(codec::kMaxBlockValues);
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(encoded.data());
  const uint8_t* end = begin + encoded.size();
  for (auto _ : state) {
    const uint8_t* p = begin;
    for (size_t b = 0; b < kBlocks; ++b) {
      p = codec::DecodeBlock(p, end, codec::kMaxBlockValues, out.data());
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kInts);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (encoded.size() - 8));
  state.counters["bits_per_int"] = 8.0 * static_cast<double>(encoded.size() - 8) / kInts;
}
BENCHMARK(BM_Bp128Decode)->Arg(1)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Arg(24);

// The ceiling: copying the same encoded bytes (items = the integers they hold).
void BM_MemcpyEncoded(benchmark::State& state) {
  const auto values = Values(static_cast<int>(state.range(0)));
  const std::string encoded = EncodeAll(values);
  const size_t block_bytes = (encoded.size() - 8) / kBlocks;
  std::vector<char> out(block_bytes + 64);
  for (auto _ : state) {
    const char* p = encoded.data();
    for (size_t b = 0; b < kBlocks; ++b, p += block_bytes) {
      std::memcpy(out.data(), p, block_bytes);
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kInts);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (encoded.size() - 8));
}
BENCHMARK(BM_MemcpyEncoded)->Arg(1)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Arg(24);

// Raw uint32 memcpy (what an uncompressed posting list would cost to read).
void BM_MemcpyRaw(benchmark::State& state) {
  const auto values = Values(8);
  std::vector<uint32_t> out(codec::kMaxBlockValues);
  for (auto _ : state) {
    for (size_t b = 0; b < kBlocks; ++b) {
      std::memcpy(out.data(), values.data() + b * codec::kMaxBlockValues, codec::kMaxBlockValues * 4);
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kInts);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kInts * 4);
}
BENCHMARK(BM_MemcpyRaw);

void BM_StreamVByteDecode(benchmark::State& state) {
  const auto values = Values(static_cast<int>(state.range(0)));
  std::vector<uint8_t> encoded(streamvbyte_max_compressedbytes(codec::kMaxBlockValues) * kBlocks);
  std::vector<size_t> offsets;
  size_t at = 0;
  for (size_t b = 0; b < kBlocks; ++b) {
    offsets.push_back(at);
    at += streamvbyte_encode(values.data() + b * codec::kMaxBlockValues, codec::kMaxBlockValues, encoded.data() + at);
  }
  std::vector<uint32_t> out(codec::kMaxBlockValues);
  for (auto _ : state) {
    for (size_t b = 0; b < kBlocks; ++b) {
      streamvbyte_decode(encoded.data() + offsets[b], out.data(), codec::kMaxBlockValues);
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kInts);
  state.counters["bits_per_int"] = 8.0 * static_cast<double>(at) / kInts;
}
BENCHMARK(BM_StreamVByteDecode)->Arg(4)->Arg(8)->Arg(16);

// A real segment: 50k docs, Zipf vocabulary; cursors over the 8 most frequent terms.
struct SegmentFixture {
  SegmentFixture() {
    testing::RandomCorpusOptions o;
    o.num_docs = 50000;
    o.vocabulary = 2000;
    o.max_body_words = 40;
    corpus = std::make_unique<testing::RandomCorpus>(o);
    auto info = testing::BuildRandomGeneration(*corpus, IndexDir(tmp.path()), o.num_docs, {});
    if (!info.ok()) std::abort();
    auto g = Generation::OpenCurrent(IndexDir(tmp.path()), corpus->schema().name);
    if (!g.ok()) std::abort();
    gen = *g;
    // The longest lists.
    std::vector<std::pair<uint32_t, std::string>> by_df;
    const SegmentReader& seg = gen->segment(0);
    for (auto it = seg.terms().Begin(); it.Valid(); it.Next()) by_df.emplace_back(it.doc_freq(), std::string(it.term()));
    std::sort(by_df.rbegin(), by_df.rend());
    for (size_t i = 0; i < 8 && i < by_df.size(); ++i) terms.push_back(by_df[i].second);
  }
  testing::ScopedTempDir tmp{"posting-bench"};
  std::unique_ptr<testing::RandomCorpus> corpus;
  std::shared_ptr<const Generation> gen;
  std::vector<std::string> terms;
};

SegmentFixture& Fixture() {
  static SegmentFixture* f = new SegmentFixture();
  return *f;
}

void BM_CursorNext(benchmark::State& state) {
  SegmentFixture& f = Fixture();
  const SegmentReader& seg = f.gen->segment(0);
  int64_t docs = 0;
  for (auto _ : state) {
    for (const auto& term : f.terms) {
      PostingCursor c = seg.OpenPostings(term);
      for (DocId d = c.doc(); d != kNoMoreDocs; d = c.Next()) {
        benchmark::DoNotOptimize(c.Tf(0));
        ++docs;
      }
    }
  }
  state.SetItemsProcessed(docs);
}
BENCHMARK(BM_CursorNext);

void BM_CursorNextGeq(benchmark::State& state) {
  SegmentFixture& f = Fixture();
  const SegmentReader& seg = f.gen->segment(0);
  const DocId stride = static_cast<DocId>(state.range(0));
  int64_t calls = 0;
  for (auto _ : state) {
    for (const auto& term : f.terms) {
      PostingCursor c = seg.OpenPostings(term);
      for (DocId t = 0; c.NextGeq(t) != kNoMoreDocs; t = c.doc() + stride) ++calls;
    }
  }
  state.SetItemsProcessed(calls);
}
BENCHMARK(BM_CursorNextGeq)->Arg(16)->Arg(1000);

}  // namespace
}  // namespace busca::index

BENCHMARK_MAIN();
