// What every fouledger command shares: where the ledger is, who signs, the clock, and how a
// Status becomes a message and an exit code. The CLI is thin: rules live in ledger/ and
// projections/, never here.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ledger/date.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/money.h"
#include "ledger/status.h"
#include "projections/engine.h"

namespace fouledger::cli {

// Exit codes: the interface scripts rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitIntegrity = 1;  // verification failed: a bad entry, proof or checkpoint
inline constexpr int kExitRefused = 2;    // refused input or usage error; nothing was appended
inline constexpr int kExitInternal = 3;   // I/O or internal error

int ExitCodeFor(const Status& s);
// Prints the one-line message to stderr and returns the exit code.
int Fail(const Status& s);

struct Context {
  std::string ledger_path;  // --ledger, or $FOULEDGER_LEDGER
  std::string signer_path;  // --signer, or $FOULEDGER_KEY
  // --server URL, or $FOULEDGER_SERVER: writing and query commands sign locally and ask
  // `fouledger serve` there instead of opening a local ledger (cli/client.h).
  std::string server_url;
  std::string ca_path;  // --ca FILE, or $FOULEDGER_CA: the CA (PEM) to trust for https
  Clock clock = SystemClock();
};

// A ledger opened with the domain rules plugged in; the rules double as the query engine.
struct OpenLedger {
  std::unique_ptr<projections::Engine> rules;
  std::unique_ptr<Ledger> ledger;
};
Result<OpenLedger> Open(const Context& ctx);
// Ok when the command may work on a local ledger: one is named and no --server is given.
Status RequireLocalLedger(const Context& ctx);
Result<SigningKey> LoadSigner(const Context& ctx);

// Parsers that turn user text into values, naming the option when it fails.
Result<Money> ParseAmount(const std::string& option, const std::string& text);
Result<Date> ParseDate(const std::string& option, const std::string& text);
// "" means today (by the context's clock).
Result<Date> ParseDateOrToday(const Context& ctx, const std::string& option,
                              const std::string& text);

// Signs the event with the context's signer, appends it and prints "entry N: <summary>".
int SignAndAppend(const Context& ctx, EventBuilder& event);

// The domain rules (and query engine) every ledger is opened with.
std::unique_ptr<projections::Engine> MakeDomainRules();

// Each command group registers its subcommands; `action` is set to the chosen command's body.
using Action = std::function<int()>;
void RegisterLedgerCommands(CLI::App& app, Context& ctx, Action* action);
void RegisterWriteCommands(CLI::App& app, Context& ctx, Action* action);
void RegisterQueryCommands(CLI::App& app, Context& ctx, Action* action);
void RegisterImportCommands(CLI::App& app, Context& ctx, Action* action);
// trace, export, audit since, anomalies (cli/commands_audit.cc, docs/audit.md).
void RegisterAuditCommands(CLI::App& app, Context& ctx, Action* action);
void RegisterServeCommands(CLI::App& app, Context& ctx, Action* action);
void RegisterLoginCommands(CLI::App& app, Context& ctx, Action* action);  // docs/web.md

}  // namespace fouledger::cli
