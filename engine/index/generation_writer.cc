#include "engine/index/generation_writer.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <functional>
#include <future>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <roaring/roaring.hh>

#include "absl/container/flat_hash_map.h"

#include "engine/index/doc_id.h"
#include "engine/index/file_format.h"
#include "engine/index/generation_meta.h"
#include "engine/index/key_hash.h"
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

// string -> dense id (0, 1, 2, ... in insertion order) over pre-hashed keys: open addressing with
// linear probing, load factor <= 1/2. Keeps the keys.
class InternTable {
 public:
  // The id of `key` (hash = KeyHash(key)), inserting it when absent; .second = inserted.
  std::pair<uint32_t, bool> Intern(std::string_view key, uint64_t hash) {
    if ((keys_.size() + 1) * 2 > slots_.size()) Grow();
    const uint32_t tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id_plus_one == 0) {
        keys_.emplace_back(key);
        hashes_.push_back(hash);
        slot = Slot{static_cast<uint32_t>(keys_.size()), tag};
        return {slot.id_plus_one - 1, true};
      }
      if (slot.tag == tag && keys_[slot.id_plus_one - 1] == key) return {slot.id_plus_one - 1, false};
    }
  }
  // Forgets every key; keeps a small table.
  void Clear() {
    keys_.clear();
    hashes_.clear();
    if (slots_.size() > kMinSlots * 4) {
      slots_.assign(kMinSlots, Slot{});
    } else {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    }
  }
  size_t size() const { return keys_.size(); }
  const std::string& key(uint32_t id) const { return keys_[id]; }
  // Prefetch helpers for callers that look many keys up at once: the slot a key's probe starts
  // at, then the entry the probe will most likely compare against.
  void PrefetchSlot(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  // The id of the first entry the probe for `hash` would compare against, or kNone.
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  uint32_t Candidate(uint64_t hash) const {
    if (slots_.empty()) return kNone;
    const uint32_t tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i].id_plus_one == 0) return kNone;
      if (slots_[i].tag == tag) return slots_[i].id_plus_one - 1;
    }
  }
  void PrefetchKey(uint32_t id) const { __builtin_prefetch(&keys_[id]); }
  uint64_t hash(uint32_t id) const { return hashes_[id]; }

 private:
  static constexpr size_t kMinSlots = 64;
  struct Slot {
    uint32_t id_plus_one = 0;  // 0: empty
    uint32_t tag = 0;          // high half of the hash
  };
  void Grow() {
    std::vector<Slot> slots(std::max(kMinSlots, slots_.size() * 2));
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 0; id < keys_.size(); ++id) {
      size_t i = hashes_[id] & mask;
      while (slots[i].id_plus_one != 0) i = (i + 1) & mask;
      slots[i] = Slot{id + 1, static_cast<uint32_t>(hashes_[id] >> 32)};
    }
    slots_ = std::move(slots);
  }
  std::vector<Slot> slots_;
  std::vector<std::string> keys_;
  std::vector<uint64_t> hashes_;
};

// The postings of the in-memory segment: per term one append-only byte stream (per doc, as
// varints: the gap to the term's previous doc, num_slots tfs, then per slot the positions as
// first value and gaps) stored as a chain of slices of growing size in 1 MiB blocks, so that
// adding a posting touches the term's stream state and its write position only (no per-term
// vectors to grow and copy), and a posting costs a few bytes. Flush() decodes one term at a
// time. Addresses are 32-bit: a pool holds at most 4 GiB (the writer flushes before).
class PostingPool {
 public:
  struct Stream {
    uint32_t head = 0;      // address of the first slice (0: none yet)
    uint32_t tail = 0;      // next byte to write
    uint32_t end = 0;       // address of the current slice's 4-byte link
    uint32_t bytes = 0;     // bytes written
    uint32_t level = 0;     // of the current slice
    uint32_t last_doc = 0;  // last doc appended
  };
  static constexpr uint64_t kMaxBytes = (uint64_t{1} << 32) - (uint64_t{64} << 20);

