// posix_spawn with the GNU file actions Swift's Glibc module leaves out (chdir, closefrom).
#ifndef TICKETING_CCHILDPROCESS_H
#define TICKETING_CCHILDPROCESS_H

#include <sys/types.h>

/// No file action for a standard stream: the child shares the parent's.
#define TICKETING_SPAWN_INHERIT (-2)
/// The standard stream is `/dev/null`.
#define TICKETING_SPAWN_NULL (-1)

/// Starts `path` with `arguments` and `environment` (both NULL-terminated) in `directory` (NULL: the
/// parent's), its standard streams `input`, `output` and `error` (a descriptor of the parent's, or one of the
/// values above), every other descriptor closed, every signal at its default and none blocked. Returns 0 and
/// sets `pid`, else an `errno` value.
int ticketing_spawn(
    pid_t *pid, const char *path, char *const arguments[], char *const environment[], const char *directory,
    int input, int output, int error);

/// Makes a pipe whose two ends are closed on exec (`pipe2` with `O_CLOEXEC`): 0, else -1 and `errno`.
int ticketing_pipe(int ends[2]);

#endif
