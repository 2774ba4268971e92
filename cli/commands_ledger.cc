// Commands about the ledger itself: keys, init, log, verify, checkpoints and proofs.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "context.h"
#include "format.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "ledger/verify.h"

namespace fouledger::cli {
namespace {

int KeyNew(const std::string& out) {
  auto key = SigningKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (Status s = key->SavePem(out); !s.ok()) return Fail(s);
  if (Status s = SavePublicKeyPem(key->public_key(), out + ".pub"); !s.ok()) return Fail(s);
  std::cout << ToHex(key->key_id()) << "\n";
  std::cerr << "private key in " << out << " (mode 0600), public key in " << out << ".pub\n";
  return kExitOk;
}

int Init(const Context& ctx, const std::string& admin_pub, const std::string& name) {
  if (Status s = RequireLocalLedger(ctx); !s.ok()) return Fail(s);
  auto admin = LoadPublicKeyPem(admin_pub);
  if (!admin.ok()) return Fail(admin.status());
  LedgerOptions options;
  options.path = ctx.ledger_path;
  options.clock = ctx.clock;
  auto ledger = Ledger::Create(options, name, *admin);
  if (!ledger.ok()) return Fail(ledger.status());
  std::cout << "created ledger '" << name << "' in " << ctx.ledger_path << "\n"
            << "first admin key " << ToHex(KeyIdOf(*admin)) << "\n"
            << "checkpoint key  " << ToHex(KeyIdOf((*ledger)->authority().checkpoint_public_key()))
            << " (" << ctx.ledger_path << "/checkpoint.key, mode 0600)\n";
  return kExitOk;
}

int Log(const Context& ctx, uint64_t from, bool json) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const Ledger& ledger = *opened->ledger;
  const Authority& authority = ledger.authority();
  Status s = ledger.ForEachEntry(from, ledger.size(), [&](const DecodedEntry& e) {
    if (json) {
      std::cout << EntryJson(e, &authority).dump() << "\n";
      return Status::Ok();
    }
    std::cout << "#" << e.seq() << "  " << e.recorded_at().ToString().substr(0, 19) << "Z  "
              << e.effective_date().ToString() << "  "
              << DescribeAuthor(authority, e.reader().getAuthorKeyId()) << " "
              << ShortKeyId(e.reader().getAuthorKeyId()) << "  " << SummarizeEvent(e.reader());
    if (auto by = authority.SupersededBy(e.seq())) std::cout << "  (superseded by #" << *by << ")";
    std::cout << "\n";
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

int Verify(const Context& ctx, unsigned threads, const std::string& since_file,
           bool rehash_prefix) {
  if (Status s = RequireLocalLedger(ctx); !s.ok()) return Fail(s);
  if (rehash_prefix && since_file.empty()) {
    return Fail(Status::InvalidArgument("--rehash-prefix goes with --since"));
  }
  VerifyOptions options;
  options.threads = std::max(1u, threads);
  options.rehash_prefix = rehash_prefix;
  if (!since_file.empty()) {
    std::ifstream in(since_file, std::ios::binary);
    if (!in) return Fail(Status::InvalidArgument("cannot read --since " + since_file));
    std::stringstream note;
    note << in.rdbuf();
    options.since_checkpoint_note = note.str();
  }
  // The snapshot (DIR/snapshot) is a cache Open trusts once it checks against the tree: a full
  // verify also requires the domain rules' state in it to be the replay's (docs/storage.md,
  // "Snapshot"). `--since` does not check it: that would be a replay of the whole prefix.
  auto rules = MakeDomainRules();
  options.validator = rules.get();
  auto report = VerifyLedger(ctx.ledger_path, options);
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) {
    std::cerr << "integrity failure: " << report->first_problem << "\n";
    return kExitIntegrity;
  }
  if (!report->write_cut_short.empty()) {
    std::cerr << "note: a write-ahead log ends in a write cut short (" << report->write_cut_short
              << "), as a crash or a write still under way leaves it; never acknowledged, it is "
                 "left out\n";
  }
  if (report->since == 0) {
    std::cout << "ok: " << report->entries << " entries, " << report->checkpoints
              << " signed checkpoints, " << report->tree_nodes
              << " Merkle nodes recomputed; every signature, role and hash verified; root "
              << report->root_hex << "\n";
    return kExitOk;
  }
  const uint64_t added = report->entries - report->since;
  std::cout << "ok: "
            << (added == 0
                    ? std::string("no entries since your checkpoint")
                    : "entries " + std::to_string(report->since) + ".." +
                          std::to_string(report->entries - 1) + " (" + std::to_string(added) +
                          " since your checkpoint) checked in full with " +
                          std::to_string(report->checkpoints) + " signed checkpoints and " +
                          std::to_string(report->tree_nodes) + " Merkle nodes")
            << "; the first " << report->since
            << (report->prefix_rehashed
                    ? " entries replayed and hashed: their root is your checkpoint's"
                    : " entries still have your checkpoint's root (stored tree), " +
                          std::to_string(report->prefix_entries_read) +
                          " of them read and proven under it")
            << "; root " << report->root_hex << "\n";
  return kExitOk;
}

int CheckpointCmd(const Context& ctx, const std::string& out) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto cp = opened->ledger->LatestCheckpoint();
  if (!cp.ok()) return Fail(cp.status());
  if (!out.empty()) {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << cp->note;
    if (!f.flush()) return Fail(Status::IOError("cannot write " + out));
    std::cerr << "saved the signed checkpoint for size " << cp->size << " to " << out << "\n";
  }
  std::cout << cp->note;
  return kExitOk;
}

int ProofInclusion(const Context& ctx, uint64_t seq, std::optional<uint64_t> size) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const Ledger& ledger = *opened->ledger;
  auto cp = ledger.LatestCheckpoint();
  if (!cp.ok()) return Fail(cp.status());
  auto j = InclusionProofJson(ledger, seq, size.value_or(cp->size), *cp);
  if (!j.ok()) return Fail(j.status());
  std::cout << j->dump(2) << "\n";
  return kExitOk;
}

int ProofConsistency(const Context& ctx, uint64_t from, uint64_t to) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const Ledger& ledger = *opened->ledger;
  auto proof = ledger.ConsistencyProof(from, to);
  if (!proof.ok()) return Fail(proof.status());
  auto r1 = ledger.RootAt(from);
  auto r2 = ledger.RootAt(to);
  if (!r1.ok()) return Fail(r1.status());
  if (!r2.ok()) return Fail(r2.status());
  std::cout << ConsistencyProofToJson({from, to, *r1, *r2, *proof}) << "\n";
  return kExitOk;
}

