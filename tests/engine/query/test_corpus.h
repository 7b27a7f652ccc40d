// Random Portuguese-like corpora for the engine/query tests: two collections with different
// schemas, written with index::GenerationWriter into a temp index dir as several segments with
// deletions (and re-added ids), plus the same documents as ReferenceEvaluator input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/index/schema.h"
#include "engine/query/searcher.h"
#include "tests/engine/query/reference_evaluator.h"

namespace busca::query::testing {

// Removes the directory on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The words the generator draws from (Zipf-weighted, accented and unaccented spellings,
// inflections of the same stems, stopwords).
const std::vector<std::string>& CorpusVocabulary();

// "products": name (text, w 3, stored), description (text, w 1, stored), category (keyword),
// tags (keyword multi), price (number scale 2), verified (boolean), created_at (timestamp).
index::CollectionSchema ProductsSchema();
// "posts": title (text, w 2.5, stored), content (text, w 1, stored), category (keyword),
// price (number scale 0).
index::CollectionSchema PostsSchema();

struct CorpusOptions {
  uint32_t docs_per_collection = 400;
  uint32_t segments = 3;            // flushes while adding (>= 2)
  double delete_fraction = 0.12;    // of the docs added
  uint64_t seed = 1;
  // Merge each collection into one segment at Finish() (the production default: the segment then
  // carries per-block tf~ bounds the searcher can use); false keeps the segments and deletions.
  bool merge = false;
};

struct BuiltCorpus {
  std::vector<RefCollection> collections;
  std::shared_ptr<const Searcher> searcher;
};

// Generates, indexes (GenerationWriter, several segments, deletions) and opens the corpus.
Result<BuiltCorpus> BuildCorpus(const std::filesystem::path& index_dir, const CorpusOptions& options);

// Writes explicit documents (one collection) as `segments` segments, deleting `deleted_ids`.
Result<std::shared_ptr<const index::Generation>> WriteCollection(const std::filesystem::path& index_dir,
                                                                 const index::CollectionSchema& schema,
                                                                 const std::vector<index::Document>& docs,
                                                                 uint32_t segments,
                                                                 const std::vector<std::string>& deleted_ids);

// Random text of `words` words drawn from the vocabulary.
std::string RandomText(std::mt19937_64& rng, int words);

}  // namespace busca::query::testing
