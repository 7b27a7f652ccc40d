#include "engine/index/generation_writer.h"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <roaring/roaring.hh>

#include "absl/container/flat_hash_map.h"

#include "engine/index/doc_id.h"
#include "engine/index/file_format.h"
#include "engine/index/generation_meta.h"
#include "engine/index/posting_codec.h"
#include "engine/index/posting_cursor.h"
#include "engine/index/segment_encoding.h"
#include "engine/index/segment_files.h"
#include "engine/index/segment_merger.h"
#include "engine/index/segment_reader.h"
#include "engine/index/sorted_table_builder.h"

namespace busca::index {
namespace fs = std::filesystem;
namespace {

constexpr size_t kVectorOverhead = 24;
constexpr size_t kMapNodeOverhead = 64;
// What the memory accounting charges for one SurfaceAcc, fixed (it was sizeof(SurfaceAcc) with
// std::unordered_map) so that segment boundaries do not depend on the hash map implementation.
constexpr size_t kSurfaceAccOverhead = 88;

struct SurfaceAcc {
  absl::flat_hash_map<std::string, uint32_t> spellings;  // surface -> occurrences
  std::vector<uint32_t> term_ids;                       // distinct, unsorted
  uint32_t doc_freq = 0;
  uint32_t last_doc = std::numeric_limits<uint32_t>::max();
};

// The in-memory segment being inverted.
struct SegmentBuffer {
  uint32_t max_doc = 0;
  absl::flat_hash_map<std::string, uint32_t> term_index;
  std::vector<std::string> terms;
  std::vector<TermPostings> postings;
  absl::flat_hash_map<std::string, SurfaceAcc> surfaces;
  std::vector<std::vector<uint32_t>> lengths;       // per slot, per doc
  std::vector<std::unique_ptr<KeywordAcc>> keywords;  // per schema field
  std::vector<std::unique_ptr<NumericAcc>> numerics;  // per schema field
  std::vector<std::string> ids;
  std::string stored_raw;
  uint32_t stored_raw_first_doc = 0;
  uint32_t stored_raw_docs = 0;
  std::string stored_compressed;
  std::vector<StoredBlock> stored_blocks;
  uint64_t text_bytes = 0;
  uint64_t postings_count = 0;
  uint64_t positions_count = 0;
  size_t memory = 0;
};

}  // namespace

struct GenerationWriter::Impl {
  CollectionSchema schema;
  IndexDir dir{fs::path()};
  WriterOptions options;
  TempGenerationDir tmp;
  std::chrono::steady_clock::time_point start;
  std::vector<size_t> text_fields;
  std::vector<int> field_slot;
  uint32_t num_slots = 0;
  bool finished = false;
  bool failed = false;

  std::unordered_map<std::string, std::pair<uint32_t, DocId>> live_ids;
  std::vector<Roaring> deleted;  // per segment, the current one last
  std::vector<SegmentInfo> segments;
  std::vector<FileInfo> files;
  std::unique_ptr<SegmentBuffer> seg;

  // Per-doc inversion scratch. A token "kind" is one distinct (term, folded surface, surface) of
  // the document: the segment-wide maps are consulted once per kind and document, not per token.
  struct TokenKind {
    const analysis::Token* token;  // its first occurrence
    uint32_t count;                // occurrences in the document
    uint32_t local_term;           // index into doc_terms
  };
  struct KindKey {
    std::string_view term, folded, surface;
    bool operator==(const KindKey& o) const {
      return surface == o.surface && term == o.term && folded == o.folded;
    }
  };
  struct KindKeyHash {
    size_t operator()(const KindKey& k) const { return std::hash<std::string_view>()(k.surface); }
  };
  struct Occurrence {
    uint32_t kind;
    uint32_t slot;
    uint32_t position;
  };
  absl::flat_hash_map<KindKey, uint32_t, KindKeyHash> kind_index;
  std::vector<TokenKind> kinds;
  std::vector<Occurrence> scratch;                     // per token, in field and token order
  std::vector<uint32_t> doc_terms;                     // local term -> term id
  std::vector<uint32_t> bucket_start;                  // local term -> first entry in `sorted`
  std::vector<uint32_t> bucket_fill;
  std::vector<std::pair<uint32_t, uint32_t>> sorted;   // (slot, position), bucketed by local term
  std::vector<uint64_t> term_stamp;                    // term id -> doc_serial of its last doc
  std::vector<uint32_t> term_local;                    // term id -> local term (if stamped)
  uint64_t doc_serial = 0;                             // AddDoc calls so far, never reset

