#include "context.h"
#include "format.h"
namespace fouledger::cli {
std::unique_ptr<AppendValidator> MakeDomainRules() { return nullptr; }
void RegisterQueryCommands(CLI::App&, Context&, Action*) {}
void RegisterImportCommands(CLI::App&, Context&, Action*) {}
}  // namespace fouledger::cli
