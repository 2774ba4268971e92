// The audit bundle: the ledger (or one funding year of it) as plain files that an auditor can
// verify with sh and openssl alone, using the verify.sh written into it. The layout, the manifest
// format and what verify.sh checks are in docs/audit.md.
//
//   DIR/verify.sh, README.txt, manifest.txt, checkpoint.txt (the signed note)
//   DIR/keys/<key id>.pem                       every author's public key, and the checkpoint key
//   DIR/entries/NNNNNN.{entry,event,sig,prev}   stored bytes, and the pieces verify.sh checks
//   DIR/entries/NNNNNN.json                     the same entry, readable
//   DIR/proofs/NNNNNN.{json,path}               inclusion proof against the checkpoint
#pragma once

#include <optional>
#include <string>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "projections/engine.h"

namespace fouledger::cli {

struct ExportOptions {
  std::string out_dir;      // created; refused if it exists and is not empty
  std::optional<int> year;  // a funding year's entries only (with inclusion proofs); or all
};

struct ExportSummary {
  uint64_t entries = 0;    // entries written
  uint64_t keys = 0;       // public keys written
  uint64_t tree_size = 0;  // the checkpoint's size
};

// Writes the bundle for the ledger's latest checkpoint. `engine` is the ledger's validator (it
// holds every record; used to choose a year's entries). NotFound if the year has no entries;
// Corruption if an entry is not in the canonical layout verify.sh relies on.
Result<ExportSummary> ExportBundle(const Ledger& ledger, const projections::Engine& engine,
                                   const ExportOptions& options);

// The text of verify.sh (cli/verify.sh.in, embedded at build time).
const char* VerifyScript();

}  // namespace fouledger::cli
