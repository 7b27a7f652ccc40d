#include "engine/index/generation_info.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "engine/index/generation_meta.h"

namespace busca::index {
namespace {
using Json = nlohmann::json;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

uint64_t GenerationInfo::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  return total;
}

uint64_t GenerationInfo::BytesWithSuffix(std::string_view suffix) const {
  uint64_t total = 0;
  for (const auto& f : files) {
    if (EndsWith(f.name, suffix)) total += f.size;
  }
  return total;
}

double SizeBreakdown::InvertedRatio() const {
  if (indexed_text_bytes == 0) return 0;
  return static_cast<double>(term_dictionary + postings + positions) / static_cast<double>(indexed_text_bytes);
}

SizeBreakdown ComputeSizeBreakdown(const GenerationInfo& info) {
  SizeBreakdown b;
  b.indexed_text_bytes = info.indexed_text_bytes;
  for (const auto& f : info.files) {
    if (EndsWith(f.name, ".terms")) b.term_dictionary += f.size;
    else if (EndsWith(f.name, ".postings")) b.postings += f.size;
    else if (EndsWith(f.name, ".positions")) b.positions += f.size;
    else if (EndsWith(f.name, ".surface")) b.surface_dictionary += f.size;
    else if (EndsWith(f.name, ".stored")) b.stored += f.size;
    else if (EndsWith(f.name, ".columns") || EndsWith(f.name, ".lengths") || EndsWith(f.name, ".ids") ||
             EndsWith(f.name, ".deletes")) b.columns += f.size;
    else b.other += f.size;
  }
  return b;
}

std::string MetaToJson(const GenerationInfo& info) {
  Json j;
  j["collection"] = info.collection;
  j["generation"] = info.id;
  j["format_version"] = info.format_version;
  j["max_doc"] = info.max_doc;
  j["live_docs"] = info.live_docs;
  j["deleted_docs"] = info.deleted_docs;
  j["terms"] = info.terms;
  j["indexed_text_bytes"] = info.indexed_text_bytes;
  j["built_at_micros"] = info.built_at_micros;
  j["build_seconds"] = info.build_seconds;
  Json segs = Json::array();
  for (const auto& s : info.segments) {
    segs.push_back({{"id", s.id},
                    {"max_doc", s.max_doc},
                    {"deleted_docs", s.deleted_docs},
                    {"terms", s.terms},
                    {"surface_entries", s.surface_entries},
                    {"postings", s.postings},
                    {"positions", s.positions},
                    {"text_bytes", s.text_bytes}});
  }
  j["segments"] = std::move(segs);
  return j.dump(2) + "\n";
}

std::string ManifestToJson(const GenerationInfo& info) {
  Json j;
  j["format_version"] = info.format_version;
  j["collection"] = info.collection;
  j["generation"] = info.id;
  Json files = Json::array();
  for (const auto& f : info.files) {
    files.push_back({{"name", f.name}, {"size", f.size}, {"xxh64", Hex64(f.checksum)}});
  }
  j["files"] = std::move(files);
  return j.dump(2) + "\n";
}

Status ParseMetaJson(std::string_view json, std::string_view name, GenerationInfo* info) {
  try {
    Json j = Json::parse(json.begin(), json.end());
    info->collection = j.at("collection").get<std::string>();
    info->id = j.at("generation").get<uint64_t>();
    info->format_version = j.at("format_version").get<uint32_t>();
    info->max_doc = j.at("max_doc").get<uint64_t>();
    info->live_docs = j.at("live_docs").get<uint64_t>();
    info->deleted_docs = j.at("deleted_docs").get<uint64_t>();
    info->terms = j.at("terms").get<uint64_t>();
    info->indexed_text_bytes = j.at("indexed_text_bytes").get<uint64_t>();
    info->built_at_micros = j.at("built_at_micros").get<int64_t>();
    info->build_seconds = j.at("build_seconds").get<double>();
    info->segments.clear();
    for (const auto& s : j.at("segments")) {
      SegmentInfo seg;
      seg.id = s.at("id").get<uint32_t>();
      seg.max_doc = s.at("max_doc").get<uint32_t>();
      seg.deleted_docs = s.at("deleted_docs").get<uint32_t>();
      seg.terms = s.at("terms").get<uint64_t>();
      seg.surface_entries = s.at("surface_entries").get<uint64_t>();
      seg.postings = s.at("postings").get<uint64_t>();
      seg.positions = s.at("positions").get<uint64_t>();
      seg.text_bytes = s.at("text_bytes").get<uint64_t>();
      info->segments.push_back(seg);
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(name) + ": malformed: " + e.what());
  }
  return Status::Ok();
}

Status ParseManifestJson(std::string_view json, std::string_view name, GenerationInfo* info) {
  try {
    Json j = Json::parse(json.begin(), json.end());
    info->format_version = j.at("format_version").get<uint32_t>();
    info->collection = j.at("collection").get<std::string>();
    info->id = j.at("generation").get<uint64_t>();
    info->files.clear();
    for (const auto& f : j.at("files")) {
      FileInfo fi;
      fi.name = f.at("name").get<std::string>();
      fi.size = f.at("size").get<uint64_t>();
      std::string hex = f.at("xxh64").get<std::string>();
      char* end = nullptr;
      fi.checksum = std::strtoull(hex.c_str(), &end, 16);
      if (hex.size() != 16 || end != hex.c_str() + hex.size()) {
        return Status::Corruption(std::string(name) + ": bad checksum text for " + fi.name);
      }
      if (fi.name.empty() || fi.name.find('/') != std::string::npos) {
        return Status::Corruption(std::string(name) + ": bad file name \"" + fi.name + "\"");
      }
      info->files.push_back(std::move(fi));
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(name) + ": malformed: " + e.what());
  }
  return Status::Ok();
}

}  // namespace busca::index
