#include "engine/index/segment_encoding.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <fstream>

#include "engine/index/doc_id.h"
#include "engine/index/posting_codec.h"
#include "engine/index/segment_files.h"

namespace busca::index {
namespace fs = std::filesystem;

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

BlockScoring MakeBlockScoring(const CollectionSchema& schema, const std::vector<size_t>& text_fields,
                              uint32_t max_doc, const std::vector<std::vector<uint32_t>>& lengths) {
  BlockScoring scoring;
  for (size_t slot = 0; slot < text_fields.size(); ++slot) {
    uint64_t sum = 0;
    for (uint32_t d = 0; d < max_doc && d < lengths[slot].size(); ++d) sum += lengths[slot][d];
    scoring.weights.push_back(schema.fields[text_fields[slot]].weight);
    // The searcher's average: total tokens / max_doc over the generation (one segment here).
    scoring.avg_lengths.push_back(max_doc > 0 ? static_cast<double>(sum) / static_cast<double>(max_doc) : 0.0);
  }
  return scoring;
}

Result<std::unique_ptr<PostingsWriter>> PostingsWriter::Create(const fs::path& dir, const std::string& prefix,
                                                               uint32_t num_slots, BlockScoring scoring) {
  if (scoring.enabled() && (scoring.weights.size() != num_slots || scoring.avg_lengths.size() != num_slots)) {
    return Status::InvalidArgument("PostingsWriter: block scoring needs one weight and average per slot");
  }
  std::unique_ptr<PostingsWriter> w(new PostingsWriter());
  w->num_slots_ = num_slots;
  w->dir_ = dir;
  w->prefix_ = prefix;
  w->scoring_ = std::move(scoring);
  BUSCA_ASSIGN_OR_RETURN(w->post_, FileWriter::Create(dir / (prefix + ".postings"), "POST"));
  // Header: u32 1 when block tf~ bounds are present (else 0), then per slot f64 weight and f64
  // average length (zeros when absent).
  std::string header;
  PutU32(&header, w->scoring_.enabled() ? 1 : 0);
  for (uint32_t slot = 0; slot < num_slots; ++slot) {
    const double weight = w->scoring_.enabled() ? w->scoring_.weights[slot] : 0.0;
    const double avg = w->scoring_.enabled() ? w->scoring_.avg_lengths[slot] : 0.0;
    PutU64(&header, std::bit_cast<uint64_t>(weight));
    PutU64(&header, std::bit_cast<uint64_t>(avg));
  }
  BUSCA_RETURN_IF_ERROR(w->post_->Append(header));
  BUSCA_ASSIGN_OR_RETURN(w->pos_, FileWriter::Create(dir / (prefix + ".positions"), "POSI"));
  w->tmp_.resize(kPostingBlockSize);
  w->block_bound_.resize(num_slots);
  w->term_bound_.resize(num_slots);
  return w;
}

Status PostingsWriter::Add(std::string_view term, const TermPostings& p, const LengthFn& length) {
  const uint32_t T = num_slots_;
  const uint32_t n = static_cast<uint32_t>(p.docs.size());
  const uint32_t num_blocks = (n + kPostingBlockSize - 1) / kPostingBlockSize;
  skip_.clear();
  blocks_.clear();
  posbuf_.clear();
  std::fill(term_bound_.begin(), term_bound_.end(), FieldBound{});
  size_t pos_cursor = 0;  // into p.positions
  int64_t prev_doc = -1;
  for (uint32_t b = 0; b < num_blocks; ++b) {
    const uint32_t first = b * kPostingBlockSize;
    const uint32_t count = std::min(kPostingBlockSize, n - first);
    const uint32_t block_offset = static_cast<uint32_t>(blocks_.size());
    const uint32_t pos_offset = static_cast<uint32_t>(posbuf_.size());
    // Doc gaps minus one.
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t d = p.docs[first + i];
      tmp_[i] = static_cast<uint32_t>(static_cast<int64_t>(d) - prev_doc - 1);
      prev_doc = d;
    }
    codec::EncodeBlock(tmp_.data(), count, &blocks_);
    std::fill(block_bound_.begin(), block_bound_.end(), FieldBound{});
    for (uint32_t slot = 0; slot < T; ++slot) {
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t tf = p.tfs[size_t{first + i} * T + slot];
        tmp_[i] = T == 1 ? tf - 1 : tf;
        if (tf > 0) {
          FieldBound& bb = block_bound_[slot];
          uint32_t len = length(p.docs[first + i], slot);
          bb.max_tf = std::max(bb.max_tf, tf);
          bb.min_length = bb.min_length == 0 ? len : std::min(bb.min_length, len);
        }
      }
      codec::EncodeBlock(tmp_.data(), count, &blocks_);
    }
    float block_tf_tilde = 0;
    if (scoring_.enabled() && num_blocks > 1) {  // a one-block list's bound is computed on open
      for (uint32_t i = 0; i < count; ++i) {
        double tf_tilde = 0;  // summed in slot order, as the query side does
        for (uint32_t slot = 0; slot < T; ++slot) {
          uint32_t tf = p.tfs[size_t{first + i} * T + slot];
          if (tf == 0) continue;
          tf_tilde += scoring_.weights[slot] * tf *
                      Bm25InverseNorm(length(p.docs[first + i], slot), scoring_.avg_lengths[slot]);
        }
        block_tf_tilde = std::max(block_tf_tilde, RoundUpBound(tf_tilde));
      }
    }
    // Positions of the block: per doc, per slot: first absolute, then gaps.
    pos_values_.clear();
    for (uint32_t i = 0; i < count; ++i) {
      for (uint32_t slot = 0; slot < T; ++slot) {
        uint32_t tf = p.tfs[size_t{first + i} * T + slot];
        uint32_t prev = 0;
        for (uint32_t k = 0; k < tf; ++k) {
          uint32_t position = p.positions[pos_cursor++];
          pos_values_.push_back(k == 0 ? position : position - prev);
          prev = position;
        }
      }
    }
    for (size_t k = 0; k < pos_values_.size(); k += codec::kMaxBlockValues) {
      codec::EncodeBlock(pos_values_.data() + k, std::min(codec::kMaxBlockValues, pos_values_.size() - k), &posbuf_);
    }
    for (uint32_t slot = 0; slot < T; ++slot) {
      FieldBound& tb = term_bound_[slot];
      const FieldBound& bb = block_bound_[slot];
      tb.max_tf = std::max(tb.max_tf, bb.max_tf);
      if (bb.min_length > 0) tb.min_length = tb.min_length == 0 ? bb.min_length : std::min(tb.min_length, bb.min_length);
    }
    if (num_blocks > 1) {
      PutU32(&skip_, p.docs[first + count - 1]);
      PutU32(&skip_, block_offset);
      PutU32(&skip_, pos_offset);
      for (uint32_t slot = 0; slot < T; ++slot) {
        PutU32(&skip_, block_bound_[slot].max_tf);
        PutU32(&skip_, block_bound_[slot].min_length);
      }
      PutU32(&skip_, std::bit_cast<uint32_t>(block_tf_tilde));
    }
  }
  payload_.clear();
  PutVarint(&payload_, n);
  PutVarint(&payload_, post_->body_size());
  PutVarint(&payload_, pos_->body_size());
  for (uint32_t slot = 0; slot < T; ++slot) {
    PutVarint(&payload_, term_bound_[slot].max_tf);
    PutVarint(&payload_, term_bound_[slot].min_length);
  }
  dict_.Add(term, payload_);
  BUSCA_RETURN_IF_ERROR(post_->Append(skip_));
  BUSCA_RETURN_IF_ERROR(post_->Append(blocks_));
  return pos_->Append(posbuf_);
}

