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
  const auto challenge = nlohmann::json::parse(challenge_reply->body, nullptr, false);
  if (challenge.is_discarded() || !challenge.contains("challenge") ||
      !challenge["challenge"].is_string()) {
    return Fail(Status::IOError("the server's challenge is not {\"challenge\": hex}"));
  }
  const std::string text = challenge["challenge"];
  const SignatureBytes signature = key->Sign(server::LoginMessage(text));
  const nlohmann::json body = {
      {"keyId", ToHex(key->key_id())}, {"challenge", text}, {"signature", Base64Encode(signature)}};
  auto reply = (*client)->Request("POST", "/v1/session", body.dump(),
                                  {{"Content-Type", "application/json"}});
  if (!reply.ok()) return Fail(reply.status());
  if (reply->status != 200) return Fail(StatusOfReply(*reply));
  const auto answer = nlohmann::json::parse(reply->body, nullptr, false);
  if (answer.is_discarded() || !answer.contains("link") || !answer["link"].is_string()) {
    return Fail(Status::IOError("the server's answer has no \"link\""));
  }
  std::string base = ctx.server_url;
  // The link is a path on the server: keep scheme, host and port of --server, drop any path.
  const size_t scheme = base.find("://");
  const size_t slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash != std::string::npos) base.resize(slash);
  std::cout << base << answer["link"].get<std::string>() << "\n";
  std::cerr << "open this link within " << answer.value("expiresIn", 0)
            << " s, once; it signs the browser in as " << answer.value("holder", std::string("?"))
            << " (" << answer.value("role", std::string("?")) << ")\n";
  return kExitOk;
}

}  // namespace

void RegisterLoginCommands(CLI::App& app, Context& ctx, Action* action) {
  auto* cmd = app.add_subcommand(
      "login", "Print a one-time link that signs a browser in to the pages of --server");
  cmd->callback([=, &ctx] { *action = [&ctx] { return Login(ctx); }; });
}

}  // namespace fouledger::cli
