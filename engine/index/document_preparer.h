// DocumentPreparer / PreparedDocument: the per-document half of the inversion, run in parallel
// before GenerationWriter::AddPrepared (see generation_writer.h): validation, analysis, grouping
// the tokens by term and spelling, sorting positions, encoding the stored record. Also
// AnalyzeDocument, the plain validate-and-analyse step. A preparer is one per thread (see below);
// a PreparedDocument is a movable value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/document.h"
#include "engine/index/schema.h"
#include "engine/util/status.h"

namespace busca::index {

class GenerationWriter;

class DocumentPreparer;

// One document analysed and aggregated for GenerationWriter::AddPrepared: its distinct terms with
// their per-text-field tfs and positions, its distinct (term, surface-dictionary key, spelling)
// triples with their counts, its field lengths and its stored record. Built by a
// DocumentPreparer; opaque otherwise. Movable; reusable (Prepare overwrites it).
class PreparedDocument {
 public:
  PreparedDocument();
  ~PreparedDocument();
  PreparedDocument(PreparedDocument&&) noexcept;
  PreparedDocument& operator=(PreparedDocument&&) noexcept;

  const Document& doc() const { return doc_; }

 private:
  friend class DocumentPreparer;
  friend class GenerationWriter;
  struct Text {  // bytes of arena_
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  struct Term {
    Text text;
    uint64_t hash = 0;         // KeyHash of the text
  };
  struct Spelling {
    uint32_t term = 0;         // index into terms_
    uint32_t count = 0;        // occurrences in the document
    Text key;                  // surface-dictionary key: folded surface (the term when empty)
    Text spelling;             // the surface (the key when empty)
    uint64_t key_hash = 0;
    uint64_t spelling_hash = 0;
  };
  std::string_view View(Text t) const { return std::string_view(arena_.data() + t.offset, t.size); }
  Document doc_;
  uint32_t num_fields_ = 0;
  uint32_t num_slots_ = 0;
  uint64_t text_bytes_ = 0;
  std::string arena_;                      // the bytes of every Text
  std::vector<uint32_t> lengths_;          // per text slot: tokens
  std::vector<Term> terms_;                // distinct index terms
  std::vector<uint32_t> positions_end_;    // per term: end of its run in positions_
  std::vector<uint32_t> tfs_;              // terms_.size() x num_slots_
  std::vector<uint32_t> positions_;        // per term: slot-major, ascending within a slot
  std::vector<Spelling> spellings_;
  std::string stored_;                     // AppendStoredRecord of doc_
};

// Turns documents into PreparedDocuments. Not thread-safe (it keeps per-document scratch): one
// per thread, next to that thread's Analyzer. The schema must outlive it.
class DocumentPreparer {
 public:
  explicit DocumentPreparer(const CollectionSchema& schema);
  ~DocumentPreparer();
  DocumentPreparer(const DocumentPreparer&) = delete;
  DocumentPreparer& operator=(const DocumentPreparer&) = delete;

  // Validates `doc` against the schema and analyses its text fields (positions restart at 0 in
  // every field), exactly as AnalyzeDocument does, aggregating the tokens as they come.
  Status Prepare(Document doc, analysis::Analyzer& analyzer, PreparedDocument* out);
  // The same from tokens computed elsewhere (validated as GenerationWriter::Add validates them).
  Status Prepare(AnalyzedDocument&& doc, PreparedDocument* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Validates `doc` against `schema` and runs `analyzer` over its text fields (positions restart at
// 0 in every field). The tokens' byte offsets refer to the field's text.
Result<AnalyzedDocument> AnalyzeDocument(const CollectionSchema& schema, Document doc,
                                         analysis::Analyzer& analyzer);

}  // namespace busca::index