Status PostingsWriter::Finish(std::vector<FileInfo>* files) {
  BUSCA_ASSIGN_OR_RETURN(FileInfo post, post_->Finish());
  files->push_back(std::move(post));
  BUSCA_ASSIGN_OR_RETURN(FileInfo pos, pos_->Finish());
  files->push_back(std::move(pos));
  BUSCA_ASSIGN_OR_RETURN(FileInfo terms, WriteFile(dir_ / (prefix_ + ".terms"), "TERM", dict_.Finish()));
  files->push_back(std::move(terms));
  return Status::Ok();
}

std::string EncodeSurfacePayload(uint32_t doc_freq, std::string_view spelling,
                                 const std::vector<uint32_t>& sorted_ordinals) {
  std::string payload;
  PutVarint(&payload, doc_freq);
  PutString(&payload, spelling);
  PutVarint(&payload, sorted_ordinals.size());
  uint32_t prev = 0;
  for (uint32_t o : sorted_ordinals) {
    PutVarint(&payload, o - prev);
    prev = o;
  }
  return payload;
}

std::string EncodeLengthsBody(uint32_t max_doc, const std::vector<std::vector<uint32_t>>& lengths) {
  const uint32_t num_slots = static_cast<uint32_t>(lengths.size());
  std::string body;
  PutU32(&body, max_doc);
  PutU32(&body, num_slots);
  std::vector<uint32_t> widths(num_slots);
  for (uint32_t slot = 0; slot < num_slots; ++slot) {
    uint32_t max_len = 0;
    uint64_t sum = 0;
    for (uint32_t len : lengths[slot]) {
      max_len = std::max(max_len, len);
      sum += len;
    }
    widths[slot] = max_len < 256 ? 1 : max_len < 65536 ? 2 : 4;
    PutU32(&body, widths[slot]);
    PutU32(&body, 0);
    PutU64(&body, sum);
  }
  for (uint32_t slot = 0; slot < num_slots; ++slot) {
    for (uint32_t len : lengths[slot]) body.append(reinterpret_cast<const char*>(&len), widths[slot]);
    while (body.size() % 8 != 0) body.push_back(0);
  }
  return body;
}

