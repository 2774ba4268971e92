// `fouledger login`: starts a browser session on `fouledger serve`'s pages (docs/web.md) without
// the private key leaving this machine. It asks the server for a one-time challenge, signs it with
// --signer and prints the one-time link the server answers with; opening the link (within two
// minutes, once) gives the browser a short-lived session cookie.
#include <iostream>
#include <nlohmann/json.hpp>

#include "client.h"
#include "context.h"
#include "server/request_auth.h"

namespace fouledger::cli {
namespace {

constexpr std::chrono::milliseconds kLoginTimeout{10'000};

int Login(const Context& ctx) {
  if (ctx.server_url.empty()) {
    return Fail(
        Status::InvalidArgument("login needs --server URL (the `fouledger serve` to sign in to)"));
  }
  auto key = LoadSigner(ctx);
  if (!key.ok()) return Fail(key.status());
  auto client = HttpClient::Create(ctx.server_url, ctx.ca_path, kLoginTimeout);
  if (!client.ok()) return Fail(client.status());
  auto challenge_reply = (*client)->Request("POST", "/v1/session/challenge", "", {});
  if (!challenge_reply.ok()) return Fail(challenge_reply.status());
  if (challenge_reply->status != 200) return Fail(StatusOfReply(*challenge_reply));
  auto challenge = ParseChallengeReply(challenge_reply->body);
  if (!challenge.ok()) return Fail(challenge.status());
  const std::string& text = *challenge;
  const SignatureBytes signature = key->Sign(server::LoginMessage(text));
  const nlohmann::json body = {
      {"keyId", ToHex(key->key_id())}, {"challenge", text}, {"signature", Base64Encode(signature)}};
  auto reply = (*client)->Request("POST", "/v1/session", body.dump(),
                                  {{"Content-Type", "application/json"}});
  if (!reply.ok()) return Fail(reply.status());
  if (reply->status != 200) return Fail(StatusOfReply(*reply));
  auto answer = ParseLoginReply(reply->body);
  if (!answer.ok()) return Fail(answer.status());
  std::string base = ctx.server_url;
  // The link is a path on the server: keep scheme, host and port of --server, drop any path.
  const size_t scheme = base.find("://");
  const size_t slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash != std::string::npos) base.resize(slash);
  std::cout << base << answer->link << "\n";
  std::cerr << "open this link within " << answer->expires_in_s
            << " s, once; it signs the browser in as " << answer->holder << " (" << answer->role
            << ")\n";
  return kExitOk;
}

}  // namespace

void RegisterLoginCommands(CLI::App& app, Context& ctx, Action* action) {
  auto* cmd = app.add_subcommand(
      "login", "Print a one-time link that signs a browser in to the pages of --server");
  cmd->callback([=, &ctx] { *action = [&ctx] { return Login(ctx); }; });
}

}  // namespace fouledger::cli
