/* child.h — child processes of the tests: a command run through the shell with its output
 * captured, and a program started, signalled and reaped within a bounded time.
 * Test code only: every call returns within the time it is given; not thread-safe. */
#ifndef CHILD_H
#define CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* Runs command through /bin/sh (popen) and reads its stdout into out, at most size-1
 * bytes, NUL-terminated; the command redirects stderr itself when it wants it too.
 * Returns the command's exit code, or -1 when it did not exit normally (a signal).
 * Asserts (Criterion) that the shell could be started. size must be > 0. */
int child_run(const char *command, char *out, size_t size);

/* The exit code in waitpid's raw status, or -1 when the child did not exit normally (it
 * was killed by a signal). */
int child_exit_code(int status);

/* Starts argv[0] (searched in PATH) with argv and this process's environment, bound to
 * this process (child_bind_to_parent). argv is borrowed and NULL-terminated. Returns the
 * child's pid, or -1 when it could not fork (detail on stderr); a program that cannot be
 * executed exits with 127. */
pid_t child_spawn(char *const argv[]);

/* For a child made with fork, before it execs: have the kernel SIGKILL it when parent (the
 * test process, getpid() before the fork) dies, so a failed assertion, which ends the test
 * process, stops every program the test started at once; exits 127 when parent is already
 * gone. */
void child_bind_to_parent(pid_t parent);

/* Sends sig to pid (none when sig is 0) and waits up to timeout_ms for it to exit; when it
 * has not, sends SIGKILL and reaps it. *exit_status (may be NULL) receives waitpid's raw
 * status: use WIFEXITED/WEXITSTATUS/WIFSIGNALED. Returns 0 when the child exited within the
 * timeout, 1 when it had to be killed, -1 when pid is not a child of this process. */
int child_signal_and_wait(pid_t pid, int sig, int timeout_ms, int *exit_status);

#endif
