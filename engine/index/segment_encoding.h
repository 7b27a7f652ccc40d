// Internal: the encoders of a segment's files shared by GenerationWriter (which inverts documents
// in memory) and the segment merger (which streams existing segments into a new one): posting
// lists with positions and block-max data (.postings/.positions/.terms), surface dictionary
// payloads, field lengths, columns, external ids and stored-field records and blocks. The bytes
// are described in engine/FORMAT.md. Not thread-safe; one writer per segment being written.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <roaring/roaring.hh>

#include "engine/index/block_scoring.h"
#include "engine/index/document.h"
#include "engine/index/file_format.h"
#include "engine/index/generation_info.h"
#include "engine/index/posting_cursor.h"
#include "engine/index/schema.h"
#include "engine/index/sorted_table_builder.h"
#include "engine/util/status.h"

namespace busca::index {

// The postings of one term in one segment, docs ascending.
struct TermPostings {
  std::vector<uint32_t> docs;
  std::vector<uint32_t> tfs;        // num_slots per doc
  std::vector<uint32_t> positions;  // per doc: slot-major, ascending within a slot
};

// Writes seg-<prefix>.postings, .positions and .terms, one term at a time in term order.
class PostingsWriter {
 public:
  // Length of text slot `slot` of `doc` (for the block-max bounds).
  using LengthFn = std::function<uint32_t(uint32_t doc, uint32_t slot)>;
  // With `scoring` enabled (one weight and average length per slot), every block and term also
  // gets its max combined tf~ (block_scoring.h); the parameters go into the .postings header.
  static Result<std::unique_ptr<PostingsWriter>> Create(const std::filesystem::path& dir,
                                                        const std::string& prefix, uint32_t num_slots,
                                                        BlockScoring scoring = {});
  // REQUIRES: term > the previous term; p.docs non-empty and ascending.
  Status Add(std::string_view term, const TermPostings& p, const LengthFn& length);
  uint32_t terms() const { return dict_.size(); }
  // Finishes the three files and appends their manifest entries to *files.
  Status Finish(std::vector<FileInfo>* files);

 private:
  PostingsWriter() = default;
  uint32_t num_slots_ = 0;
  std::filesystem::path dir_;
  std::string prefix_;
  std::unique_ptr<FileWriter> post_, pos_;
  SortedTableBuilder dict_;
  std::string skip_, blocks_, posbuf_, payload_;
  std::vector<uint32_t> tmp_, pos_values_;
  std::vector<FieldBound> block_bound_, term_bound_;
  BlockScoring scoring_;
};

// BlockScoring of a segment being written: the schema's weights of the text slots and the
// average slot lengths over its `max_doc` docs (lengths[slot][doc]).
BlockScoring MakeBlockScoring(const CollectionSchema& schema, const std::vector<size_t>& text_fields,
                              uint32_t max_doc, const std::vector<std::vector<uint32_t>>& lengths);

// Keyword values of one field being written: provisional ids, per-doc lists.
struct KeywordAcc {
  std::unordered_map<std::string, uint32_t> ids;  // value -> provisional id
  std::vector<std::string> values;                // provisional id -> value
  std::vector<uint32_t> offsets{0};               // per doc into vals
  std::vector<uint32_t> vals;                     // provisional ids
};

struct NumericAcc {
  std::vector<int64_t> values;
  std::vector<uint8_t> present;
};

struct StoredBlock {
  uint32_t first_doc = 0;
  uint32_t num_docs = 0;
  uint64_t offset = 0;
  uint32_t compressed_size = 0;
  uint32_t raw_size = 0;
};

void PutString(std::string* out, std::string_view s);

// Payload of one surface dictionary entry. REQUIRES: sorted_ordinals ascending, distinct.
std::string EncodeSurfacePayload(uint32_t doc_freq, std::string_view spelling,
                                 const std::vector<uint32_t>& sorted_ordinals);
// Body of .lengths: lengths[slot][doc].
std::string EncodeLengthsBody(uint32_t max_doc, const std::vector<std::vector<uint32_t>>& lengths);
// Body of .columns: keywords / numerics are per schema field (null when not that kind).
std::string EncodeColumnsBody(const CollectionSchema& schema, uint32_t max_doc,
                              const std::vector<std::unique_ptr<KeywordAcc>>& keywords,
                              const std::vector<std::unique_ptr<NumericAcc>>& numerics);
// Body of .ids.
std::string EncodeIdsBody(const std::vector<std::string>& ids);
// Body of .deletes (runs runOptimize on a copy).
std::string EncodeDeletesBody(uint32_t max_doc, const ::Roaring& deleted);
// Appends the stored record of `doc` (its id and stored fields) to *out.
void AppendStoredRecord(const CollectionSchema& schema, const Document& doc, std::string* out);
// The zstd frame of one stored block; Internal on zstd failure.
Result<std::string> CompressStoredBlock(std::string_view raw, int level);
// Writes a .stored file from its block index and the concatenated compressed blocks, given in
// memory or (streamed) as the content of the plain file `spill`.
Result<FileInfo> WriteStoredFile(const std::filesystem::path& path, uint32_t max_doc,
                                 const std::vector<StoredBlock>& blocks, std::string_view compressed);
Result<FileInfo> WriteStoredFileFromSpill(const std::filesystem::path& path, uint32_t max_doc,
                                          const std::vector<StoredBlock>& blocks,
                                          const std::filesystem::path& spill);

}  // namespace busca::index
