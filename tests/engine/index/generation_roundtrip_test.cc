// Property test: everything a GenerationWriter writes reads back exactly, compared with a
// brute-force inverted index of random corpora (several segments, deletions in earlier segments
// and in the in-memory one): term dictionary + prefix iteration, postings (Next and NextGeq),
// per-field tfs, positions, block-max bounds, field lengths and sums, surface dictionary,
// columns, stored fields, external ids.
#include <gtest/gtest.h>

#include <random>

#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

using testing::RandomCorpus;
using testing::RandomCorpusOptions;
using testing::ReferencePosting;
using testing::ReferenceSegment;
using testing::ScopedTempDir;

struct Scenario {
  uint32_t seed;
  uint32_t num_docs;
  uint32_t docs_per_segment;
  uint32_t vocabulary;
  double delete_fraction;
};

class RoundTripTest : public ::testing::TestWithParam<Scenario> {};

// The combined BM25F tf~ of one posting under the segment's stored block-scoring parameters,
// the brute-force way.
double ReferenceTfTilde(const SegmentReader& seg, const ReferenceSegment& ref, const ReferencePosting& p) {
  const BlockScoring& bs = seg.block_scoring();
  double tf_tilde = 0;
  for (size_t s = 0; s < ref.text_fields().size(); ++s) {
    if (p.tfs[s] == 0) continue;
    const double norm = 1.0 - kBm25B + kBm25B * ref.length(p.doc, s) / bs.avg_lengths[s];
    tf_tilde += bs.weights[s] * p.tfs[s] / norm;
  }
  return tf_tilde;
}

// A stored tf~ bound: never below the exact maximum, and tight (float rounding plus a 1e-6 margin).
void ExpectTightBound(float stored, double exact) {
  ASSERT_GE(static_cast<double>(stored), exact);
  ASSERT_LE(static_cast<double>(stored), exact * (1 + 1e-5) + 1e-30);
}

void CheckPostingList(const SegmentReader& seg, const ReferenceSegment& ref, const std::string& term,
                      const std::vector<ReferencePosting>& expected, std::mt19937& rng) {
  SCOPED_TRACE("segment " + std::to_string(seg.id()) + " term \"" + term + "\"");
  const size_t T = ref.text_fields().size();
  double term_tf_tilde = 0;
  for (const auto& p : expected) term_tf_tilde = std::max(term_tf_tilde, ReferenceTfTilde(seg, ref, p));
  ExpectTightBound(seg.OpenPostings(term).TermTfTilde(), term_tf_tilde);
  // Full iteration with tfs, positions, and block bounds checked against the docs of each block.
  PostingCursor c = seg.OpenPostings(term);
  ASSERT_EQ(c.doc_freq(), expected.size());
  std::vector<uint32_t> positions;
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(c.doc(), expected[i].doc) << "at index " << i;
    for (size_t s = 0; s < T; ++s) {
      size_t field = ref.text_fields()[s];
      ASSERT_EQ(c.Tf(field), expected[i].tfs[s]);
      c.Positions(field, &positions);
      ASSERT_EQ(positions, expected[i].positions[s]);
    }
    if (i % kPostingBlockSize == 0) {
      // Window on the block of this doc: bounds must equal the exact max tf / min length.
      c.ShallowAdvance(c.doc());
      size_t end = std::min(expected.size(), i + kPostingBlockSize);
      ASSERT_EQ(c.BlockLastDoc(), expected[end - 1].doc);
      for (size_t s = 0; s < T; ++s) {
        uint32_t max_tf = 0, min_len = 0;
        for (size_t k = i; k < end; ++k) {
          if (expected[k].tfs[s] == 0) continue;
          max_tf = std::max(max_tf, expected[k].tfs[s]);
          uint32_t len = ref.length(expected[k].doc, s);
          min_len = min_len == 0 ? len : std::min(min_len, len);
        }
        FieldBound b = c.BlockBound(ref.text_fields()[s]);
        ASSERT_EQ(b.max_tf, max_tf);
        ASSERT_EQ(b.min_length, min_len);
      }
      double block_tf_tilde = 0;
      for (size_t k = i; k < end; ++k) block_tf_tilde = std::max(block_tf_tilde, ReferenceTfTilde(seg, ref, expected[k]));
      ExpectTightBound(c.BlockTfTilde(), block_tf_tilde);
    }
    c.Next();
  }
  ASSERT_EQ(c.doc(), kNoMoreDocs);
  ASSERT_EQ(c.Next(), kNoMoreDocs);
  // Term bound = bound over all docs.
  for (size_t s = 0; s < T; ++s) {
    uint32_t max_tf = 0, min_len = 0;
    for (const auto& p : expected) {
      if (p.tfs[s] == 0) continue;
      max_tf = std::max(max_tf, p.tfs[s]);
      uint32_t len = ref.length(p.doc, s);
      min_len = min_len == 0 ? len : std::min(min_len, len);
    }
    ASSERT_EQ(c.TermBound(ref.text_fields()[s]).max_tf, max_tf);
    ASSERT_EQ(c.TermBound(ref.text_fields()[s]).min_length, min_len);
  }
  // NextGeq with random increasing targets, interleaved with Next and ShallowAdvance.
  PostingCursor g = seg.OpenPostings(term);
  DocId target = 0;
  std::uniform_int_distribution<uint32_t> step(0, std::max<uint32_t>(1, seg.max_doc() / 8));
  while (true) {
    target += step(rng);
    auto it = std::lower_bound(expected.begin(), expected.end(), target,
                               [](const ReferencePosting& p, DocId t) { return p.doc < t; });
    // ShallowAdvance never moves doc() and reports the block holding the first doc >= target.
    DocId before = g.doc();
    g.ShallowAdvance(target);
    ASSERT_EQ(g.doc(), before);
    if (it == expected.end()) {
      ASSERT_EQ(g.BlockLastDoc(), kNoMoreDocs);
    } else {
      ASSERT_GE(g.BlockLastDoc(), it->doc);
    }
    DocId got = g.NextGeq(target);
    if (it == expected.end()) {
      ASSERT_EQ(got, kNoMoreDocs);
      break;
    }
    // Targets only grow, so the first doc >= target is also where a cursor that stayed is.
    ASSERT_EQ(got, it->doc);
    for (size_t s = 0; s < T; ++s) ASSERT_EQ(g.Tf(ref.text_fields()[s]), it->tfs[s]);
    if (rng() % 3 == 0) {
      DocId n = g.Next();
      auto next = it + 1;
      ASSERT_EQ(n, next == expected.end() ? kNoMoreDocs : next->doc);
      if (n == kNoMoreDocs) break;
      target = n;
    }
  }
}