  void ResetSegment() {
    seg = std::make_unique<SegmentBuffer>();
    seg->lengths.resize(num_slots);
    seg->keywords.resize(schema.fields.size());
    seg->numerics.resize(schema.fields.size());
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      switch (schema.fields[i].type) {
        case FieldType::kKeyword: seg->keywords[i] = std::make_unique<KeywordAcc>(); break;
        case FieldType::kNumber:
        case FieldType::kTimestamp:
        case FieldType::kBoolean: seg->numerics[i] = std::make_unique<NumericAcc>(); break;
        case FieldType::kText: break;
      }
    }
  }

  uint32_t current_segment() const { return static_cast<uint32_t>(segments.size()); }

  Status AddDoc(AnalyzedDocument&& adoc);
  void StoreDoc(const Document& doc);
  Status CompressStoredBlock();
  Status Flush();
  Status WritePostings(const std::vector<uint32_t>& order, const std::string& prefix, SegmentInfo* info);
  Status WriteSurface(const std::vector<uint32_t>& ordinal_of_id, const std::string& prefix, SegmentInfo* info);
  Status WriteLengths(const std::string& prefix);
  Status WriteColumns(const std::string& prefix);
  Status WriteIds(const std::string& prefix);
  Status WriteStored(const std::string& prefix);
  Status MergeAll();
  Status AddFile(Result<FileInfo> r) {
    if (!r.ok()) return r.status();
    files.push_back(std::move(r).value());
    return Status::Ok();
  }
  fs::path PathOf(const std::string& name) const { return tmp.path() / name; }
};

GenerationWriter::~GenerationWriter() = default;

Result<std::unique_ptr<GenerationWriter>> GenerationWriter::Create(const CollectionSchema& schema,
                                                                   const IndexDir& dir,
                                                                   const WriterOptions& options) {
  if (options.memory_budget_bytes < (1u << 16)) {
    return Status::InvalidArgument("memory_budget_bytes must be at least 64 KiB");
  }
  if (options.max_docs_per_segment == 0 || options.max_docs_per_segment >= kNoMoreDocs) {
    return Status::InvalidArgument("max_docs_per_segment must be in [1, 2^32 - 1)");
  }
  if (options.stored_compression_level < 1 || options.stored_compression_level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("stored_compression_level out of range");
  }
  // Round-trip the schema so a generation never holds one ParseSchema would refuse.
  BUSCA_RETURN_IF_ERROR(ParseSchema(SchemaToJson(schema), "schema of collection " + schema.name).status());
  std::unique_ptr<GenerationWriter> w(new GenerationWriter());
  w->impl_ = std::make_unique<Impl>();
  Impl& impl = *w->impl_;
  impl.schema = schema;
  impl.dir = dir;
  impl.options = options;
  impl.options.stored_block_bytes = std::max<size_t>(options.stored_block_bytes, 256);
  impl.start = std::chrono::steady_clock::now();
  impl.field_slot.assign(schema.fields.size(), -1);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].type == FieldType::kText) {
      impl.field_slot[i] = static_cast<int>(impl.text_fields.size());
      impl.text_fields.push_back(i);
    }
  }
  impl.num_slots = static_cast<uint32_t>(impl.text_fields.size());
  BUSCA_ASSIGN_OR_RETURN(impl.tmp, dir.CreateTempGenerationDir(schema.name));
  impl.deleted.emplace_back();
  impl.ResetSegment();
  return w;
}

uint64_t GenerationWriter::generation_id() const { return impl_->tmp.id(); }
uint32_t GenerationWriter::segments_written() const { return impl_->current_segment(); }
size_t GenerationWriter::ApproximateMemoryUsage() const { return impl_->seg->memory; }