  // Appends n bytes to `stream` (an empty stream gets its first slice).
  void Append(Stream& stream, const uint8_t* data, size_t n) {
    if (stream.head == 0) {
      stream.head = stream.tail = NewSlice(0);
      stream.end = stream.head + SliceBytes(0) - kLinkBytes;
    }
    stream.bytes += static_cast<uint32_t>(n);
    while (n > 0) {
      if (stream.tail == stream.end) {
        const uint32_t next = NewSlice(stream.level + 1);
        std::memcpy(At(stream.end), &next, kLinkBytes);
        ++stream.level;
        stream.tail = next;
        stream.end = next + SliceBytes(stream.level) - kLinkBytes;
      }
      const size_t room = std::min<size_t>(n, stream.end - stream.tail);
      std::memcpy(At(stream.tail), data, room);
      stream.tail += static_cast<uint32_t>(room);
      data += room;
      n -= room;
    }
  }
  void PrefetchTail(const Stream& stream) const {
    if (stream.head != 0) __builtin_prefetch(At(stream.tail), 1);
  }

  // Copies the bytes of `stream` to *out (replacing its content).
  void Read(const Stream& stream, std::vector<uint8_t>* out) const {
    out->resize(stream.bytes);
    uint32_t addr = stream.head;
    uint32_t level = 0;
    size_t done = 0;
    while (done < stream.bytes) {
      const size_t room = std::min<size_t>(stream.bytes - done, SliceBytes(level) - kLinkBytes);
      std::memcpy(out->data() + done, At(addr), room);
      done += room;
      if (done < stream.bytes) std::memcpy(&addr, At(addr + SliceBytes(level) - kLinkBytes), kLinkBytes);
      ++level;
    }
  }

  // Bytes handed out in slices so far (what the memory accounting charges).
  uint64_t used() const { return used_total_; }

 private:
  static constexpr uint32_t kBlockShift = 20;  // 1 MiB blocks
  static constexpr uint32_t kBlockBytes = 1u << kBlockShift;
  static constexpr uint32_t kLinkBytes = 4;
  static uint32_t SliceBytes(uint32_t level) { return 16u << std::min(level, 8u); }  // 16 B .. 4 KiB
  uint8_t* At(uint32_t addr) { return blocks_[addr >> kBlockShift].get() + (addr & (kBlockBytes - 1)); }
  const uint8_t* At(uint32_t addr) const {
    return blocks_[addr >> kBlockShift].get() + (addr & (kBlockBytes - 1));
  }
  // A slice of SliceBytes(level) bytes, never across blocks; address 0 is reserved ("none").
  uint32_t NewSlice(uint32_t level) {
    const uint32_t bytes = SliceBytes(level);
    if (blocks_.empty() || used_ + bytes > kBlockBytes) {
      if (blocks_.size() >= (size_t{1} << (32 - kBlockShift))) throw std::length_error("posting pool over 4 GiB");
      blocks_.emplace_back(new uint8_t[kBlockBytes]);
      used_ = blocks_.size() == 1 ? 16 : 0;
    }
    const uint32_t addr = static_cast<uint32_t>(((blocks_.size() - 1) << kBlockShift) + used_);
    used_ += bytes;
    used_total_ += bytes;
    return addr;
  }
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  uint32_t used_ = 0;
  uint64_t used_total_ = 0;
};

