#include "engine/index/segment_reader.h"

#include <bit>
#include <cmath>

#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "engine/index/file_format.h"
#include "engine/index/segment_files.h"

namespace busca::index {
namespace {

bool Aligned(const void* p, size_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }

}  // namespace

struct SegmentReader::Files {
  CheckedFile terms, postings, positions, surface, lengths, columns, ids, stored, deletes;
  std::string prefix;
  Status Corrupt(std::string_view suffix, std::string_view what) const {
    return Status::Corruption(prefix + std::string(suffix) + ": " + std::string(what));
  }
};

SegmentReader::~SegmentReader() = default;

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(const std::filesystem::path& generation_dir,
                                                          const CollectionSchema& schema, uint32_t segment_id) {
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->files_ = std::make_unique<Files>();
  Files& f = *r->files_;
  f.prefix = SegmentPrefix(segment_id);
  r->schema_ = &schema;
  r->id_ = segment_id;
  r->field_slot_.assign(schema.fields.size(), -1);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].type == FieldType::kText) {
      r->field_slot_[i] = static_cast<int8_t>(r->text_fields_.size());
      r->text_fields_.push_back(i);
    }
  }
  CheckedFile* targets[] = {&f.terms, &f.postings, &f.positions, &f.surface, &f.lengths,
                            &f.columns, &f.ids, &f.stored, &f.deletes};
  for (size_t i = 0; i < kSegmentFiles.size(); ++i) {
    BUSCA_ASSIGN_OR_RETURN(*targets[i], OpenCheckedFile(generation_dir / (f.prefix + std::string(kSegmentFiles[i].suffix)),
                                                        kSegmentFiles[i].kind, /*verify_checksum=*/false));
  }
  BUSCA_RETURN_IF_ERROR(r->LoadLengths());  // sets max_doc_
  BUSCA_RETURN_IF_ERROR(r->LoadDeletes());
  BUSCA_RETURN_IF_ERROR(r->LoadTerms());
  BUSCA_RETURN_IF_ERROR(r->LoadColumns());
  BUSCA_RETURN_IF_ERROR(r->LoadIds());
  BUSCA_RETURN_IF_ERROR(r->LoadStored());
  // Live sums need the deleted set and the lengths.
  for (uint32_t slot = 0; slot < r->lengths_.size(); ++slot) {
    uint64_t deleted_sum = 0;
    for (uint32_t d : r->deleted_) deleted_sum += r->LengthBySlot(d, slot);
    r->lengths_[slot].live_sum = r->lengths_[slot].sum - deleted_sum;
  }
  return r;
}

Status SegmentReader::LoadLengths() {
  auto body = files_->lengths.body;
  auto bad = [&](std::string_view what) { return files_->Corrupt(".lengths", what); };
  if (body.size() < 8) return bad("truncated header");
  max_doc_ = LoadU32(body.data());
  uint32_t slots = LoadU32(body.data() + 4);
  if (slots != text_fields_.size()) return bad("text field count differs from the schema");
  if (max_doc_ == kNoMoreDocs) return bad("bad doc count");
  uint64_t off = 8 + uint64_t{slots} * 16;
  if (body.size() < off) return bad("truncated header");
  lengths_.resize(slots);
  for (uint32_t s = 0; s < slots; ++s) {
    LengthColumn& c = lengths_[s];
    c.width = LoadU32(body.data() + 8 + s * 16);
    c.sum = LoadU64(body.data() + 8 + s * 16 + 8);
    if (c.width != 1 && c.width != 2 && c.width != 4) return bad("bad length width");
    uint64_t bytes = (uint64_t{max_doc_} * c.width + 7) / 8 * 8;
    if (body.size() < off + bytes) return bad("truncated length column");
    c.data = body.data() + off;
    off += bytes;
    uint64_t sum = 0;
    for (DocId d = 0; d < max_doc_; ++d) sum += LengthBySlot(d, s);
    if (sum != c.sum) return bad("length sum does not match the lengths");
  }
  if (off != body.size()) return bad("trailing bytes");
  return Status::Ok();
}

