#include "whole_file.h"

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

}  // namespace fouledger::storage
