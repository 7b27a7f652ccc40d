#include "engine/index/document_preparer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "engine/index/key_hash.h"
#include "engine/index/segment_encoding.h"

namespace busca::index {

PreparedDocument::PreparedDocument() = default;
PreparedDocument::~PreparedDocument() = default;
PreparedDocument::PreparedDocument(PreparedDocument&&) noexcept = default;
PreparedDocument& PreparedDocument::operator=(PreparedDocument&&) noexcept = default;

// The per-document half of the inversion. Tokens are grouped on the fly into distinct spellings
// (term, key, spelling) and distinct terms through two small open-addressing tables over the
// PreparedDocument's own vectors; at the end the occurrences are bucketed by term (a stable
// counting sort: within a term they are already in (slot, position) order when positions ascend,
// as the analyzer makes them).
struct DocumentPreparer::Impl final : analysis::TokenSink {
  explicit Impl(const CollectionSchema& s) : schema(s) {
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      if (schema.fields[i].type == FieldType::kText) text_fields.push_back(i);
    }
    num_slots = static_cast<uint32_t>(text_fields.size());
  }

  struct Occurrence {
    uint32_t term;
    uint32_t slot;
    uint32_t position;
  };

  const CollectionSchema& schema;
  std::vector<size_t> text_fields;
  uint32_t num_slots = 0;
  PreparedDocument* out = nullptr;
  uint32_t slot = 0;
  uint32_t field_tokens = 0;
  std::vector<uint32_t> term_slots;   // open addressing: term index + 1, 0 = empty
  std::vector<uint32_t> kind_slots;   // open addressing: spelling index + 1
  std::vector<uint64_t> kind_hashes;  // per spelling: KeyHash(spelling)
  // Analyzer word id -> spelling index + 1 (open addressing; 0 = empty): repeated words skip
  // hashing and comparing strings.
  std::vector<std::pair<uint64_t, uint32_t>> word_slots;
  size_t num_words = 0;
  std::vector<Occurrence> occurrences;
  std::vector<uint32_t> bucket;       // per term: next free entry in `sorted`
  std::vector<std::pair<uint32_t, uint32_t>> sorted;  // (slot, position), bucketed by term

  static void ResetSlots(std::vector<uint32_t>* slots) {
    if (slots->size() > 4096) {
      slots->assign(256, 0);
    } else if (slots->empty()) {
      slots->assign(256, 0);
    } else {
      std::fill(slots->begin(), slots->end(), 0);
    }
  }
  // Rebuilds `slots` twice as large from the entries' hashes.
  template <typename HashOf>
  static void Grow(std::vector<uint32_t>* slots, size_t count, HashOf hash_of) {
    std::vector<uint32_t> grown(slots->size() * 2, 0);
    const size_t mask = grown.size() - 1;
    for (uint32_t id = 0; id < count; ++id) {
      size_t i = hash_of(id) & mask;
      while (grown[i] != 0) i = (i + 1) & mask;
      grown[i] = id + 1;
    }
    *slots = std::move(grown);
  }

  void Begin(PreparedDocument* doc) {
    out = doc;
    out->num_fields_ = static_cast<uint32_t>(schema.fields.size());
    out->num_slots_ = num_slots;
    out->text_bytes_ = 0;
    out->lengths_.assign(num_slots, 0);
    out->arena_.clear();
    out->terms_.clear();
    out->positions_end_.clear();
    out->tfs_.clear();
    out->positions_.clear();
    out->spellings_.clear();
    out->stored_.clear();
    ResetSlots(&term_slots);
    ResetSlots(&kind_slots);
    kind_hashes.clear();
    if (word_slots.size() > 4096 || word_slots.empty()) {
      word_slots.assign(256, {0, 0});
    } else {
      std::fill(word_slots.begin(), word_slots.end(), std::pair<uint64_t, uint32_t>{0, 0});
    }
    num_words = 0;
    occurrences.clear();
  }

  PreparedDocument::Text Append(std::string_view bytes) {
    PreparedDocument::Text t{static_cast<uint32_t>(out->arena_.size()), static_cast<uint32_t>(bytes.size())};
    out->arena_.append(bytes);
    return t;
  }