Status GenerationWriter::Add(AnalyzedDocument&& doc) {
  Impl& impl = *impl_;
  if (impl.finished || impl.failed) return Status::FailedPrecondition("GenerationWriter::Add after Finish or a failed flush");
  BUSCA_RETURN_IF_ERROR(ValidateDocument(impl.schema, doc.doc));
  if (doc.field_tokens.size() != impl.schema.fields.size()) {
    return Status::InvalidArgument("document " + doc.doc.id + ": field_tokens must be parallel to the schema fields");
  }
  for (size_t i = 0; i < impl.schema.fields.size(); ++i) {
    if (impl.schema.fields[i].type != FieldType::kText && !doc.field_tokens[i].empty()) {
      return Status::InvalidArgument("document " + doc.doc.id + ": tokens given for non-text field \"" +
                                     impl.schema.fields[i].name + "\"");
    }
  }
  if (impl.live_ids.count(doc.doc.id)) {
    return Status::InvalidArgument("duplicate external id \"" + doc.doc.id + "\" (Delete it first to replace it)");
  }
  if (impl.seg->max_doc >= impl.options.max_docs_per_segment) {
    BUSCA_RETURN_IF_ERROR(FlushSegment());
  }
  BUSCA_RETURN_IF_ERROR(impl.AddDoc(std::move(doc)));
  ++docs_added_;
  if (impl.seg->memory > impl.options.memory_budget_bytes) {
    BUSCA_RETURN_IF_ERROR(FlushSegment());
  }
  return Status::Ok();
}

Status GenerationWriter::Impl::AddDoc(AnalyzedDocument&& adoc) {
  SegmentBuffer& s = *seg;
  const DocId doc = s.max_doc;
  const Document& d = adoc.doc;

  // Inversion of the text fields. Pass 1 groups the tokens into kinds (a small per-doc table).
  ++doc_serial;
  scratch.clear();
  kinds.clear();
  kind_index.clear();
  for (uint32_t slot = 0; slot < num_slots; ++slot) {
    size_t field = text_fields[slot];
    const auto& tokens = adoc.field_tokens[field];
    if (const auto* text = std::get_if<std::string>(&d.values[field])) s.text_bytes += text->size();
    s.lengths[slot].push_back(static_cast<uint32_t>(tokens.size()));
    for (const analysis::Token& tok : tokens) {
      if (tok.term.empty()) continue;
      auto [it, inserted] = kind_index.try_emplace(KindKey{tok.term, tok.folded_surface, tok.surface},
                                                   static_cast<uint32_t>(kinds.size()));
      if (inserted) kinds.push_back({&tok, 0, 0});
      ++kinds[it->second].count;
      scratch.push_back({it->second, slot, tok.position});
    }
  }
  // Pass 2: the segment's term and surface maps, once per kind.
  doc_terms.clear();
  for (TokenKind& kind : kinds) {
    const analysis::Token& tok = *kind.token;
    auto [it, inserted] = s.term_index.try_emplace(tok.term, static_cast<uint32_t>(s.terms.size()));
    if (inserted) {
      s.terms.push_back(tok.term);
      s.postings.emplace_back();
      s.memory += 2 * (tok.term.size() + kMapNodeOverhead) + sizeof(TermPostings);
    }
    const uint32_t term_id = it->second;
    if (term_id >= term_stamp.size()) {
      const size_t size = std::max<size_t>(2 * term_stamp.size(), size_t{term_id} + 1024);
      term_stamp.resize(size, 0);
      term_local.resize(size, 0);
    }
    if (term_stamp[term_id] != doc_serial) {
      term_stamp[term_id] = doc_serial;
      term_local[term_id] = static_cast<uint32_t>(doc_terms.size());
      doc_terms.push_back(term_id);
    }
    kind.local_term = term_local[term_id];
    // Surface dictionary.
    const std::string& key = tok.folded_surface.empty() ? tok.term : tok.folded_surface;
    auto [sit, sinserted] = s.surfaces.try_emplace(key);
    SurfaceAcc& acc = sit->second;
    if (sinserted) s.memory += key.size() + kMapNodeOverhead + kSurfaceAccOverhead;
    if (acc.last_doc != doc) {
      acc.last_doc = doc;
      ++acc.doc_freq;
    }
    auto [spit, spinserted] = acc.spellings.try_emplace(tok.surface.empty() ? key : tok.surface, 0);
    if (spinserted) s.memory += spit->first.size() + kMapNodeOverhead;
    spit->second += kind.count;
    if (std::find(acc.term_ids.begin(), acc.term_ids.end(), term_id) == acc.term_ids.end()) {
      acc.term_ids.push_back(term_id);
      s.memory += 4;
    }
  }
  s.memory += 4 * num_slots;
  // Pass 3: a stable counting sort of the occurrences by term; within a term they are already in
  // (slot, position) order when the positions ascend, as the analyzer makes them.
  const size_t num_terms = doc_terms.size();
  bucket_start.assign(num_terms + 1, 0);
  for (const Occurrence& o : scratch) ++bucket_start[kinds[o.kind].local_term + 1];
  for (size_t t = 0; t < num_terms; ++t) bucket_start[t + 1] += bucket_start[t];
  bucket_fill.assign(bucket_start.begin(), bucket_start.end() - 1);
  sorted.resize(scratch.size());
  for (const Occurrence& o : scratch) sorted[bucket_fill[kinds[o.kind].local_term]++] = {o.slot, o.position};
  for (size_t t = 0; t < num_terms; ++t) {
    const auto first = sorted.begin() + bucket_start[t];
    const auto last = sorted.begin() + bucket_start[t + 1];
    if (!std::is_sorted(first, last)) std::sort(first, last);
    TermPostings& p = s.postings[doc_terms[t]];
    p.docs.push_back(doc);
    size_t tf_base = p.tfs.size();
    p.tfs.resize(tf_base + num_slots, 0);
    for (auto it = first; it != last; ++it) {
      ++p.tfs[tf_base + it->first];
      p.positions.push_back(it->second);
    }
    const size_t n = static_cast<size_t>(last - first);
    s.memory += 4 * (1 + num_slots + n);
    s.positions_count += n;
    ++s.postings_count;
  }

  // Columns.
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldValue& v = d.values[i];
    if (KeywordAcc* k = s.keywords[i].get()) {
      if (const auto* vals = std::get_if<std::vector<std::string>>(&v)) {
        for (const std::string& value : *vals) {
          auto [it, inserted] = k->ids.try_emplace(value, static_cast<uint32_t>(k->values.size()));
          if (inserted) {
            k->values.push_back(value);
            s.memory += 2 * (value.size() + kMapNodeOverhead);
          }
          k->vals.push_back(it->second);
        }
        s.memory += 4 * vals->size();
      }
      k->offsets.push_back(static_cast<uint32_t>(k->vals.size()));
      s.memory += 4;
    } else if (NumericAcc* n = s.numerics[i].get()) {
      int64_t value = 0;
      bool present = true;
      if (const auto* iv = std::get_if<int64_t>(&v)) {
        value = *iv;
      } else if (const auto* bv = std::get_if<bool>(&v)) {
        value = *bv ? 1 : 0;
      } else {
        present = false;
      }
      n->values.push_back(value);
      n->present.push_back(present ? 1 : 0);
      s.memory += 9;
    }
  }

  StoreDoc(d);
  s.ids.push_back(d.id);
  s.memory += d.id.size() + kVectorOverhead + d.id.size() + kMapNodeOverhead;
  live_ids.emplace(d.id, std::make_pair(current_segment(), doc));
  ++s.max_doc;
  if (s.stored_raw.size() >= options.stored_block_bytes) BUSCA_RETURN_IF_ERROR(CompressStoredBlock());
  return Status::Ok();
}

