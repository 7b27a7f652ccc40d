# Finds every third-party dependency once, as imported targets named busca::<dep>.
# All of them are Debian bookworm packages (see scripts/setup-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(ICU 72 REQUIRED COMPONENTS uc i18n data)
find_package(Boost 1.74 REQUIRED)
find_package(TBB REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(roaring REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

function(busca_system_library name lib header)
  find_library(${name}_LIBRARY ${lib} REQUIRED)
  find_path(${name}_INCLUDE ${header} REQUIRED)
  add_library(busca::${name} UNKNOWN IMPORTED)
  set_target_properties(busca::${name} PROPERTIES
    IMPORTED_LOCATION ${${name}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${${name}_INCLUDE})
endfunction()

busca_system_library(stemmer stemmer libstemmer.h)
busca_system_library(xxhash xxhash xxhash.h)
busca_system_library(streamvbyte streamvbyte streamvbyte.h)
busca_system_library(zstd zstd zstd.h)

find_path(HTTPLIB_INCLUDE httplib.h REQUIRED)
add_library(busca::httplib INTERFACE IMPORTED)
set_target_properties(busca::httplib PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${HTTPLIB_INCLUDE})
