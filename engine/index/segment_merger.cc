#include "engine/index/segment_merger.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "engine/index/doc_id.h"
#include "engine/index/file_format.h"
#include "engine/index/segment_encoding.h"
#include "engine/index/segment_files.h"
#include "engine/index/sorted_table_builder.h"

namespace busca::index {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kDropped = std::numeric_limits<uint32_t>::max();

// Removes the stored-field spill file however the merge ends.
class SpillFile {
 public:
  explicit SpillFile(fs::path path) : path_(std::move(path)) {}
  ~SpillFile() {
    out_.close();
    std::error_code ec;
    fs::remove(path_, ec);
  }
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  Status Open() {
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) return Status::IOError(path_.string() + ": cannot create stored-field spill file");
    return Status::Ok();
  }
  Status Append(std::string_view bytes) {
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out_) return Status::IOError(path_.string() + ": write failed");
    return Status::Ok();
  }
  Status Close() {
    out_.close();
    if (out_.fail()) return Status::IOError(path_.string() + ": close failed");
    return Status::Ok();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::ofstream out_;
};

class Merger {
 public:
  Merger(const CollectionSchema& schema, std::span<const SegmentReader* const> inputs, fs::path out_dir,
         uint32_t out_id, const SegmentMergeOptions& options)
      : schema_(schema), inputs_(inputs), out_dir_(std::move(out_dir)), prefix_(SegmentPrefix(out_id)),
        options_(options) {
    result_.info.id = out_id;
  }

  Result<SegmentMergeResult> Run() {
    if (inputs_.empty()) return Status::InvalidArgument("MergeSegments: no input segments");
    for (const SegmentReader* in : inputs_) {
      if (in == nullptr) return Status::InvalidArgument("MergeSegments: null input segment");
      if (in->schema().fields.size() != schema_.fields.size()) {
        return Status::InvalidArgument("MergeSegments: segment " + SegmentPrefix(in->id()) +
                                       " was built with a different schema");
      }
    }
    text_fields_ = inputs_[0]->text_fields();
    BUSCA_RETURN_IF_ERROR(MapDocs());
    BUSCA_RETURN_IF_ERROR(MergeLengths());
    BUSCA_RETURN_IF_ERROR(MergePostings());
    BUSCA_RETURN_IF_ERROR(MergeSurfaces());
    BUSCA_RETURN_IF_ERROR(MergeColumns());
    BUSCA_RETURN_IF_ERROR(MergeIdsAndStored());
    BUSCA_RETURN_IF_ERROR(AddFile(WriteFile(out_dir_ / (prefix_ + ".deletes"), "DELS",
                                            EncodeDeletesBody(max_doc_, ::Roaring()))));
    result_.info.max_doc = max_doc_;
    result_.info.deleted_docs = 0;
    return std::move(result_);
  }

 private:
  Status AddFile(Result<FileInfo> r) {
    if (!r.ok()) return r.status();
    result_.files.push_back(std::move(r).value());
    return Status::Ok();
  }

  // new_doc_[i][old] = new DocId of a live doc, kDropped for a deleted one.
  Status MapDocs() {
    uint64_t next = 0;
    new_doc_.resize(inputs_.size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const SegmentReader& in = *inputs_[i];
      new_doc_[i].assign(in.max_doc(), kDropped);
      for (DocId d = 0; d < in.max_doc(); ++d) {
        if (in.IsLive(d)) new_doc_[i][d] = static_cast<uint32_t>(next++);
      }
    }
    if (next >= kNoMoreDocs) return Status::InvalidArgument("MergeSegments: too many live docs for one segment");
    max_doc_ = static_cast<uint32_t>(next);
    return Status::Ok();
  }

