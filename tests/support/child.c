/* child.c — running, signalling and reaping the tests' child processes (child.h). */
#include "child.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support_clock.h"

/* How often child_signal_and_wait looks whether the child has exited. */
#define CHILD_POLL_MS 10

int child_run(const char *command, char *out, size_t size) {
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "popen %s", command);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    return child_exit_code(pclose(p));
}

int child_exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void child_bind_to_parent(pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127);
}

pid_t child_spawn(char *const argv[]) {
    pid_t parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "child: cannot start %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0) {
        child_bind_to_parent(parent);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Kills pid and reaps it; returns waitpid's result. */
static pid_t child_kill_and_reap(pid_t pid, int *status) {
    pid_t r;
    kill(pid, SIGKILL);
    while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR) {
    }
    return r;
}

int child_signal_and_wait(pid_t pid, int sig, int timeout_ms, int *exit_status) {
    long long deadline_ms = sy_clock_mono_ms() + timeout_ms;
    int status = 0, killed = 0;
    if (sig != 0 && kill(pid, sig) != 0 && errno != ESRCH)
        return -1;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (sy_clock_mono_ms() >= deadline_ms) {
            killed = 1;
            if (child_kill_and_reap(pid, &status) < 0)
                return -1;
            break;
        }
        support_clock_sleep_ms(CHILD_POLL_MS);
    }
    if (exit_status != NULL)
        *exit_status = status;
    return killed;
}