TEST_P(RoundTripTest, EverythingReadsBack) {
  const Scenario sc = GetParam();
  RandomCorpusOptions opts;
  opts.seed = sc.seed;
  opts.num_docs = sc.num_docs;
  opts.vocabulary = sc.vocabulary;
  RandomCorpus corpus(opts);
  std::mt19937 rng(sc.seed * 7 + 1);
  std::set<uint32_t> deleted;
  for (uint32_t i = 0; i < sc.num_docs; ++i) {
    if (std::uniform_real_distribution<double>(0, 1)(rng) < sc.delete_fraction) deleted.insert(i);
  }
  ScopedTempDir tmp("roundtrip");
  IndexDir dir(tmp.path());
  auto info = testing::BuildRandomGeneration(corpus, dir, sc.docs_per_segment, deleted);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const uint32_t expected_segments = (sc.num_docs + sc.docs_per_segment - 1) / sc.docs_per_segment;
  ASSERT_EQ(info->segments.size(), expected_segments);
  ASSERT_GE(info->segments.size(), 2u);
  ASSERT_EQ(info->max_doc, sc.num_docs);
  ASSERT_EQ(info->deleted_docs, deleted.size());
  ASSERT_FALSE(deleted.empty());

  auto gen_or = Generation::OpenCurrent(dir, corpus.schema().name);
  ASSERT_TRUE(gen_or.ok()) << gen_or.status().ToString();
  const Generation& gen = **gen_or;
  ASSERT_EQ(gen.num_segments(), expected_segments);
  ASSERT_EQ(gen.max_doc(), sc.num_docs);
  ASSERT_EQ(gen.live_doc_count(), sc.num_docs - deleted.size());
  const CollectionSchema& schema = gen.schema();
  ASSERT_EQ(SchemaToJson(schema), SchemaToJson(corpus.schema()));

  std::vector<uint64_t> field_sums(schema.fields.size(), 0), live_sums(schema.fields.size(), 0);
  for (uint32_t s = 0; s < gen.num_segments(); ++s) {
    const SegmentReader& seg = gen.segment(s);
    const uint32_t first = s * sc.docs_per_segment;
    const uint32_t n = std::min(sc.docs_per_segment, sc.num_docs - first);
    ASSERT_EQ(seg.max_doc(), n);
    std::vector<const AnalyzedDocument*> docs;
    for (uint32_t i = 0; i < n; ++i) docs.push_back(&corpus.docs()[first + i]);
    ReferenceSegment ref(schema, docs);

    // Block scoring parameters: the schema's weights, the averages over this segment's docs.
    const BlockScoring& bs = seg.block_scoring();
    ASSERT_TRUE(bs.enabled());
    ASSERT_EQ(bs.weights.size(), ref.text_fields().size());
    for (size_t slot = 0; slot < ref.text_fields().size(); ++slot) {
      ASSERT_EQ(bs.weights[slot], schema.fields[ref.text_fields()[slot]].weight);
      uint64_t sum = 0;
      for (uint32_t i = 0; i < n; ++i) sum += ref.length(i, slot);
      ASSERT_EQ(bs.avg_lengths[slot], static_cast<double>(sum) / n);
    }

    // Deleted set.
    for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(seg.IsLive(i), !deleted.count(first + i)) << "doc " << i;
    ASSERT_FALSE(seg.IsLive(n));

    // Term dictionary: same keys in order, doc freqs, ordinals.
    ASSERT_EQ(seg.terms().size(), ref.postings().size());
    {
      auto it = seg.terms().Begin();
      uint32_t ord = 0;
      for (const auto& [term, list] : ref.postings()) {
        ASSERT_TRUE(it.Valid());
        ASSERT_EQ(it.term(), term);
        ASSERT_EQ(it.ordinal(), ord);
        ASSERT_EQ(it.doc_freq(), list.size());
        ASSERT_EQ(seg.DocFreq(term), list.size());
        auto at = seg.terms().At(ord);
        ASSERT_EQ(at.term(), term);
        it.Next();
        ++ord;
      }
      ASSERT_FALSE(it.Valid());
      ASSERT_FALSE(seg.terms().Find("zzzz-not-a-term").has_value());
      ASSERT_EQ(seg.DocFreq("zzzz-not-a-term"), 0u);
      ASSERT_TRUE(seg.OpenPostings("zzzz-not-a-term").empty());
      ASSERT_EQ(seg.OpenPostings("zzzz-not-a-term").doc(), kNoMoreDocs);
    }
    // Prefix iteration: every 1- and 2-letter prefix of every term gives exactly the matching keys.
    std::set<std::string> prefixes{""};
    for (const auto& [term, list] : ref.postings()) {
      prefixes.insert(term.substr(0, 1));
      prefixes.insert(term.substr(0, 2));
      prefixes.insert(term + "\x01");
    }
    for (const std::string& prefix : prefixes) {
      std::vector<std::string> got, want;
      for (auto it = seg.terms().Seek(prefix); it.Valid() && it.term().starts_with(prefix); it.Next()) {
        got.emplace_back(it.term());
      }
      for (auto it = ref.postings().lower_bound(prefix); it != ref.postings().end() && it->first.starts_with(prefix);
           ++it) {
        want.push_back(it->first);
      }
      ASSERT_EQ(got, want) << "prefix \"" << prefix << "\"";
    }
    // Postings.
    for (const auto& [term, list] : ref.postings()) CheckPostingList(seg, ref, term, list, rng);

    // Surface dictionary.
    ASSERT_EQ(seg.surfaces().size(), ref.surfaces().size());
    {
      auto it = seg.surfaces().Begin();
      for (const auto& [folded, surf] : ref.surfaces()) {
        ASSERT_TRUE(it.Valid());
        ASSERT_EQ(it.folded(), folded);
        SurfaceEntry e = it.entry();
        ASSERT_EQ(e.doc_freq, surf.docs.size());
        ASSERT_EQ(e.spelling, surf.MostFrequentSpelling());
        std::set<std::string> terms;
        for (uint32_t ord : e.term_ordinals) terms.insert(std::string(seg.terms().At(ord).term()));
        ASSERT_EQ(terms, surf.terms);
        auto found = seg.surfaces().Find(folded);
        ASSERT_TRUE(found.has_value());
        ASSERT_EQ(found->term_ordinals, e.term_ordinals);
        it.Next();
      }
      ASSERT_FALSE(it.Valid());
    }

    // Lengths and sums.
    for (size_t slot = 0; slot < ref.text_fields().size(); ++slot) {
      size_t field = ref.text_fields()[slot];
      uint64_t sum = 0, live = 0;
      for (DocId d = 0; d < n; ++d) {
        ASSERT_EQ(seg.FieldLength(d, field), ref.length(d, slot));
        sum += ref.length(d, slot);
        if (seg.IsLive(d)) live += ref.length(d, slot);
      }
      ASSERT_EQ(seg.FieldLengthSum(field), sum);
      ASSERT_EQ(seg.LiveFieldLengthSum(field), live);
      field_sums[field] += sum;
      live_sums[field] += live;
    }

    // Columns, ids, stored fields.
    for (DocId d = 0; d < n; ++d) {
      const Document& doc = docs[d]->doc;
      ASSERT_EQ(seg.ExternalId(d), doc.id);
      ASSERT_EQ(seg.FindExternalId(doc.id), std::optional<DocId>(d));
      for (size_t f = 0; f < schema.fields.size(); ++f) {
        const FieldSpec& spec = schema.fields[f];
        const FieldValue& v = doc.values[f];
        switch (spec.type) {
          case FieldType::kText:
            ASSERT_EQ(seg.keyword_column(f), nullptr);
            ASSERT_EQ(seg.numeric_column(f), nullptr);
            break;
          case FieldType::kKeyword: {
            const KeywordColumn* col = seg.keyword_column(f);
            ASSERT_NE(col, nullptr);
            ASSERT_EQ(col->multi(), spec.multi);
            std::set<std::string> want;
            if (auto* vals = std::get_if<std::vector<std::string>>(&v)) want.insert(vals->begin(), vals->end());
            std::set<std::string> got;
            uint32_t prev = 0;
            bool first_ord = true;
            for (uint32_t ord : col->Ordinals(d)) {
              ASSERT_TRUE(first_ord || ord > prev) << "ordinals ascending and distinct";
              first_ord = false;
              prev = ord;
              got.insert(col->Value(ord));
              ASSERT_EQ(col->FindOrdinal(col->Value(ord)), std::optional<uint32_t>(ord));
            }
            ASSERT_EQ(got, want);
            break;
          }
          default: {
            const NumericColumn* col = seg.numeric_column(f);
            ASSERT_NE(col, nullptr);
            std::optional<int64_t> want;
            if (auto* i = std::get_if<int64_t>(&v)) want = *i;
            if (auto* b = std::get_if<bool>(&v)) want = *b ? 1 : 0;
            ASSERT_EQ(col->Get(d), want);
            if (want) {
              ASSERT_LE(col->min_value(), *want);
              ASSERT_GE(col->max_value(), *want);
            }
          }
        }
      }
      auto stored = seg.StoredDocument(d);
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      ASSERT_EQ(stored->id, doc.id);
      for (size_t f = 0; f < schema.fields.size(); ++f) {
        if (schema.fields[f].stored) {
          ASSERT_EQ(stored->values[f], doc.values[f]) << "field " << schema.fields[f].name << " doc " << doc.id;
        } else {
          ASSERT_TRUE(std::holds_alternative<std::monostate>(stored->values[f]));
        }
      }
    }
    ASSERT_FALSE(seg.FindExternalId("nope").has_value());
  }
  // Generation-wide lookups.
  for (uint32_t i = 0; i < sc.num_docs; ++i) {
    auto addr = gen.FindExternalId(corpus.docs()[i].doc.id);
    if (deleted.count(i)) {
      ASSERT_FALSE(addr.has_value());
    } else {
      ASSERT_TRUE(addr.has_value());
      ASSERT_EQ(addr->segment, i / sc.docs_per_segment);
      ASSERT_EQ(addr->doc, i % sc.docs_per_segment);
    }
  }
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    ASSERT_EQ(gen.FieldLengthSum(f), field_sums[f]);
    ASSERT_EQ(gen.LiveFieldLengthSum(f), live_sums[f]);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpora, RoundTripTest,
                         ::testing::Values(Scenario{1, 700, 300, 300, 0.1},     // 3 segments
                                           Scenario{2, 2000, 1200, 1500, 0.05},  // long lists, many blocks
                                           Scenario{3, 260, 129, 50, 0.3},      // block-size edges
                                           Scenario{4, 50, 7, 2000, 0.2}));     // many tiny segments

