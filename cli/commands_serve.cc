// `fouledger serve`: the ledger's HTTPS API for many clients at once (server/server.h,
// docs/api.md, docs/operations.md). It opens the ledger with the domain rules, as every command
// does, and hands both to the server until SIGTERM or SIGINT.
#include <iostream>

#include "context.h"
#include "server/server.h"

namespace fouledger::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert, tls_key;
  int threads = 2;
};

int Serve(const Context& ctx, const ServeOptions& o) {
  Context local = ctx;
  local.server_url.clear();  // serve works on its own ledger, whatever $FOULEDGER_SERVER says
  auto opened = Open(local);
  if (!opened.ok()) return Fail(opened.status());
  server::ServerOptions options;
  options.listen = o.listen;
  options.tls_cert_path = o.tls_cert;
  options.tls_key_path = o.tls_key;
  options.threads = o.threads;
  options.handle_signals = true;
  auto srv = server::Server::Start(opened->ledger.get(), opened->rules.get(), options);
  if (!srv.ok()) return Fail(srv.status());
  std::cerr << "serving " << ctx.ledger_path << " (" << opened->ledger->size() << " entries) on "
            << ((*srv)->tls() ? "https://" : "http://") << o.listen.substr(0, o.listen.rfind(':'))
            << ":" << (*srv)->port() << "\n";
  (*srv)->Wait();
  std::cerr << "stopped; the ledger has " << opened->ledger->size() << " entries\n";
  return kExitOk;
}

}  // namespace

void RegisterServeCommands(CLI::App& app, Context& ctx, Action* action) {
  auto* cmd = app.add_subcommand("serve", "Serve the ledger over HTTPS to many clients at once");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("--listen", o->listen, "host:port to listen on (plain HTTP only on loopback)")
      ->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "TLS certificate chain (PEM)");
  cmd->add_option("--tls-key", o->tls_key, "TLS private key (PEM)");
  cmd->add_option("--threads", o->threads, "Network threads (the writer has its own)")
      ->capture_default_str();
  cmd->callback([=, &ctx] { *action = [=, &ctx] { return Serve(ctx, *o); }; });
}

}  // namespace fouledger::cli
