// Internal: names and kinds of the files of a generation (see engine/FORMAT.md).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace busca::index {

struct SegmentFileKind {
  std::string_view suffix;  // after "seg-NNNN"
  std::string_view kind;    // 4-byte header tag
};

inline constexpr std::array<SegmentFileKind, 9> kSegmentFiles = {{
    {".terms", "TERM"},
    {".postings", "POST"},
    {".positions", "POSI"},
    {".surface", "SURF"},
    {".lengths", "LENS"},
    {".columns", "COLS"},
    {".ids", "IDS_"},
    {".stored", "STOR"},
    {".deletes", "DELS"},
}};

inline constexpr std::string_view kManifestFile = "MANIFEST";
inline constexpr std::string_view kManifestKind = "MANI";
inline constexpr std::string_view kSchemaFile = "schema.json";
inline constexpr std::string_view kSchemaKind = "SCHM";
inline constexpr std::string_view kMetaFile = "meta.json";
inline constexpr std::string_view kMetaKind = "META";

inline std::string SegmentPrefix(uint32_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "seg-%04u", id);
  return buf;
}

// Header kind of a generation file name ("" when unknown).
inline std::string_view KindOfFile(std::string_view name) {
  if (name == kManifestFile) return kManifestKind;
  if (name == kSchemaFile) return kSchemaKind;
  if (name == kMetaFile) return kMetaKind;
  for (const auto& f : kSegmentFiles) {
    if (name.size() > f.suffix.size() && name.substr(name.size() - f.suffix.size()) == f.suffix &&
        name.substr(0, 4) == "seg-") {
      return f.kind;
    }
  }
  return {};
}

// Column section kinds in *.columns.
inline constexpr uint32_t kKeywordColumnKind = 1;
inline constexpr uint32_t kNumericColumnKind = 2;

}  // namespace busca::index
