// Property test of segment merging: a generation whose writer flushed several segments and deleted
// docs in them, merged at Finish (WriterOptions::merge_on_finish), must equal a single-segment
// generation built from the live docs only: byte-identical term dictionary, postings (doc ids,
// tfs, skip tables, block-max bounds), positions, field lengths, columns, external ids and stored
// fields; identical statistics; and a surface dictionary that covers the reference one (exactly
// equal keys, term sets and doc frequencies when nothing was deleted). Also the memory-budget
// path (tiny budget -> many flushes -> one merged segment), all docs deleted, and delete + re-add.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "engine/index/segment_files.h"
#include "engine/index/segment_merger.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

using testing::RandomCorpus;
using testing::RandomCorpusOptions;
using testing::ReferenceSegment;
using testing::ScopedTempDir;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A single-segment generation of `docs` (no flushes, no deletions): the reference.
Result<GenerationInfo> BuildSingleSegment(const CollectionSchema& schema, const IndexDir& dir,
                                          const std::vector<const AnalyzedDocument*>& docs) {
  WriterOptions wo;
  wo.merge_on_finish = false;
  BUSCA_ASSIGN_OR_RETURN(auto writer, GenerationWriter::Create(schema, dir, wo));
  for (const AnalyzedDocument* d : docs) {
    AnalyzedDocument copy = *d;
    BUSCA_RETURN_IF_ERROR(writer->Add(std::move(copy)));
  }
  return writer->Finish();
}

std::set<std::string> TermsOf(const SegmentReader& seg, const std::vector<uint32_t>& ordinals) {
  std::set<std::string> out;
  for (uint32_t o : ordinals) {
    auto it = seg.terms().At(o);
    EXPECT_TRUE(it.Valid()) << "term ordinal " << o;
    if (it.Valid()) out.insert(std::string(it.term()));
  }
  return out;
}

