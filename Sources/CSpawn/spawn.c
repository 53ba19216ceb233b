#define _GNU_SOURCE
#include "cspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

pid_t ks_spawn(const char *path, char *const argv[], char *const envp[], int *error_out) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *error_out = errno;
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        *error_out = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls from here to execve. */
        close(report[0]);
        setpgid(0, 0);
#if defined(__linux__)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* The wrapper died between fork and prctl: the signal will never come. */
        if (getppid() != parent) _exit(127);
#endif
        /* Dispositions the wrapper set (ignored or handled signals) must not leak into the
         * command: ignored signals survive execve. */
        struct sigaction deflt;
        deflt.sa_handler = SIG_DFL;
        deflt.sa_flags = 0;
        sigemptyset(&deflt.sa_mask);
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &deflt, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        int failure = errno;
        ssize_t ignored = write(report[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
    /* Also from the parent, so the group exists before anyone signals it. */
    setpgid(pid, pid);
    int failure = 0;
    ssize_t n;
    do {
        n = read(report[0], &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof failure) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *error_out = failure;
        return -1;
    }
    return pid;
}

int ks_wait(pid_t pid) {
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, 0);
        if (r == pid) break;
        if (r < 0 && errno == EINTR) continue;
        return -1000 - errno;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1000;
}
