// The server's fuzz targets (http_request.cc, api_json.cc) share this: a temporary ledger with the
// domain rules and a server::internal::Service over it, created once per process and removed at
// exit, with no sockets. Requests go to Service::Handle exactly as a connection hands them over.
//
// The ledger's first admin is the fixed key fuzz/data/admin.pem (a test key, nothing else), so the
// signed append bodies in the seed corpora (made by fuzz/make_seeds.cc) are accepted.
#pragma once

#include <string>

#include "ledger/crypto.h"
#include "service.h"

namespace fouledger::fuzz {

// The Service over the process's ledger (created on first use).
server::internal::Service& TheService();

// Hands `request` to the Service and waits for its one response. Traps if the Service answers
// twice, or answers with something no client could read: a status outside 100..599, or a JSON
// content type whose body is not JSON (clients parse error bodies: cli::StatusOfReply).
server::internal::HttpResponse Dispatch(const server::internal::HttpRequest& request);

// An enrolled controller key (generated per process), for reads the fuzz target signs itself.
const SigningKey& Reader();
// The Service's clock. It stands still, but moves on by twice the replay window now and then, so
// the remembered nonces of signed reads expire instead of filling the store.
Instant Now();
// Counts a signed read; call it before signing one, as it may move the clock.
void NoteSignedRead();

// Percent-decodes the path of a request target ("/v1/%62udget?x" -> "/v1/budget") the way the
// Service does; *ok is false if it is malformed.
std::string DecodedPath(const std::string& target, bool* ok);

// Stops the process in a way libFuzzer reports as a crash, with `why` on stderr.
[[noreturn]] void Fail(const std::string& why, const server::internal::HttpRequest& request,
                       const server::internal::HttpResponse& response);

}  // namespace fouledger::fuzz