void GenerationWriter::Impl::StoreDoc(const Document& d) {
  SegmentBuffer& s = *seg;
  if (s.stored_raw_docs == 0) s.stored_raw_first_doc = s.max_doc;
  size_t before = s.stored_raw.size();
  AppendStoredRecord(schema, d, &s.stored_raw);
  ++s.stored_raw_docs;
  s.memory += s.stored_raw.size() - before;
}

Status GenerationWriter::Impl::CompressStoredBlock() {
  SegmentBuffer& s = *seg;
  if (s.stored_raw_docs == 0) return Status::Ok();
  size_t bound = ZSTD_compressBound(s.stored_raw.size());
  size_t start = s.stored_compressed.size();
  s.stored_compressed.resize(start + bound);
  size_t n = ZSTD_compress(s.stored_compressed.data() + start, bound, s.stored_raw.data(), s.stored_raw.size(),
                           options.stored_compression_level);
  if (ZSTD_isError(n)) {
    s.stored_compressed.resize(start);
    return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  }
  s.stored_compressed.resize(start + n);
  StoredBlock block;
  block.first_doc = s.stored_raw_first_doc;
  block.num_docs = s.stored_raw_docs;
  block.offset = start;
  block.compressed_size = static_cast<uint32_t>(n);
  block.raw_size = static_cast<uint32_t>(s.stored_raw.size());
  s.stored_blocks.push_back(block);
  s.memory = s.memory - std::min(s.memory, s.stored_raw.size()) + n + sizeof(StoredBlock);
  s.stored_raw.clear();
  s.stored_raw_docs = 0;
  return Status::Ok();
}