Status SegmentReader::LoadDeletes() {
  auto body = files_->deletes.body;
  auto bad = [&](std::string_view what) { return files_->Corrupt(".deletes", what); };
  if (body.size() < 16) return bad("truncated header");
  if (LoadU32(body.data()) != max_doc_) return bad("doc count differs from the segment's");
  uint64_t size = LoadU64(body.data() + 8);
  if (size != body.size() - 16) return bad("bitmap size mismatch");
  try {
    deleted_ = Roaring::readSafe(reinterpret_cast<const char*>(body.data() + 16), size);
  } catch (const std::exception& e) {
    return bad(std::string("bad deleted-docs bitmap: ") + e.what());
  }
  if (!deleted_.isEmpty() && deleted_.maximum() >= max_doc_) return bad("deleted doc beyond max_doc");
  return Status::Ok();
}

Status SegmentReader::LoadTerms() {
  BUSCA_ASSIGN_OR_RETURN(terms_.table_, SortedTable::Open(files_->terms.body, files_->prefix + ".terms"));
  BUSCA_ASSIGN_OR_RETURN(surfaces_.table_, SortedTable::Open(files_->surface.body, files_->prefix + ".surface"));
  postings_ = files_->postings.body;
  positions_ = files_->positions.body;
  // Header: u32 has-block-scoring, per slot f64 weight, f64 average length.
  const size_t T = text_fields_.size();
  const size_t header = 4 + 16 * T;
  if (postings_.size() < header) return files_->Corrupt(".postings", "truncated header");
  const uint32_t has_scoring = LoadU32(postings_.data());
  if (has_scoring > 1) return files_->Corrupt(".postings", "bad block-scoring flag");
  if (has_scoring == 1) {
    for (size_t slot = 0; slot < T; ++slot) {
      const double weight = std::bit_cast<double>(LoadU64(postings_.data() + 4 + 16 * slot));
      const double avg = std::bit_cast<double>(LoadU64(postings_.data() + 12 + 16 * slot));
      if (!std::isfinite(weight) || !std::isfinite(avg) || weight < 0 || avg < 0) {
        return files_->Corrupt(".postings", "bad block-scoring parameters");
      }
      block_scoring_.weights.push_back(weight);
      block_scoring_.avg_lengths.push_back(avg);
    }
  }
  return Status::Ok();
}

