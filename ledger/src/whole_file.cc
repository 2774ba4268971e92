#include "whole_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fouledger::storage {

Result<WholeFile> ReadWholeFile(const std::string& path, uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  WholeFile file;
  std::ifstream in(path, std::ios::binary);
  const int open_errno = errno;
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec == std::errc::no_such_file_or_directory) return file;  // kMissing
  if (!in || ec) {
    const std::string why = ec ? ec.message() : std::strerror(open_errno);
    return Status::IOError("cannot read " + path + ": " + why);
  }
  file.size = size;
  if (file.size > max_bytes) {
    file.outcome = WholeFile::Outcome::kTooLarge;
    return file;
  }
  file.bytes.assign(static_cast<size_t>(file.size), '\0');
  in.read(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
  if (static_cast<uintmax_t>(in.gcount()) != file.size) {
    return Status::IOError("cannot read " + path + ": short read");
  }
  file.outcome = WholeFile::Outcome::kRead;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, static_cast<size_t>(size_));
    outcome_ = other.outcome_;
    size_ = other.size_;
    data_ = other.data_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.outcome_ = WholeFile::Outcome::kMissing;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, static_cast<size_t>(size_));
}

Result<MappedFile> MapWholeFile(const std::string& path, uintmax_t max_bytes) {
  MappedFile file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return file;  // kMissing
    return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  const bool stated = ::fstat(fd, &st) == 0;
  if (!stated || !S_ISREG(st.st_mode)) {
    const std::string why = stated ? "not a regular file" : std::strerror(errno);
    ::close(fd);
    return Status::IOError("cannot read " + path + ": " + why);
  }
  file.size_ = static_cast<uintmax_t>(st.st_size);
  if (file.size_ > max_bytes) {
    ::close(fd);
    file.outcome_ = WholeFile::Outcome::kTooLarge;
    return file;
  }
  if (file.size_ > 0) {
    // MAP_POPULATE: the pages (in the page cache after the snapshot was written or last read) are
    // mapped in one call instead of one fault each.
    void* data = ::mmap(nullptr, static_cast<size_t>(file.size_), PROT_READ,
                        MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (data == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      return Status::IOError("cannot map " + path + ": " + std::strerror(e));
    }
    file.data_ = data;
  }
  ::close(fd);  // the mapping keeps the file
  file.outcome_ = WholeFile::Outcome::kRead;
  return file;
}

}  // namespace fouledger::storage