Status GenerationWriter::Delete(std::string_view external_id) {
  Impl& impl = *impl_;
  if (impl.finished || impl.failed) return Status::FailedPrecondition("GenerationWriter::Delete after Finish");
  auto it = impl.live_ids.find(std::string(external_id));
  if (it == impl.live_ids.end()) {
    return Status::NotFound("no live document with external id \"" + std::string(external_id) + "\"");
  }
  impl.deleted[it->second.first].add(it->second.second);
  impl.live_ids.erase(it);
  return Status::Ok();
}

Status GenerationWriter::FlushSegment() {
  Impl& impl = *impl_;
  if (impl.finished || impl.failed) return Status::FailedPrecondition("GenerationWriter::FlushSegment after Finish");
  if (impl.seg->max_doc == 0) return Status::Ok();
  Status st = impl.Flush();
  if (!st.ok()) impl.failed = true;
  return st;
}

Status GenerationWriter::Impl::Flush() {
  SegmentBuffer& s = *seg;
  BUSCA_RETURN_IF_ERROR(CompressStoredBlock());
  const uint32_t seg_id = current_segment();
  const std::string prefix = SegmentPrefix(seg_id);
  SegmentInfo info;
  info.id = seg_id;
  info.max_doc = s.max_doc;
  info.terms = s.terms.size();
  info.surface_entries = s.surfaces.size();
  info.postings = s.postings_count;
  info.positions = s.positions_count;
  info.text_bytes = s.text_bytes;

  std::vector<uint32_t> order(s.terms.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return s.terms[a] < s.terms[b]; });
  std::vector<uint32_t> ordinal_of_id(order.size());
  for (uint32_t ord = 0; ord < order.size(); ++ord) ordinal_of_id[order[ord]] = ord;

  BUSCA_RETURN_IF_ERROR(WritePostings(order, prefix, &info));
  BUSCA_RETURN_IF_ERROR(WriteSurface(ordinal_of_id, prefix, &info));
  BUSCA_RETURN_IF_ERROR(WriteLengths(prefix));
  BUSCA_RETURN_IF_ERROR(WriteColumns(prefix));
  BUSCA_RETURN_IF_ERROR(WriteIds(prefix));
  BUSCA_RETURN_IF_ERROR(WriteStored(prefix));
  segments.push_back(info);
  deleted.emplace_back();
  ResetSegment();
  return Status::Ok();
}

Status GenerationWriter::Impl::WritePostings(const std::vector<uint32_t>& order, const std::string& prefix,
                                             SegmentInfo* info) {
  SegmentBuffer& s = *seg;
  BUSCA_ASSIGN_OR_RETURN(auto writer, PostingsWriter::Create(tmp.path(), prefix, num_slots,
                                                             MakeBlockScoring(schema, text_fields, s.max_doc, s.lengths)));
  auto length = [&s](uint32_t doc, uint32_t slot) { return s.lengths[slot][doc]; };
  for (uint32_t term_id : order) BUSCA_RETURN_IF_ERROR(writer->Add(s.terms[term_id], s.postings[term_id], length));
  (void)info;
  return writer->Finish(&files);
}

Status GenerationWriter::Impl::WriteSurface(const std::vector<uint32_t>& ordinal_of_id, const std::string& prefix,
                                            SegmentInfo* info) {
  SegmentBuffer& s = *seg;
  std::vector<const std::pair<const std::string, SurfaceAcc>*> entries;
  entries.reserve(s.surfaces.size());
  for (const auto& e : s.surfaces) entries.push_back(&e);
  std::sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  SortedTableBuilder table;
  std::string payload;
  std::vector<uint32_t> ords;
  for (const auto* e : entries) {
    const SurfaceAcc& acc = e->second;
    const std::string* best = nullptr;
    uint32_t best_count = 0;
    for (const auto& [spelling, count] : acc.spellings) {
      if (count > best_count || (count == best_count && spelling < *best)) {
        best = &spelling;
        best_count = count;
      }
    }
    ords.clear();
    for (uint32_t id : acc.term_ids) ords.push_back(ordinal_of_id[id]);
    std::sort(ords.begin(), ords.end());
    payload = EncodeSurfacePayload(acc.doc_freq, best ? *best : e->first, ords);
    table.Add(e->first, payload);
  }
  (void)info;
  return AddFile(WriteFile(PathOf(prefix + ".surface"), "SURF", table.Finish()));
}

