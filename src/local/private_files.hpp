#pragma once
// The endpoint's data dir holds secrets (SecureString parameters and function environments in
// state.db, code and objects in blobs): it is the running user's alone, the dir 0700 and the
// files the endpoint writes 0600, whatever the umask. (Code unzipped for functions keeps its own
// modes: the instances' task roots are bind-mounted, so the 0700 above them does not matter.)
#include <filesystem>

namespace ld::local {

// Creates `dir` (missing parents as the umask says) and makes it 0700, an existing one too.
// Throws ld::Error when it cannot.
void make_private_dir(const std::filesystem::path& dir);

// Makes `file` 0600 when it exists. Throws ld::Error when it cannot.
void make_private_file(const std::filesystem::path& file);

// open(2) of `file` with `flags` (O_CREAT added), created 0600 and made 0600 if it was not.
// Returns the descriptor; throws ld::Error when it cannot.
int open_private_file(const std::filesystem::path& file, int flags);

}  // namespace ld::local