  template <typename Fn>
  void ForEachLive(Fn&& fn) {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      for (DocId d = 0; d < inputs_[i]->max_doc(); ++d) {
        if (new_doc_[i][d] != kDropped) fn(i, d, new_doc_[i][d]);
      }
    }
  }

  Status MergeLengths() {
    const uint32_t T = static_cast<uint32_t>(text_fields_.size());
    lengths_.assign(T, std::vector<uint32_t>(max_doc_, 0));
    ForEachLive([&](size_t i, DocId d, uint32_t nd) {
      for (uint32_t slot = 0; slot < T; ++slot) lengths_[slot][nd] = inputs_[i]->LengthBySlot(d, slot);
    });
    return AddFile(WriteFile(out_dir_ / (prefix_ + ".lengths"), "LENS", EncodeLengthsBody(max_doc_, lengths_)));
  }

  Status MergePostings() {
    const uint32_t T = static_cast<uint32_t>(text_fields_.size());
    BUSCA_ASSIGN_OR_RETURN(auto writer, PostingsWriter::Create(out_dir_, prefix_, T,
                                                               MakeBlockScoring(schema_, text_fields_, max_doc_, lengths_)));
    auto length = [this](uint32_t doc, uint32_t slot) { return lengths_[slot][doc]; };
    const size_t n = inputs_.size();
    std::vector<TermDictionary::Iterator> its;
    term_map_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      its.push_back(inputs_[i]->terms().Begin());
      term_map_[i].assign(inputs_[i]->terms().size(), kDropped);
    }
    TermPostings merged;
    std::vector<uint32_t> positions;
    std::string term;
    uint32_t next_ordinal = 0;
    while (true) {
      std::optional<std::string_view> min;
      for (size_t i = 0; i < n; ++i) {
        if (its[i].Valid() && (!min || its[i].term() < *min)) min = its[i].term();
      }
      if (!min) break;
      term.assign(*min);
      merged.docs.clear();
      merged.tfs.clear();
      merged.positions.clear();
      std::vector<std::pair<size_t, uint32_t>> sources;  // (input, old ordinal)
      for (size_t i = 0; i < n; ++i) {
        if (!its[i].Valid() || its[i].term() != term) continue;
        sources.emplace_back(i, its[i].ordinal());
        PostingCursor cursor = inputs_[i]->OpenPostings(its[i]);
        for (DocId d = cursor.doc(); d != kNoMoreDocs; d = cursor.Next()) {
          if (d >= inputs_[i]->max_doc()) {
            return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".postings: doc out of range in term \"" +
                                      term + "\"");
          }
          const uint32_t nd = new_doc_[i][d];
          if (nd == kDropped) continue;
          merged.docs.push_back(nd);
          bool any = false;
          for (uint32_t slot = 0; slot < T; ++slot) {
            const uint32_t tf = cursor.Tf(text_fields_[slot]);
            merged.tfs.push_back(tf);
            if (tf == 0) continue;
            any = true;
            cursor.Positions(text_fields_[slot], &positions);
            if (positions.size() != tf) {
              return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".positions: " +
                                        std::to_string(positions.size()) + " positions for tf " +
                                        std::to_string(tf) + " in term \"" + term + "\"");
            }
            merged.positions.insert(merged.positions.end(), positions.begin(), positions.end());
          }
          if (!any) {
            return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".postings: posting with no occurrence in term \"" +
                                      term + "\"");
          }
        }
        its[i].Next();
      }
      if (merged.docs.empty()) continue;  // only deleted docs had it
      for (auto [i, old] : sources) term_map_[i][old] = next_ordinal;
      ++next_ordinal;
      BUSCA_RETURN_IF_ERROR(writer->Add(term, merged, length));
      result_.info.postings += merged.docs.size();
      result_.info.positions += merged.positions.size();
    }
    result_.info.terms = writer->terms();
    std::vector<FileInfo> files;
    BUSCA_RETURN_IF_ERROR(writer->Finish(&files));
    for (auto& f : files) result_.files.push_back(std::move(f));
    return Status::Ok();
  }

  Status MergeSurfaces() {
    const size_t n = inputs_.size();
    std::vector<SurfaceDictionary::Iterator> its;
    for (size_t i = 0; i < n; ++i) its.push_back(inputs_[i]->surfaces().Begin());
    SortedTableBuilder table;
    std::string key, spelling;
    std::vector<uint32_t> ords;
    while (true) {
      std::optional<std::string_view> min;
      for (size_t i = 0; i < n; ++i) {
        if (its[i].Valid() && (!min || its[i].folded() < *min)) min = its[i].folded();
      }
      if (!min) break;
      key.assign(*min);
      ords.clear();
      uint64_t doc_freq = 0;
      uint32_t best_df = 0;
      spelling.clear();
      for (size_t i = 0; i < n; ++i) {
        if (!its[i].Valid() || its[i].folded() != key) continue;
        SurfaceEntry e = its[i].entry();
        for (uint32_t o : e.term_ordinals) {
          if (o >= term_map_[i].size()) {
            return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".surface: term ordinal out of range for \"" +
                                      key + "\"");
          }
          if (term_map_[i][o] != kDropped) ords.push_back(term_map_[i][o]);
        }
        doc_freq += e.doc_freq;
        if (e.doc_freq > best_df || spelling.empty()) {
          best_df = std::max(best_df, e.doc_freq);
          spelling.assign(e.spelling);
        }
        its[i].Next();
      }
      std::sort(ords.begin(), ords.end());
      ords.erase(std::unique(ords.begin(), ords.end()), ords.end());
      if (ords.empty()) continue;  // every term it produced is gone
      doc_freq = std::clamp<uint64_t>(doc_freq, 1, max_doc_);
      table.Add(key, EncodeSurfacePayload(static_cast<uint32_t>(doc_freq), spelling, ords));
    }
    result_.info.surface_entries = table.size();
    return AddFile(WriteFile(out_dir_ / (prefix_ + ".surface"), "SURF", table.Finish()));
  }

  Status MergeColumns() {
    const size_t F = schema_.fields.size();
    std::vector<std::unique_ptr<KeywordAcc>> keywords(F);
    std::vector<std::unique_ptr<NumericAcc>> numerics(F);
    for (size_t f = 0; f < F; ++f) {
      switch (schema_.fields[f].type) {
        case FieldType::kKeyword: BUSCA_RETURN_IF_ERROR(MergeKeyword(f, &keywords[f])); break;
        case FieldType::kNumber:
        case FieldType::kTimestamp:
        case FieldType::kBoolean: {
          auto acc = std::make_unique<NumericAcc>();
          acc->values.assign(max_doc_, 0);
          acc->present.assign(max_doc_, 0);
          for (size_t i = 0; i < inputs_.size(); ++i) {
            if (inputs_[i]->numeric_column(f) == nullptr) {
              return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".columns: no column for field \"" +
                                        schema_.fields[f].name + "\"");
            }
          }
          ForEachLive([&](size_t i, DocId d, uint32_t nd) {
            if (auto v = inputs_[i]->numeric_column(f)->Get(d)) {
              acc->values[nd] = *v;
              acc->present[nd] = 1;
            }
          });
          numerics[f] = std::move(acc);
          break;
        }
        case FieldType::kText: break;
      }
    }
    return AddFile(WriteFile(out_dir_ / (prefix_ + ".columns"), "COLS",
                             EncodeColumnsBody(schema_, max_doc_, keywords, numerics)));
  }

  // Values used by live docs, merged in sorted order; per doc the remapped ordinals.
  Status MergeKeyword(size_t f, std::unique_ptr<KeywordAcc>* out) {
    const size_t n = inputs_.size();
    std::vector<const KeywordColumn*> cols(n);
    std::vector<std::vector<uint32_t>> map(n);
    for (size_t i = 0; i < n; ++i) {
      cols[i] = inputs_[i]->keyword_column(f);
      if (cols[i] == nullptr) {
        return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".columns: no column for field \"" +
                                  schema_.fields[f].name + "\"");
      }
      map[i].assign(cols[i]->dictionary_size(), kDropped);
      for (DocId d = 0; d < inputs_[i]->max_doc(); ++d) {
        if (new_doc_[i][d] == kDropped) continue;
        for (uint32_t o : cols[i]->Ordinals(d)) {
          if (o >= map[i].size()) {
            return Status::Corruption(SegmentPrefix(inputs_[i]->id()) + ".columns: keyword ordinal out of range");
          }
          map[i][o] = 0;  // used
        }
      }
    }
    auto acc = std::make_unique<KeywordAcc>();
    std::vector<SortedTable::Iterator> its;
    for (size_t i = 0; i < n; ++i) its.push_back(cols[i]->SeekValue(""));
    std::string value;
    while (true) {
      std::optional<std::string_view> min;
      for (size_t i = 0; i < n; ++i) {
        if (its[i].Valid() && (!min || its[i].key() < *min)) min = its[i].key();
      }
      if (!min) break;
      value.assign(*min);
      bool used = false;
      for (size_t i = 0; i < n; ++i) {
        if (its[i].Valid() && its[i].key() == value) used |= map[i][its[i].ordinal()] != kDropped;
      }
      const uint32_t id = static_cast<uint32_t>(acc->values.size());
      for (size_t i = 0; i < n; ++i) {
        if (!its[i].Valid() || its[i].key() != value) continue;
        uint32_t& m = map[i][its[i].ordinal()];
        m = used ? id : kDropped;
        its[i].Next();
      }
      if (used) acc->values.push_back(value);
    }
    acc->offsets.reserve(size_t{max_doc_} + 1);
    ForEachLive([&](size_t i, DocId d, uint32_t) {
      for (uint32_t o : cols[i]->Ordinals(d)) acc->vals.push_back(map[i][o]);
      acc->offsets.push_back(static_cast<uint32_t>(acc->vals.size()));
    });
    *out = std::move(acc);
    return Status::Ok();
  }

  Status MergeIdsAndStored() {
    std::vector<std::string> ids;
    ids.reserve(max_doc_);
    SpillFile spill(out_dir_ / (prefix_ + ".stored.spill-" + std::to_string(::getpid())));
    BUSCA_RETURN_IF_ERROR(spill.Open());
    std::vector<StoredBlock> blocks;
    std::string raw;
    uint32_t raw_first = 0, raw_docs = 0;
    uint64_t compressed_bytes = 0;
    auto flush_block = [&]() -> Status {
      if (raw_docs == 0) return Status::Ok();
      BUSCA_ASSIGN_OR_RETURN(std::string frame, CompressStoredBlock(raw, options_.stored_compression_level));
      BUSCA_RETURN_IF_ERROR(spill.Append(frame));
      StoredBlock b;
      b.first_doc = raw_first;
      b.num_docs = raw_docs;
      b.offset = compressed_bytes;
      b.compressed_size = static_cast<uint32_t>(frame.size());
      b.raw_size = static_cast<uint32_t>(raw.size());
      blocks.push_back(b);
      compressed_bytes += frame.size();
      raw.clear();
      raw_docs = 0;
      return Status::Ok();
    };
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const SegmentReader& in = *inputs_[i];
      for (DocId d = 0; d < in.max_doc(); ++d) {
        const uint32_t nd = new_doc_[i][d];
        if (nd == kDropped) continue;
        ids.emplace_back(in.ExternalId(d));
        BUSCA_ASSIGN_OR_RETURN(Document doc, in.StoredDocument(d));
        if (doc.id != ids.back()) {
          return Status::Corruption(SegmentPrefix(in.id()) + ".stored: id of doc " + std::to_string(d) +
                                    " differs from .ids");
        }
        if (raw_docs == 0) raw_first = nd;
        AppendStoredRecord(schema_, doc, &raw);
        ++raw_docs;
        if (raw.size() >= options_.stored_block_bytes) BUSCA_RETURN_IF_ERROR(flush_block());
      }
    }
    BUSCA_RETURN_IF_ERROR(flush_block());
    BUSCA_RETURN_IF_ERROR(spill.Close());
    BUSCA_RETURN_IF_ERROR(AddFile(WriteStoredFileFromSpill(out_dir_ / (prefix_ + ".stored"), max_doc_, blocks, spill.path())));
    return AddFile(WriteFile(out_dir_ / (prefix_ + ".ids"), "IDS_", EncodeIdsBody(ids)));
  }

  const CollectionSchema& schema_;
  std::span<const SegmentReader* const> inputs_;
  fs::path out_dir_;
  std::string prefix_;
  SegmentMergeOptions options_;
  SegmentMergeResult result_;
  std::vector<size_t> text_fields_;
  std::vector<std::vector<uint32_t>> new_doc_;
  std::vector<std::vector<uint32_t>> term_map_;
  std::vector<std::vector<uint32_t>> lengths_;
  uint32_t max_doc_ = 0;
};

}  // namespace

Result<SegmentMergeResult> MergeSegments(const CollectionSchema& schema, std::span<const SegmentReader* const> inputs,
                                         const fs::path& out_dir, uint32_t out_id, const SegmentMergeOptions& options) {
  Merger merger(schema, inputs, out_dir, out_id, options);
  return merger.Run();
}

}  // namespace busca::index