  uint32_t FindOrAddTerm(std::string_view term) {
    const uint64_t hash = KeyHash(term);
    const size_t mask = term_slots.size() - 1;
    size_t i = hash & mask;
    for (;; i = (i + 1) & mask) {
      const uint32_t id_plus_one = term_slots[i];
      if (id_plus_one == 0) break;
      const PreparedDocument::Term& t = out->terms_[id_plus_one - 1];
      if (t.hash == hash && out->View(t.text) == term) return id_plus_one - 1;
    }
    const uint32_t id = static_cast<uint32_t>(out->terms_.size());
    out->terms_.push_back({Append(term), hash});
    term_slots[i] = id + 1;
    if (out->terms_.size() * 2 > term_slots.size()) {
      Grow(&term_slots, out->terms_.size(), [&](uint32_t t) { return out->terms_[t].hash; });
    }
    return id;
  }

  void OnToken(const analysis::TokenView& tok) override {
    ++field_tokens;
    if (tok.term.empty()) return;
    // Fast path: a word already seen in this document (by the analyzer's word id).
    size_t word_slot = 0;
    if (tok.word_id != 0) {
      const size_t mask = word_slots.size() - 1;
      for (word_slot = MixWordId(tok.word_id) & mask;; word_slot = (word_slot + 1) & mask) {
        const auto& [id, kind_plus_one] = word_slots[word_slot];
        if (kind_plus_one == 0) break;
        if (id == tok.word_id) {
          PreparedDocument::Spelling& sp = out->spellings_[kind_plus_one - 1];
          ++sp.count;
          occurrences.push_back({sp.term, slot, tok.position});
          return;
        }
      }
    }
    const std::string_view key = tok.folded_surface.empty() ? tok.term : tok.folded_surface;
    const std::string_view spelling = tok.surface.empty() ? key : tok.surface;
    const uint64_t hash = KeyHash(spelling);
    const size_t mask = kind_slots.size() - 1;
    size_t i = hash & mask;
    uint32_t kind = 0;
    for (;; i = (i + 1) & mask) {
      const uint32_t id_plus_one = kind_slots[i];
      if (id_plus_one == 0) {
        kind = static_cast<uint32_t>(out->spellings_.size());
        const uint32_t term = FindOrAddTerm(tok.term);
        PreparedDocument::Spelling& sp = out->spellings_.emplace_back();
        sp.term = term;
        // The key is often the term, and the spelling often the key: share their bytes.
        const PreparedDocument::Text term_text = out->terms_[term].text;
        sp.key = key == tok.term ? term_text : Append(key);
        sp.spelling = spelling == key ? sp.key : Append(spelling);
        sp.key_hash = KeyHash(key);
        sp.spelling_hash = hash;
        kind_hashes.push_back(hash);
        kind_slots[i] = kind + 1;
        if (out->spellings_.size() * 2 > kind_slots.size()) {
          Grow(&kind_slots, out->spellings_.size(), [&](uint32_t k) { return kind_hashes[k]; });
        }
        break;
      }
      const uint32_t k = id_plus_one - 1;
      const PreparedDocument::Spelling& sp = out->spellings_[k];
      if (kind_hashes[k] == hash && out->View(sp.spelling) == spelling && out->View(sp.key) == key &&
          out->View(out->terms_[sp.term].text) == tok.term) {
        kind = k;
        break;
      }
    }
    PreparedDocument::Spelling& sp = out->spellings_[kind];
    ++sp.count;
    occurrences.push_back({sp.term, slot, tok.position});
    if (tok.word_id != 0) {
      word_slots[word_slot] = {tok.word_id, kind + 1};
      if (++num_words * 2 > word_slots.size()) GrowWords();
    }
  }

  static uint64_t MixWordId(uint64_t id) {
    id *= 0x9E3779B97F4A7C15ULL;
    return id ^ (id >> 29);
  }
  void GrowWords() {
    std::vector<std::pair<uint64_t, uint32_t>> grown(word_slots.size() * 2);
    const size_t mask = grown.size() - 1;
    for (const auto& entry : word_slots) {
      if (entry.second == 0) continue;
      size_t i = MixWordId(entry.first) & mask;
      while (grown[i].second != 0) i = (i + 1) & mask;
      grown[i] = entry;
    }
    word_slots = std::move(grown);
  }

