// fouledger: the command line. See README.md and docs/cli.md.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "context.h"

int main(int argc, char** argv) {
  using namespace fouledger::cli;
  CLI::App app{"fouledger: a tamper-evident ledger of Stockholm's FoU grant funds"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fouledger 0.1.0");
  // Options like --ledger are accepted after the subcommand too ("fouledger verify --ledger D");
  // subcommands inherit this when they are created, so it comes first.
  app.fallthrough();
  Context ctx;
  app.add_option("--ledger", ctx.ledger_path, "Ledger directory")->envname("FOULEDGER_LEDGER");
  app.add_option("--signer", ctx.signer_path, "Private key (PEM) that signs what you append")
      ->envname("FOULEDGER_KEY");
  app.add_option("--server", ctx.server_url,
                 "Send to `fouledger serve` at URL (https://host:port) instead of a local ledger")
      ->envname("FOULEDGER_SERVER");
  app.add_option("--ca", ctx.ca_path, "CA certificate (PEM) to trust for an https --server")
      ->envname("FOULEDGER_CA");
  Action action;
  RegisterLedgerCommands(app, ctx, &action);
  RegisterWriteCommands(app, ctx, &action);
  RegisterQueryCommands(app, ctx, &action);
  RegisterImportCommands(app, ctx, &action);
  RegisterAuditCommands(app, ctx, &action);
  RegisterServeCommands(app, ctx, &action);
  RegisterLoginCommands(app, ctx, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a mistyped command as a missing one ("A subcommand is required"): name it.
    const std::vector<std::string> extras = app.remaining();
    if (app.get_subcommands().empty() && !extras.empty()) {
      std::cerr << "usage error: '" << extras.front() << "' is not a fouledger "
                << (extras.front().rfind('-', 0) == 0 ? "option" : "command")
                << " (see fouledger --help)\n";
      return kExitRefused;
    }
    std::cerr << "usage error: " << e.what() << " (see fouledger --help)\n";
    return kExitRefused;
  }
  if (!action) {
    std::cerr << "usage error: no command given (see fouledger --help)\n";
    return kExitRefused;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    // Library code returns Status; an exception here is a bug or resource exhaustion.
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
