#include "engine/index/file_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace busca::index {
namespace {

constexpr char kMagic[4] = {'B', 'S', 'C', 'A'};
constexpr char kFooterMagic[4] = {'A', 'C', 'S', 'B'};
constexpr size_t kWriteBufferSize = 1 << 20;

std::string ErrnoText(int err) { return std::strerror(err); }

std::string MakeHeader(std::string_view kind) {
  std::string header(kMagic, 4);
  std::string k(kind.substr(0, 4));
  k.resize(4, '_');
  header += k;
  PutU32(&header, kFormatVersion);
  PutU32(&header, 0);
  return header;
}

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::filesystem::path& path,
                                                       std::string_view kind) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + path.string() + ": " + ErrnoText(errno));
  std::unique_ptr<FileWriter> w(new FileWriter());
  w->path_ = path;
  w->fd_ = fd;
  w->buffer_.reserve(kWriteBufferSize);
  auto* state = XXH64_createState();
  XXH64_reset(state, 0);
  w->hash_state_ = state;
  std::string header = MakeHeader(kind);
  w->buffer_ += header;
  XXH64_update(state, header.data(), header.size());
  return w;
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (hash_state_ != nullptr) XXH64_freeState(static_cast<XXH64_state_t*>(hash_state_));
}

Status FileWriter::FlushBuffer() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write " + path_.string() + ": " + ErrnoText(errno));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status FileWriter::Append(const void* data, size_t size) {
  if (finished_) return Status::Internal("FileWriter::Append after Finish: " + path_.string());
  XXH64_update(static_cast<XXH64_state_t*>(hash_state_), data, size);
  body_size_ += size;
  if (buffer_.size() + size > kWriteBufferSize) {
    BUSCA_RETURN_IF_ERROR(FlushBuffer());
    if (size >= kWriteBufferSize) {
      buffer_.assign(static_cast<const char*>(data), size);
      return FlushBuffer();
    }
  }
  buffer_.append(static_cast<const char*>(data), size);
  return Status::Ok();
}

Status FileWriter::Pad(size_t alignment) {
  static const char kZeros[16] = {};
  size_t rem = body_size_ % alignment;
  if (rem == 0) return Status::Ok();
  return Append(kZeros, alignment - rem);
}

Result<FileInfo> FileWriter::Finish() {
  if (finished_) return Status::Internal("FileWriter::Finish twice: " + path_.string());
  uint64_t checksum = XXH64_digest(static_cast<XXH64_state_t*>(hash_state_));
  std::string footer;
  PutU64(&footer, body_size_);
  PutU64(&footer, checksum);
  footer.append(kFooterMagic, 4);
  PutU32(&footer, 0);
  buffer_ += footer;
  finished_ = true;
  BUSCA_RETURN_IF_ERROR(FlushBuffer());
  if (::fsync(fd_) != 0) return Status::IOError("fsync " + path_.string() + ": " + ErrnoText(errno));
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Status::IOError("close " + path_.string() + ": " + ErrnoText(errno));
  }
  fd_ = -1;
  FileInfo info;
  info.name = path_.filename().string();
  info.size = kFileHeaderSize + body_size_ + kFileFooterSize;
  info.checksum = checksum;
  return info;
}

Result<FileInfo> WriteFile(const std::filesystem::path& path, std::string_view kind,
                           std::string_view body) {
  BUSCA_ASSIGN_OR_RETURN(auto writer, FileWriter::Create(path, kind));
  BUSCA_RETURN_IF_ERROR(writer->Append(body));
  return writer->Finish();
}

struct MappedFile::Impl {
  boost::interprocess::file_mapping mapping;
  boost::interprocess::mapped_region region;
};

MappedFile::~MappedFile() = default;

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::NotFound(path.string() + ": missing");
    return Status::IOError(path.string() + ": " + ec.message());
  }
  std::unique_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->size_ = size;
  if (size == 0) return f;  // nothing to map; the envelope check reports the truncation
  try {
    f->impl_ = std::make_unique<Impl>();
    f->impl_->mapping = boost::interprocess::file_mapping(path.c_str(), boost::interprocess::read_only);
    f->impl_->region = boost::interprocess::mapped_region(f->impl_->mapping, boost::interprocess::read_only);
    if (f->impl_->region.get_size() != size) {
      return Status::IOError(path.string() + ": file changed size while being mapped");
    }
    f->data_ = static_cast<const uint8_t*>(f->impl_->region.get_address());
  } catch (const std::exception& e) {
    return Status::IOError("mmap " + path.string() + ": " + e.what());
  }
  return f;
}

uint64_t ComputeFileChecksum(std::span<const uint8_t> file) {
  if (file.size() < kFileFooterSize) return 0;
  return XXH64(file.data(), file.size() - kFileFooterSize, 0);
}