inline void AppendVarint(std::vector<uint8_t>* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

inline uint32_t ReadVarint(const uint8_t** p) {
  uint32_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = *(*p)++;
    v |= static_cast<uint32_t>(b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
}

// One distinct (spelling, surface-dictionary key, term) of the segment: occurrences, and its
// place in its key's chain.
struct SpellingAcc {
  std::string spelling;
  std::string key;
  uint32_t surface = 0;   // index of the key
  uint32_t term_id = 0;
  uint32_t count = 0;     // occurrences
  uint32_t next = 0;      // next spelling of the same key + 1 (0: none)
  uint64_t hash = 0;      // KeyHash(spelling)
};

// One key of the surface dictionary.
struct SurfaceAcc {
  uint32_t doc_freq = 0;
  uint32_t last_doc = std::numeric_limits<uint32_t>::max();
  uint32_t first_spelling = 0;  // + 1 (0: none)
};

// The in-memory segment being inverted.
struct SegmentBuffer {
  uint32_t max_doc = 0;
  InternTable terms;                         // term -> term id
  std::vector<PostingPool::Stream> postings; // per term id
  PostingPool pool;
  InternTable surface_keys;                  // surface-dictionary key -> index into `surfaces`
  std::vector<SurfaceAcc> surfaces;
  // (spelling, key, term) -> index into `spellings`: open addressing over the spelling's hash.
  std::vector<std::pair<uint32_t, uint32_t>> spelling_slots;  // (index + 1, hash tag)
  std::vector<SpellingAcc> spellings;
  std::vector<std::vector<uint32_t>> lengths;       // per slot, per doc
  std::vector<std::unique_ptr<KeywordAcc>> keywords;  // per schema field
  std::vector<std::unique_ptr<NumericAcc>> numerics;  // per schema field
  std::vector<std::string> ids;
  std::string stored_raw;
  uint32_t stored_raw_first_doc = 0;
  uint32_t stored_raw_docs = 0;
  // Compressed stored blocks go to a spill file in the temp dir as they fill (they are only read
  // back by Flush, streamed into the .stored file), so they take no memory.
  int stored_spill_fd = -1;
  uint64_t stored_compressed_bytes = 0;
  std::vector<StoredBlock> stored_blocks;
  uint64_t text_bytes = 0;
  uint64_t postings_count = 0;
  uint64_t positions_count = 0;
  size_t memory = 0;

  SegmentBuffer() = default;
  SegmentBuffer(const SegmentBuffer&) = delete;
  SegmentBuffer& operator=(const SegmentBuffer&) = delete;
  ~SegmentBuffer() {
    if (stored_spill_fd >= 0) ::close(stored_spill_fd);
  }
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

  absl::flat_hash_map<std::string, std::pair<uint32_t, DocId>> live_ids;
  std::vector<Roaring> deleted;  // per segment, the current one last
  std::vector<SegmentInfo> segments;
  std::vector<FileInfo> files;
  std::unique_ptr<SegmentBuffer> seg;

  DocumentPreparer preparer;            // for Add(): the same path as the indexer's
  PreparedDocument prepared;            // Add()'s scratch
  std::vector<uint32_t> doc_term_ids;   // per term of the doc being added: its term id
  std::vector<uint8_t> entry;           // one posting being appended
  std::vector<uint32_t> doc_spellings;  // per spelling of the doc being added: its key's index
  TermPostings term_postings;           // Flush(): one term decoded
  std::vector<FileInfo> postings_files; // Flush(): written by the postings thread
  ZSTD_CCtx* cctx = nullptr;            // reused across stored blocks
  std::string compressed;               // one stored block, compressed

  explicit Impl(const CollectionSchema& s) : schema(s), preparer(schema) {}
  ~Impl() { ZSTD_freeCCtx(cctx); }

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

  Status CheckAdd(const PreparedDocument& doc) const;
  SpellingAcc* FindSpelling(const PreparedDocument::Spelling& sp, std::string_view key, std::string_view spelling,
                            uint32_t term_id);
  SpellingAcc* AddSpelling(const PreparedDocument::Spelling& sp, std::string_view key, std::string_view spelling,
                           uint32_t term_id);
  Status AddDoc(const PreparedDocument& doc);
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
  w->impl_ = std::make_unique<Impl>(schema);
  Impl& impl = *w->impl_;
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
  BUSCA_RETURN_IF_ERROR(impl.preparer.Prepare(std::move(doc), &impl.prepared));
  return AddPrepared(impl.prepared);
}

Status GenerationWriter::Impl::CheckAdd(const PreparedDocument& doc) const {
  if (finished || failed) return Status::FailedPrecondition("GenerationWriter::Add after Finish or a failed flush");
  if (doc.num_fields_ != schema.fields.size() || doc.num_slots_ != num_slots ||
      doc.doc_.values.size() != schema.fields.size()) {
    return Status::InvalidArgument("document \"" + doc.doc_.id + "\" was not prepared for the schema of collection " +
                                   schema.name);
  }
  if (live_ids.contains(doc.doc_.id)) {
    return Status::InvalidArgument("duplicate external id \"" + doc.doc_.id + "\" (Delete it first to replace it)");
  }
  return Status::Ok();
}

Status GenerationWriter::AddPrepared(const PreparedDocument& doc) {
  Impl& impl = *impl_;
  BUSCA_RETURN_IF_ERROR(impl.CheckAdd(doc));
  if (impl.seg->max_doc >= impl.options.max_docs_per_segment) {
    BUSCA_RETURN_IF_ERROR(FlushSegment());
  }
  BUSCA_RETURN_IF_ERROR(impl.AddDoc(doc));
  ++docs_added_;
  if (impl.seg->memory > impl.options.memory_budget_bytes || impl.seg->pool.used() > PostingPool::kMaxBytes) {
    BUSCA_RETURN_IF_ERROR(FlushSegment());
  }
  return Status::Ok();
}

// The serial half of the inversion: merges a prepared document into the in-memory segment.
// Memory accounting: postings are charged the posting-pool bytes they take (varint-coded,
// slices included); terms, surface keys, spellings, ids and columns a fixed price per entry;
// stored fields their raw bytes until their block is compressed and spilled to disk. All of it
// is a function of the input, so segment boundaries are deterministic.
Status GenerationWriter::Impl::AddDoc(const PreparedDocument& p) {
  SegmentBuffer& s = *seg;
  const DocId doc = s.max_doc;
  const Document& d = p.doc_;

  s.text_bytes += p.text_bytes_;
  for (uint32_t slot = 0; slot < num_slots; ++slot) s.lengths[slot].push_back(p.lengths_[slot]);
  // Postings: one entry per distinct term of the document, then the surface dictionary: one per
  // distinct (term, key, spelling). Every lookup is a cache miss into a table of the whole
  // segment, so each is done in waves over all of the document's entries, a wave prefetching
  // what the next one touches: the misses overlap instead of coming one after another.
  const size_t num_terms = p.terms_.size();
  doc_term_ids.resize(num_terms);
  for (const PreparedDocument::Term& term : p.terms_) s.terms.PrefetchSlot(term.hash);
  for (const PreparedDocument::Term& term : p.terms_) {
    const uint32_t candidate = s.terms.Candidate(term.hash);
    if (candidate != InternTable::kNone) {
      s.terms.PrefetchKey(candidate);
      __builtin_prefetch(&s.postings[candidate]);
    }
  }
  for (size_t t = 0; t < num_terms; ++t) {
    const std::string_view term = p.View(p.terms_[t].text);
    auto [term_id, inserted] = s.terms.Intern(term, p.terms_[t].hash);
    if (inserted) {
      s.postings.emplace_back();
      s.memory += 2 * (term.size() + kMapNodeOverhead) + sizeof(TermPostings);
    }
    doc_term_ids[t] = term_id;
    s.pool.PrefetchTail(s.postings[term_id]);
  }
  const uint64_t pool_before = s.pool.used();
  uint32_t pos_begin = 0;
  for (size_t t = 0; t < num_terms; ++t) {
    PostingPool::Stream& stream = s.postings[doc_term_ids[t]];
    const uint32_t pos_end = p.positions_end_[t];
    const uint32_t* tfs = p.tfs_.data() + t * num_slots;
    const uint32_t* positions = p.positions_.data() + pos_begin;
    entry.clear();
    AppendVarint(&entry, doc - stream.last_doc);
    stream.last_doc = doc;
    for (uint32_t slot = 0; slot < num_slots; ++slot) AppendVarint(&entry, tfs[slot]);
    for (uint32_t slot = 0; slot < num_slots; ++slot) {
      uint32_t prev = 0;
      for (uint32_t k = 0; k < tfs[slot]; ++k) {
        AppendVarint(&entry, *positions - prev);
        prev = *positions++;
      }
    }
    s.pool.Append(stream, entry.data(), entry.size());
    s.positions_count += pos_end - pos_begin;
    pos_begin = pos_end;
    ++s.postings_count;
  }
  s.memory += s.pool.used() - pool_before;
  const size_t num_spellings = p.spellings_.size();
  doc_spellings.resize(num_spellings);
  if (!s.spelling_slots.empty()) {
    const size_t mask = s.spelling_slots.size() - 1;
    for (const PreparedDocument::Spelling& sp : p.spellings_) __builtin_prefetch(&s.spelling_slots[sp.spelling_hash & mask]);
    for (const PreparedDocument::Spelling& sp : p.spellings_) {
      const uint32_t tag = static_cast<uint32_t>(sp.spelling_hash >> 32);
      for (size_t i = sp.spelling_hash & mask;; i = (i + 1) & mask) {
        const auto [index_plus_one, slot_tag] = s.spelling_slots[i];
        if (index_plus_one == 0) break;
        if (slot_tag == tag) {
          const char* entry_bytes = reinterpret_cast<const char*>(&s.spellings[index_plus_one - 1]);
          __builtin_prefetch(entry_bytes);
          __builtin_prefetch(entry_bytes + 64);
          break;
        }
      }
    }
  }
  for (size_t k = 0; k < num_spellings; ++k) {
    const PreparedDocument::Spelling& sp = p.spellings_[k];
    const uint32_t term_id = doc_term_ids[sp.term];
    const std::string_view key = p.View(sp.key), spelling = p.View(sp.spelling);
    SpellingAcc* acc = FindSpelling(sp, key, spelling, term_id);
    if (acc == nullptr) acc = AddSpelling(sp, key, spelling, term_id);
    acc->count += sp.count;
    doc_spellings[k] = acc->surface;
    __builtin_prefetch(&s.surfaces[acc->surface]);
  }
  for (uint32_t surface_index : doc_spellings) {
    SurfaceAcc& surface = s.surfaces[surface_index];
    if (surface.last_doc != doc) {
      surface.last_doc = doc;
      ++surface.doc_freq;
    }
  }
  s.memory += 4 * num_slots;

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

  // Stored record (encoded by the preparer).
  if (s.stored_raw_docs == 0) s.stored_raw_first_doc = s.max_doc;
  s.stored_raw.append(p.stored_);
  ++s.stored_raw_docs;
  s.memory += p.stored_.size();

  s.ids.push_back(d.id);
  s.memory += d.id.size() + kVectorOverhead + d.id.size() + kMapNodeOverhead;
  live_ids.emplace(d.id, std::make_pair(current_segment(), doc));
  ++s.max_doc;
  if (s.stored_raw.size() >= options.stored_block_bytes) BUSCA_RETURN_IF_ERROR(CompressStoredBlock());
  return Status::Ok();
}

SpellingAcc* GenerationWriter::Impl::FindSpelling(const PreparedDocument::Spelling& sp, std::string_view key,
                                                 std::string_view spelling, uint32_t term_id) {
  SegmentBuffer& s = *seg;
  if (s.spelling_slots.empty()) return nullptr;
  const uint32_t tag = static_cast<uint32_t>(sp.spelling_hash >> 32);
  const size_t mask = s.spelling_slots.size() - 1;
  for (size_t i = sp.spelling_hash & mask;; i = (i + 1) & mask) {
    const auto [index_plus_one, slot_tag] = s.spelling_slots[i];
    if (index_plus_one == 0) return nullptr;
    if (slot_tag != tag) continue;
    SpellingAcc& acc = s.spellings[index_plus_one - 1];
    if (acc.term_id == term_id && acc.spelling == spelling && acc.key == key) return &acc;
  }
}

// A new (spelling, key, term) of the segment; charges the memory the key, the spelling and the
// key's term list would cost in a map-of-maps layout (so segment boundaries do not depend on
// this one).
SpellingAcc* GenerationWriter::Impl::AddSpelling(const PreparedDocument::Spelling& sp, std::string_view key,
                                                std::string_view spelling, uint32_t term_id) {
  SegmentBuffer& s = *seg;
  auto [surface_index, key_inserted] = s.surface_keys.Intern(key, sp.key_hash);
  if (key_inserted) {
    s.surfaces.emplace_back();
    s.memory += key.size() + kMapNodeOverhead + kSurfaceAccOverhead;
  }
  SurfaceAcc& surface = s.surfaces[surface_index];
  bool spelling_known = false, term_known = false;
  for (uint32_t e = surface.first_spelling; e != 0; e = s.spellings[e - 1].next) {
    const SpellingAcc& other = s.spellings[e - 1];
    spelling_known |= other.spelling == spelling;
    term_known |= other.term_id == term_id;
  }
  if (!spelling_known) s.memory += spelling.size() + kMapNodeOverhead;
  if (!term_known) s.memory += 4;
  SpellingAcc& acc = s.spellings.emplace_back();
  acc.spelling = spelling;
  acc.key = key;
  acc.surface = surface_index;
  acc.term_id = term_id;
  acc.next = surface.first_spelling;
  acc.hash = sp.spelling_hash;
  surface.first_spelling = static_cast<uint32_t>(s.spellings.size());
  // Index it; grow the slot array at load factor 1/2.
  if (s.spellings.size() * 2 > s.spelling_slots.size()) {
    std::vector<std::pair<uint32_t, uint32_t>> slots(std::max<size_t>(1024, s.spelling_slots.size() * 2));
    const size_t mask = slots.size() - 1;
    for (uint32_t k = 0; k < s.spellings.size(); ++k) {
      size_t i = s.spellings[k].hash & mask;
      while (slots[i].first != 0) i = (i + 1) & mask;
      slots[i] = {k + 1, static_cast<uint32_t>(s.spellings[k].hash >> 32)};
    }
    s.spelling_slots = std::move(slots);
  } else {
    const size_t mask = s.spelling_slots.size() - 1;
    size_t i = sp.spelling_hash & mask;
    while (s.spelling_slots[i].first != 0) i = (i + 1) & mask;
    s.spelling_slots[i] = {static_cast<uint32_t>(s.spellings.size()), static_cast<uint32_t>(sp.spelling_hash >> 32)};
  }
  return &acc;
}

Status GenerationWriter::Impl::CompressStoredBlock() {
  SegmentBuffer& s = *seg;
  if (s.stored_raw_docs == 0) return Status::Ok();
  const size_t bound = ZSTD_compressBound(s.stored_raw.size());
  if (compressed.size() < bound) compressed.resize(bound);
  if (cctx == nullptr) cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return Status::ResourceExhausted("zstd: cannot allocate a compression context");
  // ZSTD_compressCCtx on a reused context writes the same frame as ZSTD_compress.
  const size_t n = ZSTD_compressCCtx(cctx, compressed.data(), bound, s.stored_raw.data(), s.stored_raw.size(),
                                     options.stored_compression_level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  const fs::path spill = PathOf(SegmentPrefix(current_segment()) + ".stored-spill");
  if (s.stored_spill_fd < 0) {
    s.stored_spill_fd = ::open(spill.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s.stored_spill_fd < 0) return Status::IOError(spill.string() + ": cannot create: " + std::strerror(errno));
  }
  for (size_t done = 0; done < n;) {
    const ssize_t w = ::write(s.stored_spill_fd, compressed.data() + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::IOError(spill.string() + ": write failed: " + std::strerror(w < 0 ? errno : EIO));
    done += static_cast<size_t>(w);
  }
  StoredBlock block;
  block.first_doc = s.stored_raw_first_doc;
  block.num_docs = s.stored_raw_docs;
  block.offset = s.stored_compressed_bytes;
  block.compressed_size = static_cast<uint32_t>(n);
  block.raw_size = static_cast<uint32_t>(s.stored_raw.size());
  s.stored_blocks.push_back(block);
  s.stored_compressed_bytes += n;
  s.memory = s.memory - std::min(s.memory, s.stored_raw.size()) + sizeof(StoredBlock);
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
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return s.terms.key(a) < s.terms.key(b); });
  std::vector<uint32_t> ordinal_of_id(order.size());
  for (uint32_t ord = 0; ord < order.size(); ++ord) ordinal_of_id[order[ord]] = ord;

  // The postings (the biggest part) are written on a second thread while this one writes the
  // other files; both only read the segment buffer, and the postings files are listed after.
  postings_files.clear();
  std::future<Status> postings = std::async(std::launch::async, [&]() -> Status {
    try {
      return WritePostings(order, prefix, &info);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("writing postings: ") + e.what());
    }
  });
  Status rest = [&]() -> Status {
    try {
      BUSCA_RETURN_IF_ERROR(WriteSurface(ordinal_of_id, prefix, &info));
      BUSCA_RETURN_IF_ERROR(WriteLengths(prefix));
      BUSCA_RETURN_IF_ERROR(WriteColumns(prefix));
      BUSCA_RETURN_IF_ERROR(WriteIds(prefix));
      return WriteStored(prefix);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("writing a segment: ") + e.what());
    }
  }();
  BUSCA_RETURN_IF_ERROR(postings.get());
  BUSCA_RETURN_IF_ERROR(rest);
  files.insert(files.end(), postings_files.begin(), postings_files.end());
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
  // Decode each term's stream back into the TermPostings the encoder takes, one term at a time.
  TermPostings& p = term_postings;
  std::vector<uint8_t> bytes;
  for (uint32_t term_id : order) {
    s.pool.Read(s.postings[term_id], &bytes);
    p.docs.clear();
    p.tfs.clear();
    p.positions.clear();
    const uint8_t* in = bytes.data();
    const uint8_t* const end = bytes.data() + bytes.size();
    uint32_t doc = 0;
    while (in < end) {
      doc += ReadVarint(&in);
      p.docs.push_back(doc);
      const size_t tf_base = p.tfs.size();
      for (uint32_t slot = 0; slot < num_slots; ++slot) p.tfs.push_back(ReadVarint(&in));
      for (uint32_t slot = 0; slot < num_slots; ++slot) {
        uint32_t position = 0;
        for (uint32_t k = 0; k < p.tfs[tf_base + slot]; ++k) {
          position += ReadVarint(&in);
          p.positions.push_back(position);
        }
      }
    }
    BUSCA_RETURN_IF_ERROR(writer->Add(s.terms.key(term_id), p, length));
  }
  (void)info;
  return writer->Finish(&postings_files);
}

