// A served ledger for tests: the usual enrolled ledger (tests/ledger/test_util.h) with the domain
// rules, a Server on 127.0.0.1 with a free port, clients, and raw sockets for what a well-behaved
// client never sends.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client.h"
#include "projections/engine.h"
#include "server/request_auth.h"
#include "server/server.h"
#include "test_util.h"

namespace fouledger::testing {

struct ServedLedger {
  LedgerFixture f;
  projections::Engine engine;
  std::unique_ptr<server::Server> server;
  std::vector<std::string> log;  // the server's request log
  std::mutex log_mutex;

  // Creates and enrolls the ledger, then starts serving it.
  void Start(server::ServerOptions options = {});
  void Stop() { server.reset(); }
  std::string Url() const;
  std::unique_ptr<cli::HttpClient> Client(const std::string& ca = "") const;
  // A signed GET by `key`.
  cli::HttpReply SignedGet(const SigningKey& key, const std::string& target);
};

cli::HttpReply Post(cli::HttpClient& client, const SignedEvent& event);
nlohmann::json Json(const cli::HttpReply& reply);

// Sends `bytes` on a fresh connection to 127.0.0.1:port, then reads until the server closes the
// connection or `wait` passes; returns what came back.
std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::milliseconds(5000));
// The status code of the first HTTP response in `raw` (0 if none).
int StatusOf(const std::string& raw);

// A unit-add event by `by` (the admin), unique by `id`.
SignedEvent UnitAdd(const SigningKey& by, const std::string& id);

}  // namespace fouledger::testing