Status GenerationWriter::Impl::WriteLengths(const std::string& prefix) {
  return AddFile(WriteFile(PathOf(prefix + ".lengths"), "LENS", EncodeLengthsBody(seg->max_doc, seg->lengths)));
}

Status GenerationWriter::Impl::WriteColumns(const std::string& prefix) {
  SegmentBuffer& s = *seg;
  return AddFile(WriteFile(PathOf(prefix + ".columns"), "COLS", EncodeColumnsBody(schema, s.max_doc, s.keywords, s.numerics)));
}

Status GenerationWriter::Impl::WriteIds(const std::string& prefix) {
  return AddFile(WriteFile(PathOf(prefix + ".ids"), "IDS_", EncodeIdsBody(seg->ids)));
}

Status GenerationWriter::Impl::WriteStored(const std::string& prefix) {
  SegmentBuffer& s = *seg;
  return AddFile(WriteStoredFile(PathOf(prefix + ".stored"), s.max_doc, s.stored_blocks, s.stored_compressed));
}

// Rewrites every segment of the temp dir as one segment of live docs (seg-0000). The merged files
// are written to a sub-directory, re-opened and checked, and only then replace the old segments'
// files; the MANIFEST does not exist yet, so a crash at any point leaves no half generation.
Status GenerationWriter::Impl::MergeAll() {
  uint64_t live = 0, text_bytes = 0;
  for (const SegmentInfo& seg : segments) {
    live += seg.max_doc - seg.deleted_docs;
    text_bytes += seg.text_bytes;
  }
  auto is_segment_file = [](const FileInfo& f) { return f.name.rfind("seg-", 0) == 0; };
  std::optional<SegmentMergeResult> merged;
  const fs::path merge_dir = tmp.path() / "merge";
  if (live > 0) {
    std::error_code ec;
    fs::create_directories(merge_dir, ec);
    if (ec) return Status::IOError(merge_dir.string() + ": " + ec.message());
    {
      std::vector<std::unique_ptr<SegmentReader>> readers;
      std::vector<const SegmentReader*> inputs;
      for (const SegmentInfo& seg : segments) {
        BUSCA_ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(tmp.path(), schema, seg.id));
        inputs.push_back(reader.get());
        readers.push_back(std::move(reader));
      }
      SegmentMergeOptions mo;
      mo.stored_compression_level = options.stored_compression_level;
      mo.stored_block_bytes = options.stored_block_bytes;
      BUSCA_ASSIGN_OR_RETURN(SegmentMergeResult r, MergeSegments(schema, inputs, merge_dir, 0, mo));
      merged = std::move(r);
    }
    // Verify the merged segment before anything old is removed.
    for (const FileInfo& f : merged->files) {
      BUSCA_ASSIGN_OR_RETURN(auto checked, OpenCheckedFile(merge_dir / f.name, KindOfFile(f.name), true));
      if (checked.file->bytes().size() != f.size || ComputeFileChecksum(checked.file->bytes()) != f.checksum) {
        return Status::IOError("merge/" + f.name + ": re-read after merging does not match what was written");
      }
    }
    BUSCA_ASSIGN_OR_RETURN(auto check, SegmentReader::Open(merge_dir, schema, 0));
    if (check->max_doc() != live || check->terms().size() != merged->info.terms ||
        check->surfaces().size() != merged->info.surface_entries) {
      return Status::Internal("merged segment counts differ from the merge's own (" + std::to_string(check->max_doc()) +
                              " docs, " + std::to_string(live) + " expected)");
    }
  }
  // Replace the old segments' files.
  std::vector<FileInfo> kept;
  for (FileInfo& f : files) {
    if (!is_segment_file(f)) {
      kept.push_back(std::move(f));
      continue;
    }
    std::error_code ec;
    fs::remove(PathOf(f.name), ec);
    if (ec) return Status::IOError(f.name + ": cannot remove after merging: " + ec.message());
  }
  files = std::move(kept);
  segments.clear();
  deleted.clear();
  if (merged) {
    for (FileInfo& f : merged->files) {
      std::error_code ec;
      fs::rename(merge_dir / f.name, PathOf(f.name), ec);
      if (ec) return Status::IOError(f.name + ": cannot move merged file into place: " + ec.message());
      files.push_back(std::move(f));
    }
    std::error_code ec;
    fs::remove_all(merge_dir, ec);
    merged->info.text_bytes = text_bytes;
    segments.push_back(merged->info);
    deleted.emplace_back();
  }
  return SyncDirectory(tmp.path());
}

