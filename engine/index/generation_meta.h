// Internal: JSON bodies of meta.json and MANIFEST (see engine/FORMAT.md).
#pragma once

#include <string>
#include <string_view>

#include "engine/index/generation_info.h"
#include "engine/util/status.h"

namespace busca::index {

std::string MetaToJson(const GenerationInfo& info);          // counts, segments, build time
std::string ManifestToJson(const GenerationInfo& info);      // files with sizes and checksums
// Fill the corresponding parts of *info; Corruption naming `name` on malformed content.
Status ParseMetaJson(std::string_view json, std::string_view name, GenerationInfo* info);
Status ParseManifestJson(std::string_view json, std::string_view name, GenerationInfo* info);

}  // namespace busca::index
