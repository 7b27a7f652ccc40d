#include "engine/index/generation.h"

#include <set>

#include "engine/index/file_format.h"
#include "engine/index/generation_meta.h"
#include "engine/index/segment_files.h"

namespace busca::index {
namespace fs = std::filesystem;
namespace {

Result<std::string> ReadJsonFile(const fs::path& dir, std::string_view name, std::string_view kind) {
  BUSCA_ASSIGN_OR_RETURN(CheckedFile f, OpenCheckedFile(dir / std::string(name), kind, /*verify_checksum=*/true));
  return std::string(reinterpret_cast<const char*>(f.body.data()), f.body.size());
}

}  // namespace

Result<GenerationInfo> ReadGenerationInfo(const fs::path& generation_dir) {
  std::error_code ec;
  if (!fs::is_directory(generation_dir, ec)) return Status::NotFound(generation_dir.string() + ": no such generation dir");
  GenerationInfo info;
  BUSCA_ASSIGN_OR_RETURN(std::string manifest, ReadJsonFile(generation_dir, kManifestFile, kManifestKind));
  BUSCA_RETURN_IF_ERROR(ParseManifestJson(manifest, kManifestFile, &info));
  std::vector<FileInfo> files = info.files;
  // meta.json is listed in the MANIFEST; its checksum is verified against it here too.
  BUSCA_ASSIGN_OR_RETURN(CheckedFile meta, OpenCheckedFile(generation_dir / std::string(kMetaFile), kMetaKind, true));
  bool listed = false;
  for (const auto& f : files) {
    if (f.name == kMetaFile) {
      listed = true;
      if (f.size != meta.file->bytes().size() || f.checksum != ComputeFileChecksum(meta.file->bytes())) {
        return Status::Corruption(std::string(kMetaFile) + ": differs from its MANIFEST entry");
      }
    }
  }
  if (!listed) return Status::Corruption(std::string(kManifestFile) + ": does not list " + std::string(kMetaFile));
  uint64_t manifest_id = info.id;
  std::string manifest_collection = info.collection;
  BUSCA_RETURN_IF_ERROR(ParseMetaJson(
      std::string_view(reinterpret_cast<const char*>(meta.body.data()), meta.body.size()), kMetaFile, &info));
  if (info.id != manifest_id || info.collection != manifest_collection) {
    return Status::Corruption(std::string(kMetaFile) + ": collection/generation differ from the MANIFEST's");
  }
  info.files = std::move(files);
  return info;
}

Generation::~Generation() = default;

Result<std::shared_ptr<const Generation>> Generation::Open(const fs::path& generation_dir, const OpenOptions& options) {
  std::shared_ptr<Generation> g(new Generation());
  g->path_ = generation_dir;
  // Lock first: a concurrent RemoveGeneration either finishes before (and Open fails cleanly with
  // NotFound/Corruption) or waits for us.
  std::error_code ec;
  if (!fs::is_directory(generation_dir, ec)) return Status::NotFound(generation_dir.string() + ": no such generation dir");
  BUSCA_ASSIGN_OR_RETURN(g->lock_, GenerationLock::AcquireShared(generation_dir));
  BUSCA_ASSIGN_OR_RETURN(g->info_, ReadGenerationInfo(generation_dir));
  if (g->info_.format_version != kFormatVersion) {
    return Status::Corruption(std::string(kManifestFile) + ": unsupported format version " +
                              std::to_string(g->info_.format_version));
  }
  // Every file the MANIFEST lists: present, right size, right envelope, right checksum.
  std::set<std::string> listed;
  for (const FileInfo& f : g->info_.files) {
    listed.insert(f.name);
    std::string_view kind = KindOfFile(f.name);
    if (kind.empty()) return Status::Corruption(std::string(kManifestFile) + ": unknown file " + f.name);
    auto mapped = MappedFile::Open(generation_dir / f.name);
    if (!mapped.ok()) {
      if (mapped.status().code() == StatusCode::kNotFound) return Status::Corruption(f.name + ": file missing");
      return mapped.status().WithContext(f.name);
    }
    auto bytes = (*mapped)->bytes();
    if (bytes.size() != f.size) {
      return Status::Corruption(f.name + ": size " + std::to_string(bytes.size()) + " differs from the MANIFEST's " +
                                std::to_string(f.size) + (bytes.size() < f.size ? " (truncated)" : ""));
    }
    BUSCA_RETURN_IF_ERROR(CheckFileEnvelope(bytes, kind, f.name, options.verify_checksums).status());
    if (LoadU64(bytes.data() + bytes.size() - kFileFooterSize + 8) != f.checksum) {
      return Status::Corruption(f.name + ": checksum differs from the MANIFEST's");
    }
  }
  auto require = [&](const std::string& name) -> Status {
    if (!listed.count(name)) return Status::Corruption(std::string(kManifestFile) + ": does not list " + name);
    return Status::Ok();
  };
  BUSCA_RETURN_IF_ERROR(require(std::string(kSchemaFile)));
  BUSCA_ASSIGN_OR_RETURN(std::string schema_json, ReadJsonFile(generation_dir, kSchemaFile, kSchemaKind));
  auto schema = ParseSchema(schema_json, kSchemaFile);
  if (!schema.ok()) return Status::Corruption(schema.status().message());
  g->schema_ = std::move(schema).value();
  if (g->schema_.name != g->info_.collection) {
    return Status::Corruption(std::string(kSchemaFile) + ": collection name differs from the MANIFEST's");
  }
  uint64_t max_doc = 0, deleted = 0;
  for (const SegmentInfo& s : g->info_.segments) {
    for (const auto& f : kSegmentFiles) BUSCA_RETURN_IF_ERROR(require(SegmentPrefix(s.id) + std::string(f.suffix)));
    BUSCA_ASSIGN_OR_RETURN(auto seg, SegmentReader::Open(generation_dir, g->schema_, s.id));
    if (seg->max_doc() != s.max_doc || seg->deleted_docs().cardinality() != s.deleted_docs ||
        seg->terms().size() != s.terms || seg->surfaces().size() != s.surface_entries) {
      return Status::Corruption(std::string(kMetaFile) + ": counts differ from segment " + SegmentPrefix(s.id));
    }
    max_doc += seg->max_doc();
    deleted += seg->deleted_docs().cardinality();
    g->segments_.push_back(std::move(seg));
  }
  if (max_doc != g->info_.max_doc || deleted != g->info_.deleted_docs) {
    return Status::Corruption(std::string(kMetaFile) + ": document counts differ from the segments'");
  }
  return std::shared_ptr<const Generation>(std::move(g));
}

Result<std::shared_ptr<const Generation>> Generation::OpenCurrent(const IndexDir& dir, std::string_view collection,
                                                                  const OpenOptions& options) {
  BUSCA_ASSIGN_OR_RETURN(uint64_t id, dir.ReadCurrent(collection));
  return Open(dir.GenerationPath(collection, id), options);
}

uint64_t Generation::max_doc() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->max_doc();
  return n;
}

uint64_t Generation::live_doc_count() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->live_doc_count();
  return n;
}

uint64_t Generation::DocFreq(std::string_view term) const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->DocFreq(term);
  return n;
}

uint64_t Generation::FieldLengthSum(size_t field) const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->FieldLengthSum(field);
  return n;
}

uint64_t Generation::LiveFieldLengthSum(size_t field) const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->LiveFieldLengthSum(field);
  return n;
}

std::optional<DocAddress> Generation::FindExternalId(std::string_view id) const {
  for (uint32_t i = 0; i < segments_.size(); ++i) {
    auto doc = segments_[i]->FindExternalId(id);
    if (doc && segments_[i]->IsLive(*doc)) return DocAddress{i, *doc};
  }
  return std::nullopt;
}

}  // namespace busca::index