Result<GenerationInfo> GenerationWriter::Finish() {
  Impl& impl = *impl_;
  if (impl.finished) return Status::FailedPrecondition("GenerationWriter::Finish called twice");
  if (impl.failed) return Status::FailedPrecondition("GenerationWriter: an earlier flush failed");
  impl.finished = true;
  if (impl.seg->max_doc > 0) BUSCA_RETURN_IF_ERROR(impl.Flush());
  GenerationInfo info;
  info.collection = impl.schema.name;
  info.id = impl.tmp.id();
  info.format_version = kFormatVersion;
  // Deleted-doc sets, one per segment.
  for (size_t i = 0; i < impl.segments.size(); ++i) {
    SegmentInfo& seg = impl.segments[i];
    const Roaring& del = impl.deleted[i];
    BUSCA_RETURN_IF_ERROR(impl.AddFile(
        WriteFile(impl.PathOf(SegmentPrefix(seg.id) + ".deletes"), "DELS", EncodeDeletesBody(seg.max_doc, del))));
    seg.deleted_docs = static_cast<uint32_t>(del.cardinality());
  }
  if (impl.options.merge_on_finish) {
    bool any_deleted = false;
    for (const SegmentInfo& seg : impl.segments) any_deleted |= seg.deleted_docs > 0;
    if (impl.segments.size() > 1 || any_deleted) BUSCA_RETURN_IF_ERROR(impl.MergeAll());
  }
  for (const SegmentInfo& seg : impl.segments) {
    info.max_doc += seg.max_doc;
    info.deleted_docs += seg.deleted_docs;
    info.terms += seg.terms;
    info.indexed_text_bytes += seg.text_bytes;
  }
  info.live_docs = info.max_doc - info.deleted_docs;
  info.segments = impl.segments;
  info.built_at_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  info.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - impl.start).count();
  BUSCA_RETURN_IF_ERROR(impl.AddFile(WriteFile(impl.PathOf(std::string(kSchemaFile)), kSchemaKind, SchemaToJson(impl.schema))));
  BUSCA_RETURN_IF_ERROR(impl.AddFile(WriteFile(impl.PathOf(std::string(kMetaFile)), kMetaKind, MetaToJson(info))));
  std::sort(impl.files.begin(), impl.files.end(), [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  info.files = impl.files;
  // Re-read every file: what is on disk must be what the manifest will say.
  for (const FileInfo& f : info.files) {
    BUSCA_ASSIGN_OR_RETURN(auto checked, OpenCheckedFile(impl.PathOf(f.name), KindOfFile(f.name), true));
    if (checked.file->bytes().size() != f.size || ComputeFileChecksum(checked.file->bytes()) != f.checksum) {
      return Status::IOError(f.name + ": re-read after writing does not match what was written");
    }
  }
  BUSCA_RETURN_IF_ERROR(
      WriteFile(impl.PathOf(std::string(kManifestFile)), kManifestKind, ManifestToJson(info)).status());
  // The LOCK file readers flock (empty, not part of the format).
  {
    BUSCA_ASSIGN_OR_RETURN(auto lock, GenerationLock::AcquireShared(impl.tmp.path()));
  }
  BUSCA_ASSIGN_OR_RETURN(fs::path final_path, impl.tmp.Finalize());
  (void)final_path;
  return info;
}

// ---------------------------------------------------------------------------------------------

Result<AnalyzedDocument> AnalyzeDocument(const CollectionSchema& schema, Document doc,
                                         analysis::Analyzer& analyzer) {
  BUSCA_RETURN_IF_ERROR(ValidateDocument(schema, doc));
  AnalyzedDocument out;
  out.field_tokens.resize(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].type != FieldType::kText) continue;
    if (const auto* text = std::get_if<std::string>(&doc.values[i])) analyzer.Analyze(*text, &out.field_tokens[i], 0);
  }
  out.doc = std::move(doc);
  return out;
}

}  // namespace busca::index
