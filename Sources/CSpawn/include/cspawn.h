#ifndef KS_CSPAWN_H
#define KS_CSPAWN_H
/* Starting singleton-run's command: fork + execve with the child in a process group of its
 * own and PR_SET_PDEATHSIG set, so the command dies with the wrapper even when the wrapper is
 * killed by SIGKILL. Swift cannot fork safely and Foundation's Process sets neither. */
#include <sys/types.h>

/* Starts `path` (an absolute or relative path: no PATH search after fork) with `argv` and
 * `envp` (both NULL-terminated). Returns the child's pid (also its process group id), or -1
 * with the errno of the failed step (fork, or execve in the child) in `*error_out`.
 * PR_SET_PDEATHSIG fires when the forking *thread* exits: call it from a thread that lives
 * until the child has been waited for. */
pid_t ks_spawn(const char *path, char *const argv[], char *const envp[], int *error_out);

/* Waits for `pid` (retrying on EINTR). Returns the exit status (0...255) when it exited, or
 * -N when signal N killed it; -1000 - errno when waitpid itself failed. */
int ks_wait(pid_t pid);

#endif