TEST(GenerationWriterTest, DuplicateIdsAndDeletes) {
  RandomCorpusOptions opts;
  opts.num_docs = 10;
  RandomCorpus corpus(opts);
  ScopedTempDir tmp("writer");
  IndexDir dir(tmp.path());
  auto writer = GenerationWriter::Create(corpus.schema(), dir, {.merge_on_finish = false});
  ASSERT_TRUE(writer.ok());
  AnalyzedDocument a = corpus.docs()[0];
  ASSERT_TRUE((*writer)->Add(std::move(a)).ok());
  AnalyzedDocument dup = corpus.docs()[0];
  Status st = (*writer)->Add(std::move(dup));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("doc_0000000"), std::string::npos);
  EXPECT_EQ((*writer)->Delete("missing").code(), StatusCode::kNotFound);
  ASSERT_TRUE((*writer)->Delete("doc_0000000").ok());
  EXPECT_EQ((*writer)->Delete("doc_0000000").code(), StatusCode::kNotFound);
  // Re-adding after a delete replaces it.
  AnalyzedDocument again = corpus.docs()[0];
  ASSERT_TRUE((*writer)->Add(std::move(again)).ok());
  // Tokens on a non-text field are refused.
  AnalyzedDocument bad = corpus.docs()[1];
  bad.field_tokens[2].push_back(testing::RandomCorpus::MakeToken("x", 0, false));
  EXPECT_EQ((*writer)->Add(std::move(bad)).code(), StatusCode::kInvalidArgument);
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->max_doc, 2u);
  EXPECT_EQ(info->live_docs, 1u);
  auto gen = Generation::Open(dir.GenerationPath(corpus.schema().name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  auto addr = (*gen)->FindExternalId("doc_0000000");
  ASSERT_TRUE(addr.has_value());
  EXPECT_EQ(addr->doc, 1u);
  EXPECT_EQ((*writer)->Finish().status().code(), StatusCode::kFailedPrecondition);
}

TEST(GenerationWriterTest, MemoryBudgetFlushesSegments) {
  RandomCorpusOptions opts;
  opts.num_docs = 3000;
  RandomCorpus corpus(opts);
  ScopedTempDir tmp("budget");
  IndexDir dir(tmp.path());
  WriterOptions wo;
  wo.memory_budget_bytes = 512 * 1024;
  wo.merge_on_finish = false;
  auto writer = GenerationWriter::Create(corpus.schema(), dir, wo);
  ASSERT_TRUE(writer.ok());
  size_t peak = 0;
  for (const auto& d : corpus.docs()) {
    AnalyzedDocument copy = d;
    ASSERT_TRUE((*writer)->Add(std::move(copy)).ok());
    peak = std::max(peak, (*writer)->ApproximateMemoryUsage());
  }
  EXPECT_LE(peak, wo.memory_budget_bytes + 64 * 1024);
  EXPECT_GT(peak, wo.memory_budget_bytes / 2);
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_GE(info->segments.size(), 3u);
  auto gen = Generation::Open(dir.GenerationPath(corpus.schema().name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  EXPECT_EQ((*gen)->max_doc(), 3000u);
  uint64_t df = 0;
  for (const auto& seg : (*gen)->segments()) df += seg->DocFreq(corpus.docs()[0].field_tokens[0].empty() ? "" : corpus.docs()[0].field_tokens[0][0].term);
  EXPECT_EQ((*gen)->DocFreq(corpus.docs()[0].field_tokens[0].empty() ? "" : corpus.docs()[0].field_tokens[0][0].term), df);
}

TEST(GenerationWriterTest, EmptyGenerationOpens) {
  ScopedTempDir tmp("empty");
  IndexDir dir(tmp.path());
  auto schema = testing::RandomCorpusSchema();
  auto writer = GenerationWriter::Create(schema, dir);
  ASSERT_TRUE(writer.ok());
  auto info = (*writer)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->segments.size(), 0u);
  auto gen = Generation::Open(dir.GenerationPath(schema.name, info->id));
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  EXPECT_EQ((*gen)->max_doc(), 0u);
  EXPECT_FALSE((*gen)->FindExternalId("x").has_value());
}

TEST(GenerationWriterTest, AbandonedWriterRemovesTempDir) {
  ScopedTempDir tmp("abandon");
  IndexDir dir(tmp.path());
  auto schema = testing::RandomCorpusSchema();
  {
    auto writer = GenerationWriter::Create(schema, dir);
    ASSERT_TRUE(writer.ok());
    RandomCorpus corpus({.num_docs = 5});
    AnalyzedDocument d = corpus.docs()[0];
    ASSERT_TRUE((*writer)->Add(std::move(d)).ok());
    ASSERT_TRUE((*writer)->FlushSegment().ok());
  }
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.CollectionPath(schema.name))) ++entries;
  EXPECT_EQ(entries, 0u);
}

}  // namespace
}  // namespace busca::index