// Compares the merged generation `merged_path` with the reference generation `ref_path`.
void ExpectSameAsReference(const std::filesystem::path& merged_path, const std::filesystem::path& ref_path,
                           const std::vector<const AnalyzedDocument*>& live, const std::vector<std::string>& dead_ids,
                           bool had_deletions) {
  auto merged_or = Generation::Open(merged_path);
  ASSERT_TRUE(merged_or.ok()) << merged_or.status().ToString();
  auto ref_or = Generation::Open(ref_path);
  ASSERT_TRUE(ref_or.ok()) << ref_or.status().ToString();
  const Generation& m = **merged_or;
  const Generation& r = **ref_or;
  ASSERT_EQ(m.num_segments(), 1u);
  ASSERT_EQ(r.num_segments(), 1u);
  ASSERT_EQ(m.max_doc(), live.size());
  ASSERT_EQ(m.live_doc_count(), live.size());
  EXPECT_EQ(m.info().deleted_docs, 0u);
  const SegmentInfo& ms = m.info().segments[0];
  const SegmentInfo& rs = r.info().segments[0];
  EXPECT_EQ(ms.max_doc, rs.max_doc);
  EXPECT_EQ(ms.terms, rs.terms);
  EXPECT_EQ(ms.postings, rs.postings);
  EXPECT_EQ(ms.positions, rs.positions);

  // Byte-identical files: everything but the surface dictionary is a function of the live docs.
  for (const char* suffix : {".terms", ".postings", ".positions", ".lengths", ".columns", ".ids", ".stored", ".deletes"}) {
    std::string name = SegmentPrefix(0) + suffix;
    std::string a = ReadAll(merged_path / name), b = ReadAll(ref_path / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_TRUE(a == b) << name << " differs: " << a.size() << " vs " << b.size() << " bytes";
  }

  // Search-relevant statistics.
  const CollectionSchema& schema = m.schema();
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    EXPECT_EQ(m.FieldLengthSum(f), r.FieldLengthSum(f)) << "field " << f;
    EXPECT_EQ(m.LiveFieldLengthSum(f), r.LiveFieldLengthSum(f)) << "field " << f;
  }
  const SegmentReader& mseg = m.segment(0);
  const SegmentReader& rseg = r.segment(0);
  for (auto it = rseg.terms().Begin(); it.Valid(); it.Next()) {
    EXPECT_EQ(m.DocFreq(it.term()), it.doc_freq()) << it.term();
  }

  // Against the brute-force reference of the live docs: postings, tfs and positions.
  ReferenceSegment ref(schema, live);
  ASSERT_EQ(mseg.terms().size(), ref.postings().size());
  std::vector<uint32_t> positions;
  for (const auto& [term, expected] : ref.postings()) {
    PostingCursor c = mseg.OpenPostings(term);
    ASSERT_EQ(c.doc_freq(), expected.size()) << term;
    for (const auto& p : expected) {
      ASSERT_EQ(c.doc(), p.doc) << term;
      for (size_t s = 0; s < ref.text_fields().size(); ++s) {
        ASSERT_EQ(c.Tf(ref.text_fields()[s]), p.tfs[s]) << term;
        c.Positions(ref.text_fields()[s], &positions);
        ASSERT_EQ(positions, p.positions[s]) << term;
      }
      c.Next();
    }
    EXPECT_EQ(c.doc(), kNoMoreDocs);
  }

  // Surface dictionary: covers the reference; exact without deletions.
  for (const auto& [key, surf] : ref.surfaces()) {
    auto me = mseg.surfaces().Find(key);
    ASSERT_TRUE(me.has_value()) << key;
    std::set<std::string> mterms = TermsOf(mseg, me->term_ordinals);
    for (const auto& t : surf.terms) EXPECT_TRUE(mterms.count(t)) << key << " -> " << t;
    EXPECT_GE(me->doc_freq, surf.docs.size()) << key;
    EXPECT_LE(me->doc_freq, live.size()) << key;
    EXPECT_EQ(testing::FoldForTest(std::string(me->spelling)), key);
    if (!had_deletions) {
      EXPECT_EQ(mterms, surf.terms) << key;
      EXPECT_EQ(me->doc_freq, surf.docs.size()) << key;
      EXPECT_TRUE(surf.spellings.count(std::string(me->spelling))) << key;
    }
  }
  for (auto it = mseg.surfaces().Begin(); it.Valid(); it.Next()) {
    SurfaceEntry e = it.entry();
    EXPECT_FALSE(e.term_ordinals.empty()) << e.folded;
    for (uint32_t o : e.term_ordinals) EXPECT_LT(o, mseg.terms().size()) << e.folded;
  }
  if (!had_deletions) {
    EXPECT_EQ(mseg.surfaces().size(), ref.surfaces().size());
  }

  // Ids and stored fields.
  for (DocId d = 0; d < live.size(); ++d) {
    ASSERT_EQ(mseg.ExternalId(d), live[d]->doc.id);
    auto addr = m.FindExternalId(live[d]->doc.id);
    ASSERT_TRUE(addr.has_value()) << live[d]->doc.id;
    EXPECT_EQ(addr->doc, d);
    auto a = mseg.StoredDocument(d);
    auto b = rseg.StoredDocument(d);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->id, b->id);
    EXPECT_TRUE(a->values == b->values) << live[d]->doc.id;
  }
  for (const auto& id : dead_ids) EXPECT_FALSE(m.FindExternalId(id).has_value()) << id;
}

struct Scenario {
  uint32_t seed;
  uint32_t num_docs;
  uint32_t docs_per_segment;
  uint32_t vocabulary;
  double delete_fraction;
};

class SegmentMergeTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(SegmentMergeTest, MergedEqualsSingleSegmentOfLiveDocs) {
  const Scenario sc = GetParam();
  RandomCorpusOptions opts;
  opts.seed = sc.seed;
  opts.num_docs = sc.num_docs;
  opts.vocabulary = sc.vocabulary;
  RandomCorpus corpus(opts);
  std::mt19937 rng(sc.seed * 13 + 5);
  std::set<uint32_t> deleted;
  for (uint32_t i = 0; i < sc.num_docs; ++i) {
    if (std::uniform_real_distribution<double>(0, 1)(rng) < sc.delete_fraction) deleted.insert(i);
  }
  std::vector<const AnalyzedDocument*> live;
  std::vector<std::string> dead_ids;
  for (uint32_t i = 0; i < sc.num_docs; ++i) {
    if (deleted.count(i)) {
      dead_ids.push_back(corpus.docs()[i].doc.id);
    } else {
      live.push_back(&corpus.docs()[i]);
    }
  }
  ScopedTempDir tmp_merged("merge"), tmp_ref("merge-ref");
  IndexDir merged_dir(tmp_merged.path()), ref_dir(tmp_ref.path());
  WriterOptions wo;
  wo.merge_on_finish = true;
  auto info = testing::BuildRandomGeneration(corpus, merged_dir, sc.docs_per_segment, deleted, wo);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->segments.size(), 1u);
  EXPECT_EQ(info->max_doc, live.size());
  EXPECT_EQ(info->live_docs, live.size());
  EXPECT_EQ(info->deleted_docs, 0u);
  // Only the merged segment's files remain.
  size_t seg_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(merged_dir.GenerationPath(corpus.schema().name, info->id))) {
    std::string name = e.path().filename().string();
    if (name.rfind("seg-", 0) == 0) {
      ++seg_files;
      EXPECT_EQ(name.rfind(SegmentPrefix(0), 0), 0u) << name;
    }
    EXPECT_NE(name, "merge");
  }
  EXPECT_EQ(seg_files, kSegmentFiles.size());
  auto ref_info = BuildSingleSegment(corpus.schema(), ref_dir, live);
  ASSERT_TRUE(ref_info.ok()) << ref_info.status().ToString();
  ExpectSameAsReference(merged_dir.GenerationPath(corpus.schema().name, info->id),
                        ref_dir.GenerationPath(corpus.schema().name, ref_info->id), live, dead_ids, !deleted.empty());
}

INSTANTIATE_TEST_SUITE_P(Corpora, SegmentMergeTest,
                         ::testing::Values(Scenario{1, 700, 300, 300, 0.1},     // 3 segments
                                           Scenario{2, 2000, 450, 1500, 0.05},  // long lists, many blocks
                                           Scenario{3, 260, 129, 50, 0.3},      // block-size edges
                                           Scenario{4, 60, 7, 200, 0.2},        // many tiny segments
                                           Scenario{5, 900, 250, 400, 0.0},     // no deletions: exact surface
                                           Scenario{6, 400, 400, 300, 0.15}));  // one segment + deletions

TEST(SegmentMergeWriterTest, MemoryBudgetFlushesThenMergesIntoOne) {
  RandomCorpus corpus({.seed = 11, .num_docs = 3000});
  ScopedTempDir tmp("merge-budget"), tmp_ref("merge-budget-ref");
  IndexDir dir(tmp.path()), ref_dir(tmp_ref.path());
  WriterOptions wo;
  wo.memory_budget_bytes = 256 * 1024;
  auto writer = GenerationWriter::Create(corpus.schema(), dir, wo);
  ASSERT_TRUE(writer.ok());
  size_t peak = 0;
  for (const auto& d : corpus.docs()) {
    AnalyzedDocument copy = d;
    ASSERT_TRUE((*writer)->Add(std::move(copy)).ok());
    peak = std::max(peak, (*writer)->ApproximateMemoryUsage());
  }
  EXPECT_LE(peak, wo.memory_budget_bytes + 64 * 1024);
  std::vector<std::string> dead;
  std::vector<const AnalyzedDocument*> live;
  for (uint32_t i = 0; i < corpus.docs().size(); ++i) {
    if (i % 17 == 3) {
      ASSERT_TRUE((*writer)->Delete(corpus.docs()[i].doc.id).ok());
      dead.push_back(corpus.docs()[i].doc.id);
    } else {
      live.push_back(&corpus.docs()[i]);
    }
  }
  EXPECT_GE((*writer)->segments_written(), 5u);
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->segments.size(), 1u);
  auto ref = BuildSingleSegment(corpus.schema(), ref_dir, live);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  ExpectSameAsReference(dir.GenerationPath(corpus.schema().name, info->id),
                        ref_dir.GenerationPath(corpus.schema().name, ref->id), live, dead, true);
}