  void Finish() {
    const size_t num_terms = out->terms_.size();
    out->positions_end_.assign(num_terms, 0);
    for (const Occurrence& o : occurrences) ++out->positions_end_[o.term];
    bucket.resize(num_terms);
    uint32_t total = 0;
    for (size_t t = 0; t < num_terms; ++t) {
      bucket[t] = total;
      total += out->positions_end_[t];
      out->positions_end_[t] = total;
    }
    sorted.resize(occurrences.size());
    for (const Occurrence& o : occurrences) sorted[bucket[o.term]++] = {o.slot, o.position};
    out->tfs_.assign(num_terms * num_slots, 0);
    out->positions_.resize(sorted.size());
    uint32_t begin = 0;
    for (size_t t = 0; t < num_terms; ++t) {
      const uint32_t end = out->positions_end_[t];
      const auto first = sorted.begin() + begin;
      const auto last = sorted.begin() + end;
      if (!std::is_sorted(first, last)) std::sort(first, last);
      uint32_t* tfs = out->tfs_.data() + t * num_slots;
      for (uint32_t k = begin; k < end; ++k) {
        ++tfs[sorted[k].first];
        out->positions_[k] = sorted[k].second;
      }
      begin = end;
    }
  }
};

DocumentPreparer::DocumentPreparer(const CollectionSchema& schema) : impl_(std::make_unique<Impl>(schema)) {}
DocumentPreparer::~DocumentPreparer() = default;

Status DocumentPreparer::Prepare(Document doc, analysis::Analyzer& analyzer, PreparedDocument* out) {
  Impl& impl = *impl_;
  BUSCA_RETURN_IF_ERROR(ValidateDocument(impl.schema, doc));
  impl.Begin(out);
  for (uint32_t slot = 0; slot < impl.num_slots; ++slot) {
    impl.slot = slot;
    impl.field_tokens = 0;
    if (const auto* text = std::get_if<std::string>(&doc.values[impl.text_fields[slot]])) {
      analyzer.Analyze(*text, impl, 0);
      out->text_bytes_ += text->size();
    }
    out->lengths_[slot] = impl.field_tokens;
  }
  impl.Finish();
  out->doc_ = std::move(doc);
  AppendStoredRecord(impl.schema, out->doc_, &out->stored_);
  return Status::Ok();
}

Status DocumentPreparer::Prepare(AnalyzedDocument&& doc, PreparedDocument* out) {
  Impl& impl = *impl_;
  const CollectionSchema& schema = impl.schema;
  BUSCA_RETURN_IF_ERROR(ValidateDocument(schema, doc.doc));
  if (doc.field_tokens.size() != schema.fields.size()) {
    return Status::InvalidArgument("document " + doc.doc.id + ": field_tokens must be parallel to the schema fields");
  }
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].type != FieldType::kText && !doc.field_tokens[i].empty()) {
      return Status::InvalidArgument("document " + doc.doc.id + ": tokens given for non-text field \"" +
                                     schema.fields[i].name + "\"");
    }
  }
  impl.Begin(out);
  for (uint32_t slot = 0; slot < impl.num_slots; ++slot) {
    const size_t field = impl.text_fields[slot];
    impl.slot = slot;
    impl.field_tokens = 0;
    for (const analysis::Token& tok : doc.field_tokens[field]) {
      analysis::TokenView view;
      view.surface = tok.surface;
      view.stem = tok.stem;
      view.term = tok.term;
      view.folded_surface = tok.folded_surface;
      view.position = tok.position;
      view.start = tok.start;
      view.end = tok.end;
      view.stopword = tok.stopword;
      impl.OnToken(view);
    }
    out->lengths_[slot] = impl.field_tokens;
    if (const auto* text = std::get_if<std::string>(&doc.doc.values[field])) out->text_bytes_ += text->size();
  }
  impl.Finish();
  out->doc_ = std::move(doc.doc);
  AppendStoredRecord(schema, out->doc_, &out->stored_);
  return Status::Ok();
}

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
