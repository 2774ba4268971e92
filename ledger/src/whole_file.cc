#include "whole_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fouledger::storage {

namespace {

// What both readers do first: open `path` and take its size, then compare it with the limit
// before anything is read. `fd` is open (and the caller's to close) only when the outcome is kRead.
struct Opened {
  WholeFile::Outcome outcome = WholeFile::Outcome::kMissing;
  uintmax_t size = 0;
  int fd = -1;
};

Result<Opened> OpenBounded(const std::string& path, uintmax_t max_bytes) {
  Opened opened;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return opened;  // kMissing
    return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  const bool stated = ::fstat(fd, &st) == 0;
  if (!stated || !S_ISREG(st.st_mode)) {
    const std::string why = !stated               ? std::strerror(errno)
                            : S_ISDIR(st.st_mode) ? std::strerror(EISDIR)
                                                  : "not a regular file";
    ::close(fd);
    return Status::IOError("cannot read " + path + ": " + why);
  }
  opened.size = static_cast<uintmax_t>(st.st_size);
  if (opened.size > max_bytes) {
    ::close(fd);
    opened.outcome = WholeFile::Outcome::kTooLarge;
    return opened;
  }
  opened.fd = fd;
  opened.outcome = WholeFile::Outcome::kRead;
  return opened;
}

}  // namespace

Result<WholeFile> ReadWholeFile(const std::string& path, uintmax_t max_bytes) {
  auto opened = OpenBounded(path, max_bytes);
  if (!opened.ok()) return opened.status();
  WholeFile file;
  file.outcome = opened->outcome;
  file.size = opened->size;
  if (opened->outcome != WholeFile::Outcome::kRead) return file;
  file.bytes.assign(static_cast<size_t>(file.size), '\0');
  size_t done = 0;
  while (done < file.bytes.size()) {
    const ssize_t n = ::read(opened->fd, file.bytes.data() + done, file.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(opened->fd);
  if (done != file.bytes.size()) return Status::IOError("cannot read " + path + ": short read");
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
  auto opened = OpenBounded(path, max_bytes);
  if (!opened.ok()) return opened.status();
  MappedFile file;
  file.outcome_ = opened->outcome;
  file.size_ = opened->size;
  if (opened->outcome != WholeFile::Outcome::kRead) return file;
  if (file.size_ > 0) {
    // MAP_POPULATE: the pages (in the page cache after the snapshot was written or last read) are
    // mapped in one call instead of one fault each.
    void* data = ::mmap(nullptr, static_cast<size_t>(file.size_), PROT_READ,
                        MAP_PRIVATE | MAP_POPULATE, opened->fd, 0);
    if (data == MAP_FAILED) {
      const int e = errno;
      ::close(opened->fd);
      return Status::IOError("cannot map " + path + ": " + std::strerror(e));
    }
    file.data_ = data;
  }
  ::close(opened->fd);  // the mapping keeps the file
  return file;
}

}  // namespace fouledger::storage