TEST(SegmentMergeWriterTest, AllDocsDeletedLeavesAnEmptyGeneration) {
  RandomCorpus corpus({.seed = 12, .num_docs = 40});
  ScopedTempDir tmp("merge-empty");
  IndexDir dir(tmp.path());
  auto writer = GenerationWriter::Create(corpus.schema(), dir);
  ASSERT_TRUE(writer.ok());
  for (uint32_t i = 0; i < corpus.docs().size(); ++i) {
    AnalyzedDocument copy = corpus.docs()[i];
    ASSERT_TRUE((*writer)->Add(std::move(copy)).ok());
    if (i == 19) {
      ASSERT_TRUE((*writer)->FlushSegment().ok());
    }
  }
  for (const auto& d : corpus.docs()) ASSERT_TRUE((*writer)->Delete(d.doc.id).ok());
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->segments.size(), 0u);
  EXPECT_EQ(info->max_doc, 0u);
  auto gen = Generation::Open(dir.GenerationPath(corpus.schema().name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  EXPECT_EQ((*gen)->max_doc(), 0u);
  EXPECT_FALSE((*gen)->FindExternalId(corpus.docs()[0].doc.id).has_value());
}

TEST(SegmentMergeWriterTest, DeleteThenReAddKeepsTheNewVersion) {
  RandomCorpus corpus({.seed = 13, .num_docs = 30});
  ScopedTempDir tmp("merge-readd");
  IndexDir dir(tmp.path());
  auto writer = GenerationWriter::Create(corpus.schema(), dir);
  ASSERT_TRUE(writer.ok());
  for (uint32_t i = 0; i < 20; ++i) {
    AnalyzedDocument copy = corpus.docs()[i];
    ASSERT_TRUE((*writer)->Add(std::move(copy)).ok());
  }
  ASSERT_TRUE((*writer)->FlushSegment().ok());
  // Update doc 5: delete it and add a new version (the body of doc 25) under the same id.
  ASSERT_TRUE((*writer)->Delete(corpus.docs()[5].doc.id).ok());
  AnalyzedDocument updated = corpus.docs()[25];
  updated.doc.id = corpus.docs()[5].doc.id;
  ASSERT_TRUE((*writer)->Add(std::move(updated)).ok());
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->segments.size(), 1u);
  EXPECT_EQ(info->max_doc, 20u);
  auto gen = Generation::Open(dir.GenerationPath(corpus.schema().name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  auto addr = (*gen)->FindExternalId(corpus.docs()[5].doc.id);
  ASSERT_TRUE(addr.has_value());
  EXPECT_EQ(addr->doc, 19u);  // the re-added version, last
  auto stored = (*gen)->segment(0).StoredDocument(addr->doc);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->values[0] == corpus.docs()[25].doc.values[0]);
}

}  // namespace
}  // namespace busca::index

namespace busca::index {
namespace {

// Measures MergeSegments on a large random corpus; runs only when BUSCA_MERGE_BENCH_DOCS is set
// (e.g. 100000), prints docs/s. Not a unit test; a measurement kept runnable.
TEST(SegmentMergeBench, MergeThroughput) {
  const char* env = std::getenv("BUSCA_MERGE_BENCH_DOCS");
  if (env == nullptr) GTEST_SKIP() << "set BUSCA_MERGE_BENCH_DOCS=<n> to measure merge speed";
  const uint32_t n = static_cast<uint32_t>(std::strtoul(env, nullptr, 10));
  RandomCorpus corpus({.seed = 21, .num_docs = n, .vocabulary = 20000});
  std::set<uint32_t> deleted;
  for (uint32_t i = 0; i < n; i += 20) deleted.insert(i);
  ScopedTempDir tmp("merge-bench");
  IndexDir dir(tmp.path());
  WriterOptions wo;
  wo.merge_on_finish = false;
  auto info = testing::BuildRandomGeneration(corpus, dir, std::max<uint32_t>(1, n / 8), deleted, wo);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto gen = Generation::Open(dir.GenerationPath(corpus.schema().name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  std::vector<const SegmentReader*> inputs;
  for (const auto& s : (*gen)->segments()) inputs.push_back(s.get());
  std::filesystem::path out = tmp.path() / "out";
  std::filesystem::create_directories(out);
  auto start = std::chrono::steady_clock::now();
  auto merged = MergeSegments((*gen)->schema(), inputs, out, 0);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  uint64_t bytes = 0;
  for (const auto& f : merged->files) bytes += f.size;
  std::printf("merged %zu segments, %u docs (%zu deleted) -> %u docs, %lu terms, %lu postings, %.1f MiB in %.2f s "
              "(%.0f docs/s)\n",
              inputs.size(), n, deleted.size(), merged->info.max_doc, static_cast<unsigned long>(merged->info.terms),
              static_cast<unsigned long>(merged->info.postings), bytes / 1048576.0, secs, n / secs);
}

}  // namespace
}  // namespace busca::index