Status GenerationWriter::Impl::WriteSurface(const std::vector<uint32_t>& ordinal_of_id, const std::string& prefix,
                                            SegmentInfo* info) {
  SegmentBuffer& s = *seg;
  std::vector<uint32_t> entries(s.surfaces.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = i;
  std::sort(entries.begin(), entries.end(),
            [&](uint32_t a, uint32_t b) { return s.surface_keys.key(a) < s.surface_keys.key(b); });
  SortedTableBuilder table;
  std::string payload;
  std::vector<uint32_t> ords;
  std::vector<std::pair<const std::string*, uint32_t>> counts;  // spelling -> occurrences
  for (uint32_t e : entries) {
    const std::string& key = s.surface_keys.key(e);
    const SurfaceAcc& acc = s.surfaces[e];
    counts.clear();
    ords.clear();
    for (uint32_t k = acc.first_spelling; k != 0; k = s.spellings[k - 1].next) {
      const SpellingAcc& sp = s.spellings[k - 1];
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return *c.first == sp.spelling; });
      if (it == counts.end()) {
        counts.emplace_back(&sp.spelling, sp.count);
      } else {
        it->second += sp.count;
      }
      ords.push_back(ordinal_of_id[sp.term_id]);
    }
    const std::string* best = nullptr;
    uint32_t best_count = 0;
    for (const auto& [spelling, count] : counts) {
      if (count > best_count || (count == best_count && *spelling < *best)) {
        best = spelling;
        best_count = count;
      }
    }
    std::sort(ords.begin(), ords.end());
    ords.erase(std::unique(ords.begin(), ords.end()), ords.end());
    payload = EncodeSurfacePayload(acc.doc_freq, best ? *best : key, ords);
    table.Add(key, payload);
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
  if (s.stored_spill_fd < 0) return AddFile(WriteStoredFile(PathOf(prefix + ".stored"), s.max_doc, s.stored_blocks, {}));
  const fs::path spill = PathOf(prefix + ".stored-spill");
  if (::close(s.stored_spill_fd) != 0) {
    s.stored_spill_fd = -1;
    return Status::IOError(spill.string() + ": close failed: " + std::strerror(errno));
  }
  s.stored_spill_fd = -1;
  BUSCA_RETURN_IF_ERROR(AddFile(WriteStoredFileFromSpill(PathOf(prefix + ".stored"), s.max_doc, s.stored_blocks, spill)));
  std::error_code ec;
  fs::remove(spill, ec);
  if (ec) return Status::IOError(spill.string() + ": cannot remove: " + ec.message());
  return Status::Ok();
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
    // Verify the merged segment before anything old is removed (checksums streamed).
    for (const FileInfo& f : merged->files) {
      BUSCA_ASSIGN_OR_RETURN(auto checked, OpenCheckedFile(merge_dir / f.name, KindOfFile(f.name), false));
      if (checked.file->bytes().size() != f.size) {
        return Status::IOError("merge/" + f.name + ": re-read after merging does not match what was written");
      }
    }
    if (Status s = VerifyFileChecksums(merge_dir, merged->files); !s.ok()) {
      return Status::IOError("merge/: re-read after merging does not match what was written: " + s.message());
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
#ifdef __GLIBC__
  // The in-memory segment is gone: hand its pages back before the merge and the re-reads.
  malloc_trim(0);
#endif
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
  // Re-read every file: what is on disk must be what the manifest will say. The envelope is
  // checked on a mapping (header and footer pages only), the checksum streamed.
  for (const FileInfo& f : info.files) {
    BUSCA_ASSIGN_OR_RETURN(auto checked, OpenCheckedFile(impl.PathOf(f.name), KindOfFile(f.name), false));
    if (checked.file->bytes().size() != f.size) {
      return Status::IOError(f.name + ": re-read after writing does not match what was written");
    }
  }
  if (Status s = VerifyFileChecksums(impl.tmp.path(), info.files); !s.ok()) {
    return Status::IOError("re-read after writing does not match what was written: " + s.message());
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


}  // namespace busca::index