std::string EncodeColumnsBody(const CollectionSchema& schema, uint32_t max_doc,
                              const std::vector<std::unique_ptr<KeywordAcc>>& keywords,
                              const std::vector<std::unique_ptr<NumericAcc>>& numerics) {
  std::vector<std::pair<uint32_t, uint32_t>> columns;  // (field, kind)
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (keywords[i]) columns.emplace_back(static_cast<uint32_t>(i), kKeywordColumnKind);
    if (numerics[i]) columns.emplace_back(static_cast<uint32_t>(i), kNumericColumnKind);
  }
  std::vector<std::string> sections;
  for (auto [field, kind] : columns) {
    std::string sec;
    if (kind == kKeywordColumnKind) {
      const KeywordAcc& k = *keywords[field];
      std::vector<uint32_t> order(k.values.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return k.values[a] < k.values[b]; });
      std::vector<uint32_t> ord_of(order.size());
      for (uint32_t o = 0; o < order.size(); ++o) ord_of[order[o]] = o;
      std::vector<uint32_t> offsets{0};
      std::vector<uint32_t> ords;
      std::vector<uint32_t> doc_ords;
      for (uint32_t d = 0; d < max_doc; ++d) {
        doc_ords.clear();
        for (uint32_t j = k.offsets[d]; j < k.offsets[d + 1]; ++j) doc_ords.push_back(ord_of[k.vals[j]]);
        std::sort(doc_ords.begin(), doc_ords.end());
        doc_ords.erase(std::unique(doc_ords.begin(), doc_ords.end()), doc_ords.end());
        ords.insert(ords.end(), doc_ords.begin(), doc_ords.end());
        offsets.push_back(static_cast<uint32_t>(ords.size()));
      }
      SortedTableBuilder dict;
      for (uint32_t id : order) dict.Add(k.values[id], {});
      std::string dict_bytes = dict.Finish();
      const uint64_t header = 48;
      uint64_t offsets_off = header;
      uint64_t ords_off = offsets_off + offsets.size() * 4;
      uint64_t dict_off = (ords_off + ords.size() * 4 + 7) / 8 * 8;
      PutU32(&sec, schema.fields[field].multi ? 1 : 0);
      PutU32(&sec, static_cast<uint32_t>(order.size()));
      PutU64(&sec, ords.size());
      PutU64(&sec, offsets_off);
      PutU64(&sec, ords_off);
      PutU64(&sec, dict_off);
      PutU64(&sec, dict_bytes.size());
      sec.append(reinterpret_cast<const char*>(offsets.data()), offsets.size() * 4);
      sec.append(reinterpret_cast<const char*>(ords.data()), ords.size() * 4);
      sec.resize(dict_off, 0);
      sec += dict_bytes;
    } else {
      const NumericAcc& n = *numerics[field];
      uint32_t non_null = 0;
      int64_t mn = 0, mx = 0;
      std::string bitmap((max_doc + 7) / 8, 0);
      for (uint32_t d = 0; d < max_doc; ++d) {
        if (!n.present[d]) continue;
        bitmap[d / 8] = static_cast<char>(bitmap[d / 8] | (1 << (d % 8)));
        int64_t v = n.values[d];
        if (non_null == 0) {
          mn = mx = v;
        } else {
          mn = std::min(mn, v);
          mx = std::max(mx, v);
        }
        ++non_null;
      }
      PutU32(&sec, non_null);
      PutU32(&sec, 0);
      PutU64(&sec, static_cast<uint64_t>(mn));
      PutU64(&sec, static_cast<uint64_t>(mx));
      sec += bitmap;
      while (sec.size() % 8 != 0) sec.push_back(0);
      sec.append(reinterpret_cast<const char*>(n.values.data()), n.values.size() * 8);
    }
    while (sec.size() % 8 != 0) sec.push_back(0);
    sections.push_back(std::move(sec));
  }
  std::string body;
  PutU32(&body, max_doc);
  PutU32(&body, static_cast<uint32_t>(columns.size()));
  uint64_t offset = 8 + columns.size() * 32;
  offset = (offset + 7) / 8 * 8;
  for (size_t c = 0; c < columns.size(); ++c) {
    PutU32(&body, columns[c].first);
    PutU32(&body, columns[c].second);
    PutU64(&body, offset);
    PutU64(&body, sections[c].size());
    PutU64(&body, 0);
    offset += sections[c].size();
  }
  while (body.size() % 8 != 0) body.push_back(0);
  for (const auto& sec : sections) body += sec;
  return body;
}

