// What a phrase accelerator would cost on disk (issue #5): the size of positionless pair lists,
// one per ordered pair of the segment's N most frequent terms that occur next to each other in a
// field, each list the docs holding that pair as bp128 doc gaps (the postings' own codec, no
// tfs, no skip table: a lower bound of what such lists would take). A phrase of frequent words
// ("com nosso pão") could then intersect its pairs' lists instead of verifying positions on
// every doc holding all its words. Prints the lists' bytes beside the segment's indexed text and
// its term dictionary + postings + positions.
//
//   build/bin/pair_list_size --generation DIR [--top 20,40,80] [--show 10]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/index/generation.h"
#include "engine/index/generation_info.h"
#include "engine/index/posting_codec.h"
#include "engine/index/segment_reader.h"

namespace busca::index {
namespace {

// Bytes of `docs` (ascending) as the postings store doc ids: bp128 arrays of the gaps.
size_t DocGapBytes(const std::vector<DocId>& docs) {
  std::vector<uint32_t> gaps;
  gaps.reserve(docs.size());
  DocId previous = ~DocId{0};  // the first gap is the doc itself
  for (DocId d : docs) {
    gaps.push_back(d - previous - 1);
    previous = d;
  }
  size_t bytes = 0;
  for (size_t i = 0; i < gaps.size(); i += codec::kMaxBlockValues) {
    bytes += codec::EncodedSize(gaps.data() + i, std::min(codec::kMaxBlockValues, gaps.size() - i));
  }
  return bytes;
}

struct PairLists {
  std::vector<std::string> terms;                   // the frequent terms, by rank
  std::map<uint32_t, std::vector<DocId>> docs;      // (left rank << 16 | right rank) -> docs
  size_t bytes = 0;
};

// The pair lists of the `top` most frequent terms of `segment`.
PairLists BuildPairLists(const SegmentReader& segment, size_t top) {
  std::vector<std::pair<uint32_t, uint32_t>> by_freq;  // (doc_freq, ordinal)
  for (auto it = segment.terms().Begin(); it.Valid(); it.Next()) by_freq.emplace_back(it.doc_freq(), it.ordinal());
  std::sort(by_freq.rbegin(), by_freq.rend());
  by_freq.resize(std::min(by_freq.size(), std::min<size_t>(top, 0xffff)));

  PairLists out;
  // Per doc, every occurrence of a frequent term: (slot << 48 | position << 16 | rank).
  std::vector<std::vector<uint64_t>> occurrences(segment.max_doc());
  const auto slots = static_cast<uint32_t>(segment.text_fields().size());
  for (size_t rank = 0; rank < by_freq.size(); ++rank) {
    out.terms.emplace_back(segment.terms().At(by_freq[rank].second).term());
    PostingCursor c = segment.OpenPostings(by_freq[rank].second);
    for (; c.doc() != kNoMoreDocs; c.Next()) {
      for (uint32_t s = 0; s < slots; ++s) {
        for (uint32_t p : c.PositionsBySlot(s)) {
          occurrences[c.doc()].push_back(uint64_t{s} << 48 | uint64_t{p} << 16 | rank);
        }
      }
    }
  }
  std::vector<uint32_t> pairs;
  for (DocId d = 0; d < segment.max_doc(); ++d) {
    std::vector<uint64_t>& occ = occurrences[d];
    std::sort(occ.begin(), occ.end());
    pairs.clear();
    for (size_t i = 0; i + 1 < occ.size(); ++i) {
      if ((occ[i] >> 16) + 1 != occ[i + 1] >> 16) continue;  // not the next position of the same field
      pairs.push_back(static_cast<uint32_t>((occ[i] & 0xffff) << 16 | (occ[i + 1] & 0xffff)));
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    for (uint32_t p : pairs) out.docs[p].push_back(d);
    std::vector<uint64_t>().swap(occ);
  }
  for (const auto& [pair, docs] : out.docs) out.bytes += DocGapBytes(docs);
  return out;
}

int Run(const std::filesystem::path& dir, const std::vector<size_t>& tops, size_t show) {
  Result<std::shared_ptr<const Generation>> generation = Generation::Open(dir);
  if (!generation.ok()) {
    std::fprintf(stderr, "pair_list_size: %s\n", generation.status().ToString().c_str());
    return 1;
  }
  const SizeBreakdown size = ComputeSizeBreakdown((*generation)->info());
  const uint64_t text = size.indexed_text_bytes;
  const uint64_t inverted = size.term_dictionary + size.postings + size.positions;
  std::printf("%s: %llu docs, indexed text %.1f MB, dictionary + postings + positions %.1f MB (%.1f%%)\n",
              dir.c_str(), static_cast<unsigned long long>((*generation)->info().max_doc), text / 1e6,
              inverted / 1e6, 100.0 * size.InvertedRatio());
  for (size_t top : tops) {
    for (size_t i = 0; i < (*generation)->num_segments(); ++i) {
      PairLists lists = BuildPairLists((*generation)->segment(i), top);
      std::printf("segment %zu, top %zu terms: %zu pair lists, %.1f KB = %.2f%% of the text\n", i, top,
                  lists.docs.size(), lists.bytes / 1e3, 100.0 * lists.bytes / text);
      std::vector<std::pair<size_t, uint32_t>> largest;
      for (const auto& [pair, docs] : lists.docs) largest.emplace_back(docs.size(), pair);
      std::sort(largest.rbegin(), largest.rend());
      for (size_t k = 0; k < std::min(show, largest.size()); ++k) {
        std::printf("  %-12s %-12s %zu docs\n", lists.terms[largest[k].second >> 16].c_str(),
                    lists.terms[largest[k].second & 0xffff].c_str(), largest[k].first);
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace busca::index

int main(int argc, char** argv) {
  CLI::App app{"Size of positionless pair lists of a generation's most frequent terms"};
  std::string generation;
  std::vector<size_t> tops = {20, 40, 80};
  size_t show = 10;
  app.add_option("--generation", generation, "A generation directory (e.g. INDEX/posts/gen-000001)")->required();
  app.add_option("--top", tops, "Numbers of most frequent terms whose pairs get lists")->delimiter(',');
  app.add_option("--show", show, "Largest lists to print per size");
  CLI11_PARSE(app, argc, argv);
  return busca::index::Run(generation, tops, show);
}