Status SegmentReader::LoadColumns() {
  auto body = files_->columns.body;
  auto bad = [&](std::string_view what) { return files_->Corrupt(".columns", what); };
  keyword_columns_.resize(schema_->fields.size());
  numeric_columns_.resize(schema_->fields.size());
  if (body.size() < 8) return bad("truncated header");
  if (LoadU32(body.data()) != max_doc_) return bad("doc count differs from the segment's");
  uint32_t n = LoadU32(body.data() + 4);
  if (n > schema_->fields.size() || body.size() < 8 + uint64_t{n} * 32) return bad("bad column table");
  if (!Aligned(body.data(), 8)) return bad("misaligned body");
  size_t expected = 0;
  for (const auto& field : schema_->fields) expected += field.type == FieldType::kText ? 0 : 1;
  if (n != expected) return bad("column count differs from the schema");
  for (uint32_t c = 0; c < n; ++c) {
    const uint8_t* e = body.data() + 8 + c * 32;
    uint32_t field = LoadU32(e);
    uint32_t kind = LoadU32(e + 4);
    uint64_t off = LoadU64(e + 8), size = LoadU64(e + 16);
    if (field >= schema_->fields.size() || off % 8 != 0 || off > body.size() || size > body.size() - off) {
      return bad("bad column entry");
    }
    const FieldSpec& spec = schema_->fields[field];
    const uint8_t* sec = body.data() + off;
    if (kind == kKeywordColumnKind) {
      if (spec.type != FieldType::kKeyword || keyword_columns_[field]) return bad("column kind differs from the schema");
      if (size < 48) return bad("truncated keyword column");
      auto col = std::make_unique<KeywordColumn>();
      col->multi_ = LoadU32(sec) != 0;
      uint32_t dict_size = LoadU32(sec + 4);
      uint64_t num_ords = LoadU64(sec + 8), offsets_off = LoadU64(sec + 16), ords_off = LoadU64(sec + 24);
      uint64_t dict_off = LoadU64(sec + 32), dict_len = LoadU64(sec + 40);
      if (offsets_off != 48 || ords_off != offsets_off + (uint64_t{max_doc_} + 1) * 4 ||
          ords_off + num_ords * 4 > dict_off || dict_off > size || dict_len > size - dict_off) {
        return bad("bad keyword column layout (field \"" + spec.name + "\")");
      }
      col->offsets_ = reinterpret_cast<const uint32_t*>(sec + offsets_off);
      col->ordinals_ = reinterpret_cast<const uint32_t*>(sec + ords_off);
      BUSCA_ASSIGN_OR_RETURN(col->dictionary_, SortedTable::Open({sec + dict_off, dict_len}, files_->prefix + ".columns"));
      if (col->dictionary_.size() != dict_size) return bad("keyword dictionary size mismatch");
      if (col->offsets_[0] != 0 || col->offsets_[max_doc_] != num_ords) return bad("bad keyword offsets");
      for (DocId d = 0; d < max_doc_; ++d) {
        if (col->offsets_[d] > col->offsets_[d + 1]) return bad("bad keyword offsets");
      }
      for (uint64_t i = 0; i < num_ords; ++i) {
        if (col->ordinals_[i] >= dict_size) return bad("keyword ordinal out of range");
      }
      keyword_columns_[field] = std::move(col);
    } else if (kind == kNumericColumnKind) {
      if (spec.type == FieldType::kText || spec.type == FieldType::kKeyword || numeric_columns_[field]) {
        return bad("column kind differs from the schema");
      }
      uint64_t bitmap = (uint64_t{max_doc_} + 7) / 8;
      uint64_t values_off = 24 + (bitmap + 7) / 8 * 8;
      if (size < values_off + uint64_t{max_doc_} * 8) return bad("truncated numeric column");
      auto col = std::make_unique<NumericColumn>();
      col->non_null_ = LoadU32(sec);
      col->min_ = static_cast<int64_t>(LoadU64(sec + 8));
      col->max_ = static_cast<int64_t>(LoadU64(sec + 16));
      col->present_ = sec + 24;
      col->values_ = reinterpret_cast<const int64_t*>(sec + values_off);
      keyword_columns_[field].reset();
      numeric_columns_[field] = std::move(col);
    } else {
      return bad("unknown column kind");
    }
  }
  return Status::Ok();
}

Status SegmentReader::LoadIds() {
  auto body = files_->ids.body;
  auto bad = [&](std::string_view what) { return files_->Corrupt(".ids", what); };
  if (body.size() < 16) return bad("truncated header");
  if (LoadU32(body.data()) != max_doc_) return bad("doc count differs from the segment's");
  uint64_t bytes_len = LoadU64(body.data() + 8);
  uint64_t arrays = 16 + (uint64_t{max_doc_} + 1) * 4 + uint64_t{max_doc_} * 4;
  uint64_t bytes_off = (arrays + 7) / 8 * 8;
  if (body.size() != bytes_off + bytes_len) return bad("size mismatch");
  id_offsets_ = reinterpret_cast<const uint32_t*>(body.data() + 16);
  id_sorted_ = id_offsets_ + max_doc_ + 1;
  id_bytes_ = reinterpret_cast<const char*>(body.data() + bytes_off);
  if (id_offsets_[0] != 0 || id_offsets_[max_doc_] != bytes_len) return bad("bad id offsets");
  for (DocId d = 0; d < max_doc_; ++d) {
    if (id_offsets_[d] >= id_offsets_[d + 1]) return bad("bad id offsets");
    if (id_sorted_[d] >= max_doc_) return bad("bad id order");
  }
  return Status::Ok();
}