std::string EncodeIdsBody(const std::vector<std::string>& ids) {
  const uint32_t max_doc = static_cast<uint32_t>(ids.size());
  std::vector<uint32_t> offsets{0};
  std::string bytes;
  for (const auto& id : ids) {
    bytes += id;
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  std::vector<uint32_t> sorted(max_doc);
  for (uint32_t i = 0; i < max_doc; ++i) sorted[i] = i;
  std::stable_sort(sorted.begin(), sorted.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
  std::string body;
  PutU32(&body, max_doc);
  PutU32(&body, 0);
  PutU64(&body, bytes.size());
  body.append(reinterpret_cast<const char*>(offsets.data()), offsets.size() * 4);
  body.append(reinterpret_cast<const char*>(sorted.data()), sorted.size() * 4);
  while (body.size() % 8 != 0) body.push_back(0);
  body += bytes;
  return body;
}

std::string EncodeDeletesBody(uint32_t max_doc, const ::Roaring& deleted) {
  ::Roaring del = deleted;
  del.runOptimize();
  std::string body;
  PutU32(&body, max_doc);
  PutU32(&body, 0);
  std::string bits(del.getSizeInBytes(/*portable=*/true), '\0');
  del.write(bits.data(), /*portable=*/true);
  PutU64(&body, bits.size());
  body += bits;
  return body;
}

void AppendStoredRecord(const CollectionSchema& schema, const Document& d, std::string* out) {
  PutString(out, d.id);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldSpec& f = schema.fields[i];
    if (!f.stored) continue;
    const FieldValue& v = d.values[i];
    if (std::holds_alternative<std::monostate>(v)) {
      out->push_back(0);
      continue;
    }
    out->push_back(1);
    switch (f.type) {
      case FieldType::kText: PutString(out, std::get<std::string>(v)); break;
      case FieldType::kKeyword: {
        const auto& vals = std::get<std::vector<std::string>>(v);
        PutVarint(out, vals.size());
        for (const auto& value : vals) PutString(out, value);
        break;
      }
      case FieldType::kNumber:
      case FieldType::kTimestamp: PutVarint(out, ZigZag(std::get<int64_t>(v))); break;
      case FieldType::kBoolean: out->push_back(std::get<bool>(v) ? 1 : 0); break;
    }
  }
}

Result<std::string> CompressStoredBlock(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

namespace {
std::string StoredHead(uint32_t max_doc, const std::vector<StoredBlock>& blocks) {
  std::string head;
  PutU32(&head, static_cast<uint32_t>(blocks.size()));
  PutU32(&head, max_doc);
  PutU64(&head, 0);
  for (const StoredBlock& b : blocks) {
    PutU32(&head, b.first_doc);
    PutU32(&head, b.num_docs);
    PutU64(&head, b.offset);
    PutU32(&head, b.compressed_size);
    PutU32(&head, b.raw_size);
  }
  return head;
}
}  // namespace

Result<FileInfo> WriteStoredFile(const fs::path& path, uint32_t max_doc, const std::vector<StoredBlock>& blocks,
                                 std::string_view compressed) {
  BUSCA_ASSIGN_OR_RETURN(auto w, FileWriter::Create(path, "STOR"));
  BUSCA_RETURN_IF_ERROR(w->Append(StoredHead(max_doc, blocks)));
  BUSCA_RETURN_IF_ERROR(w->Append(compressed));
  return w->Finish();
}

Result<FileInfo> WriteStoredFileFromSpill(const fs::path& path, uint32_t max_doc,
                                          const std::vector<StoredBlock>& blocks, const fs::path& spill) {
  BUSCA_ASSIGN_OR_RETURN(auto w, FileWriter::Create(path, "STOR"));
  BUSCA_RETURN_IF_ERROR(w->Append(StoredHead(max_doc, blocks)));
  std::ifstream in(spill, std::ios::binary);
  if (!in) return Status::IOError(spill.string() + ": cannot open stored-field spill file");
  std::string buf(1 << 20, '\0');
  uint64_t copied = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    BUSCA_RETURN_IF_ERROR(w->Append(buf.data(), static_cast<size_t>(got)));
    copied += static_cast<uint64_t>(got);
  }
  if (in.bad()) return Status::IOError(spill.string() + ": read error");
  uint64_t expected = blocks.empty() ? 0 : blocks.back().offset + blocks.back().compressed_size;
  if (copied != expected) return Status::IOError(spill.string() + ": spill file has the wrong size");
  return w->Finish();
}

}  // namespace busca::index
