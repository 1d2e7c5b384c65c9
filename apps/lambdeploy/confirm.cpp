#include "confirm.hpp"

#include <unistd.h>

#include <iostream>

#include "core/error.hpp"

namespace ld::cli {

void confirm_change(Context& ctx, const std::string& stage, bool yes, const std::string& what) {
  if (yes || !ctx.stage(stage).is_protected) return;
  if (::isatty(STDIN_FILENO) == 0 || ctx.options.json) {
    throw Error("stage " + stage + " is protected: pass --yes to " + what +
                " without a question (stdin is not a terminal)");
  }
  std::cerr << "Stage " << stage << " is protected. " << what << "? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "y" && answer != "Y" && answer != "yes")
    throw Error("not confirmed: stage " + stage + " is unchanged");
}

}  // namespace ld::cli