int ProofVerify(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(Status::InvalidArgument("cannot read " + file));
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > 1024 * 1024) {
    return Fail(Status::InvalidArgument(file + " is larger than 1 MiB; not a proof"));
  }
  std::string kind;
  Status s = VerifyProofJson(ss.str(), &kind);
  if (!s.ok()) {
    std::cerr << "proof does not hold: " << s.message() << "\n";
    return kExitIntegrity;
  }
  std::cout << "ok: " << kind << " proof holds\n";
  return kExitOk;
}

}  // namespace

void RegisterLedgerCommands(CLI::App& app, Context& ctx, Action* action) {
  auto* key =
      app.add_subcommand("key", "Create, enroll and revoke Ed25519 keys")->require_subcommand(1);
  {
    auto* cmd = key->add_subcommand("new", "Create a key pair: FILE (private, 0600) and FILE.pub");
    auto out = std::make_shared<std::string>();
    cmd->add_option("--out", *out, "Private key file to create")->required();
    cmd->callback([=] { *action = [=] { return KeyNew(*out); }; });
  }
  {
    auto* cmd = app.add_subcommand("init", "Create a ledger with a genesis entry");
    auto admin = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>("fouledger.local/stockholm-fou");
    cmd->add_option("--admin", *admin, "Public key (PEM) of the first admin")->required();
    cmd->add_option("--name", *name, "Ledger name: the origin line of its checkpoints");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Init(ctx, *admin, *name); }; });
  }
  {
    auto* cmd = app.add_subcommand("log", "Print the entries");
    auto from = std::make_shared<uint64_t>(0);
    auto json = std::make_shared<bool>(false);
    cmd->add_option("--from", *from, "First sequence number");
    cmd->add_flag("--json", *json, "One JSON object per entry and line");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Log(ctx, *from, *json); }; });
  }
  {
    auto* cmd = app.add_subcommand("verify", "Recompute and check everything in the ledger");
    auto threads = std::make_shared<unsigned>(1);
    auto since = std::make_shared<std::string>();
    cmd->add_option("--threads", *threads, "Threads checking signatures (default 1)");
    auto rehash = std::make_shared<bool>(false);
    cmd->add_option("--since", *since,
                    "A checkpoint saved earlier (checkpoint --out): check in full only what came "
                    "after it, and that the ledger still has its root");
    cmd->add_flag("--rehash-prefix", *rehash,
                  "With --since: also replay and hash every entry before it (a pass over the "
                  "whole ledger)");
    cmd->callback(
        [=, &ctx] { *action = [=, &ctx] { return Verify(ctx, *threads, *since, *rehash); }; });
  }
  {
    auto* cmd = app.add_subcommand("checkpoint", "Print (and save) the latest signed checkpoint");
    auto out = std::make_shared<std::string>();
    cmd->add_option("--out", *out, "Also save it to this file");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return CheckpointCmd(ctx, *out); }; });
  }
  auto* proof = app.add_subcommand("proof", "Merkle proofs as JSON a third party can check")
                    ->require_subcommand(1);
  {
    auto* cmd = proof->add_subcommand("inclusion", "Prove entry SEQ is in the tree of size S");
    auto seq = std::make_shared<uint64_t>(0);
    auto size = std::make_shared<std::optional<uint64_t>>();
    cmd->add_option("--seq", *seq, "Entry sequence number")->required();
    cmd->add_option("--size", *size, "Tree size (default: the latest checkpoint)");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return ProofInclusion(ctx, *seq, *size); }; });
  }
  {
    auto* cmd = proof->add_subcommand("consistency", "Prove the tree of size S2 extends size S1");
    auto from = std::make_shared<uint64_t>(0);
    auto to = std::make_shared<uint64_t>(0);
    cmd->add_option("--from", *from, "Older size S1")->required();
    cmd->add_option("--to", *to, "Newer size S2")->required();
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return ProofConsistency(ctx, *from, *to); }; });
  }
  {
    auto* cmd = proof->add_subcommand("verify", "Check a proof file offline (no ledger needed)");
    auto file = std::make_shared<std::string>();
    cmd->add_option("FILE", *file, "Proof JSON")->required();
    cmd->callback([=] { *action = [=] { return ProofVerify(*file); }; });
  }
}

}  // namespace fouledger::cli