Status SegmentReader::LoadStored() {
  auto body = files_->stored.body;
  auto bad = [&](std::string_view what) { return files_->Corrupt(".stored", what); };
  if (body.size() < 16) return bad("truncated header");
  stored_blocks_ = LoadU32(body.data());
  if (LoadU32(body.data() + 4) != max_doc_) return bad("doc count differs from the segment's");
  uint64_t index_bytes = uint64_t{stored_blocks_} * 24;
  if (body.size() < 16 + index_bytes) return bad("truncated block index");
  stored_index_ = body.data() + 16;
  stored_ = body.subspan(16 + index_bytes);
  uint32_t next_doc = 0;
  for (uint32_t b = 0; b < stored_blocks_; ++b) {
    const uint8_t* e = stored_index_ + b * 24;
    uint32_t first = LoadU32(e), count = LoadU32(e + 4);
    uint64_t off = LoadU64(e + 8);
    uint32_t csize = LoadU32(e + 16);
    if (first != next_doc || count == 0 || off > stored_.size() || csize > stored_.size() - off) {
      return bad("bad block index entry " + std::to_string(b));
    }
    next_doc = first + count;
  }
  if (next_doc != max_doc_) return bad("blocks do not cover every doc");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------

uint32_t TermDictionary::Iterator::doc_freq() const {
  auto p = it_.payload();
  const uint8_t* q = p.data();
  uint64_t v = 0;
  if (!GetVarint(&q, p.data() + p.size(), &v)) return 0;
  return static_cast<uint32_t>(v);
}

std::optional<TermDictionary::Iterator> TermDictionary::Find(std::string_view term) const {
  auto it = table_.Find(term);
  if (!it) return std::nullopt;
  return Iterator(std::move(*it));
}

SurfaceEntry SurfaceDictionary::Iterator::entry() const {
  SurfaceEntry e;
  e.folded = it_.key();
  auto p = it_.payload();
  const uint8_t* q = p.data();
  const uint8_t* end = p.data() + p.size();
  uint64_t df = 0, len = 0, n = 0;
  if (!GetVarint(&q, end, &df) || !GetVarint(&q, end, &len) || len > static_cast<uint64_t>(end - q)) return e;
  e.doc_freq = static_cast<uint32_t>(df);
  e.spelling = {reinterpret_cast<const char*>(q), static_cast<size_t>(len)};
  q += len;
  if (!GetVarint(&q, end, &n)) return e;
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t d;
    if (!GetVarint(&q, end, &d)) break;
    prev += d;
    e.term_ordinals.push_back(static_cast<uint32_t>(prev));
  }
  return e;
}

std::optional<SurfaceEntry> SurfaceDictionary::Find(std::string_view folded) const {
  auto it = table_.Find(folded);
  if (!it) return std::nullopt;
  return Iterator(std::move(*it)).entry();
}

std::string KeywordColumn::Value(uint32_t ordinal) const {
  auto it = dictionary_.At(ordinal);
  return it.Valid() ? std::string(it.key()) : std::string();
}

std::optional<uint32_t> KeywordColumn::FindOrdinal(std::string_view value) const {
  auto it = dictionary_.Find(value);
  if (!it) return std::nullopt;
  return it->ordinal();
}

std::span<const uint32_t> KeywordColumn::Ordinals(DocId doc) const {
  return {ordinals_ + offsets_[doc], ordinals_ + offsets_[doc + 1]};
}

// ---------------------------------------------------------------------------------------------

uint32_t SegmentReader::DocFreq(std::string_view term) const {
  auto it = terms_.Find(term);
  return it ? it->doc_freq() : 0;
}

PostingCursor SegmentReader::OpenPostings(std::string_view term) const {
  auto it = terms_.Find(term);
  if (!it) return PostingCursor();
  return OpenPostings(*it);
}

PostingCursor SegmentReader::OpenPostings(uint32_t term_ordinal) const {
  auto it = terms_.At(term_ordinal);
  if (!it.Valid()) return PostingCursor();
  return OpenPostings(it);
}

PostingCursor SegmentReader::OpenPostings(const TermDictionary::Iterator& it) const {
  if (!it.Valid()) return PostingCursor();
  return MakeCursor(it.it_.payload());
}

uint32_t SegmentReader::FieldLength(DocId doc, size_t field) const {
  if (field >= field_slot_.size() || field_slot_[field] < 0 || doc >= max_doc_) return 0;
  return LengthBySlot(doc, static_cast<uint32_t>(field_slot_[field]));
}

uint64_t SegmentReader::FieldLengthSum(size_t field) const {
  if (field >= field_slot_.size() || field_slot_[field] < 0) return 0;
  return lengths_[field_slot_[field]].sum;
}

uint64_t SegmentReader::LiveFieldLengthSum(size_t field) const {
  if (field >= field_slot_.size() || field_slot_[field] < 0) return 0;
  return lengths_[field_slot_[field]].live_sum;
}