Result<std::span<const uint8_t>> CheckFileEnvelope(std::span<const uint8_t> file,
                                                   std::string_view kind, std::string_view name,
                                                   bool verify_checksum) {
  auto corrupt = [&](std::string what) { return Status::Corruption(std::string(name) + ": " + what); };
  if (file.size() < kFileHeaderSize + kFileFooterSize) {
    return corrupt("truncated (" + std::to_string(file.size()) + " bytes, smaller than header + footer)");
  }
  const uint8_t* p = file.data();
  if (std::memcmp(p, kMagic, 4) != 0) return corrupt("bad magic (not a Busca index file)");
  std::string k(kind.substr(0, 4));
  k.resize(4, '_');
  if (std::memcmp(p + 4, k.data(), 4) != 0) {
    return corrupt("wrong file kind '" + std::string(reinterpret_cast<const char*>(p + 4), 4) +
                   "' (expected '" + k + "')");
  }
  uint32_t version = LoadU32(p + 8);
  if (version != kFormatVersion) {
    return corrupt("unsupported format version " + std::to_string(version) + " (this build reads " +
                   std::to_string(kFormatVersion) + ")");
  }
  const uint8_t* footer = p + file.size() - kFileFooterSize;
  if (std::memcmp(footer + 16, kFooterMagic, 4) != 0 || LoadU32(footer + 20) != 0) {
    return corrupt("bad footer (truncated or overwritten)");
  }
  uint64_t body_size = LoadU64(footer);
  if (body_size != file.size() - kFileHeaderSize - kFileFooterSize) {
    return corrupt("size mismatch: footer says " + std::to_string(body_size) + " body bytes, file has " +
                   std::to_string(file.size() - kFileHeaderSize - kFileFooterSize));
  }
  if (verify_checksum) {
    uint64_t expected = LoadU64(footer + 8);
    uint64_t actual = ComputeFileChecksum(file);
    if (expected != actual) return corrupt("checksum mismatch (xxhash64 of the file differs from its footer)");
  }
  return file.subspan(kFileHeaderSize, body_size);
}

Result<CheckedFile> OpenCheckedFile(const std::filesystem::path& path, std::string_view kind,
                                    bool verify_checksum) {
  std::string name = path.filename().string();
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok()) {
    if (mapped.status().code() == StatusCode::kNotFound) return Status::Corruption(name + ": file missing");
    return mapped.status();
  }
  CheckedFile out;
  out.file = std::move(mapped).value();
  BUSCA_ASSIGN_OR_RETURN(out.body, CheckFileEnvelope(out.file->bytes(), kind, name, verify_checksum));
  return out;
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open dir " + dir.string() + ": " + ErrnoText(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync dir " + dir.string() + ": " + ErrnoText(err));
  return Status::Ok();
}

Status VerifyFileChecksums(const std::filesystem::path& dir, const std::vector<FileInfo>& files) {
  std::vector<uint8_t> buffer(size_t{1} << 20);
  std::unique_ptr<XXH64_state_t, decltype(&XXH64_freeState)> state(XXH64_createState(), &XXH64_freeState);
  if (state == nullptr) return Status::ResourceExhausted("xxhash: cannot allocate a state");
  for (const FileInfo& f : files) {
    const std::filesystem::path path = dir / f.name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(f.name + ": cannot open: " + std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Status::IOError(f.name + ": fstat: " + std::strerror(errno));
    if (static_cast<uint64_t>(st.st_size) != f.size || f.size < kFileFooterSize) {
      return Status::Corruption(f.name + ": size " + std::to_string(st.st_size) + ", expected " + std::to_string(f.size));
    }
    XXH64_reset(state.get(), 0);
    const uint64_t hashed = f.size - kFileFooterSize;  // the checksum covers all but the footer
    uint8_t footer[kFileFooterSize];
    uint64_t offset = 0;
    while (offset < f.size) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), f.size - offset));
      const ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError(f.name + ": read failed: " + (n < 0 ? std::strerror(errno) : "unexpected end"));
      const uint64_t end = offset + static_cast<uint64_t>(n);
      if (offset < hashed) XXH64_update(state.get(), buffer.data(), static_cast<size_t>(std::min(end, hashed) - offset));
      for (uint64_t i = std::max(offset, hashed); i < end; ++i) footer[i - hashed] = buffer[i - offset];
      offset = end;
    }
    uint64_t footer_checksum = 0;  // footer: u64 body size | u64 checksum | magic | 0
    for (int i = 7; i >= 0; --i) footer_checksum = (footer_checksum << 8) | footer[8 + i];
    const uint64_t actual = XXH64_digest(state.get());
    if (actual != f.checksum) {
      return Status::Corruption(f.name + ": checksum mismatch (xxhash64 of the file differs from the manifest's)");
    }
    if (footer_checksum != f.checksum) {
      return Status::Corruption(f.name + ": checksum mismatch (the footer's differs from the manifest's)");
    }
  }
  return Status::Ok();
}

}  // namespace busca::index