const KeywordColumn* SegmentReader::keyword_column(size_t field) const {
  return field < keyword_columns_.size() ? keyword_columns_[field].get() : nullptr;
}

const NumericColumn* SegmentReader::numeric_column(size_t field) const {
  return field < numeric_columns_.size() ? numeric_columns_[field].get() : nullptr;
}

std::string_view SegmentReader::ExternalId(DocId doc) const {
  if (doc >= max_doc_) return {};
  return {id_bytes_ + id_offsets_[doc], id_offsets_[doc + 1] - id_offsets_[doc]};
}

std::optional<DocId> SegmentReader::FindExternalId(std::string_view id) const {
  uint32_t lo = 0, hi = max_doc_;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (ExternalId(id_sorted_[mid]) < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // An id may repeat within a segment (deleted, then added again): prefer the live doc, else the
  // most recent one (equal ids are sorted by DocId).
  std::optional<DocId> found;
  for (uint32_t i = lo; i < max_doc_ && ExternalId(id_sorted_[i]) == id; ++i) {
    found = id_sorted_[i];
    if (IsLive(*found)) break;
  }
  return found;
}

Result<Document> SegmentReader::StoredDocument(DocId doc) const {
  auto bad = [&](std::string_view what) {
    return files_->Corrupt(".stored", std::string(what) + " (doc " + std::to_string(doc) + ")");
  };
  if (doc >= max_doc_) return Status::InvalidArgument("doc " + std::to_string(doc) + " out of range");
  // Block containing doc: last block with first_doc <= doc.
  uint32_t lo = 0, hi = stored_blocks_;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (LoadU32(stored_index_ + mid * 24) <= doc) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const uint8_t* e = stored_index_ + lo * 24;
  uint32_t first = LoadU32(e);
  uint64_t off = LoadU64(e + 8);
  uint32_t csize = LoadU32(e + 16), raw_size = LoadU32(e + 20);
  std::string raw(raw_size, '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), stored_.data() + off, csize);
  if (ZSTD_isError(n) || n != raw_size) return bad("stored block does not decompress");
  const uint8_t* p = reinterpret_cast<const uint8_t*>(raw.data());
  const uint8_t* end = p + raw.size();
  auto get_string = [&](std::string* out) -> bool {
    uint64_t len;
    if (!GetVarint(&p, end, &len) || len > static_cast<uint64_t>(end - p)) return false;
    out->assign(reinterpret_cast<const char*>(p), len);
    p += len;
    return true;
  };
  Document out;
  for (DocId d = first;; ++d) {
    out.id.clear();
    out.values.assign(schema_->fields.size(), FieldValue{});
    if (!get_string(&out.id)) return bad("truncated stored record");
    for (size_t i = 0; i < schema_->fields.size(); ++i) {
      const FieldSpec& f = schema_->fields[i];
      if (!f.stored) continue;
      if (p >= end) return bad("truncated stored record");
      uint8_t tag = *p++;
      if (tag == 0) continue;
      if (tag != 1) return bad("bad stored value tag");
      switch (f.type) {
        case FieldType::kText: {
          std::string s;
          if (!get_string(&s)) return bad("truncated stored text");
          out.values[i] = std::move(s);
          break;
        }
        case FieldType::kKeyword: {
          uint64_t count;
          if (!GetVarint(&p, end, &count) || count > static_cast<uint64_t>(end - p)) return bad("bad keyword count");
          std::vector<std::string> vals(count);
          for (auto& v : vals) {
            if (!get_string(&v)) return bad("truncated stored keyword");
          }
          out.values[i] = std::move(vals);
          break;
        }
        case FieldType::kNumber:
        case FieldType::kTimestamp: {
          uint64_t v;
          if (!GetVarint(&p, end, &v)) return bad("truncated stored number");
          out.values[i] = UnZigZag(v);
          break;
        }
        case FieldType::kBoolean:
          if (p >= end) return bad("truncated stored boolean");
          out.values[i] = *p++ != 0;
          break;
      }
    }
    if (d == doc) break;
  }
  if (out.id != ExternalId(doc)) return bad("stored id differs from the id column");
  return out;
}

}  // namespace busca::index
