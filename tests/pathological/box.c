/*
 * box.c - runs a command under a time and memory box, for the pathological suite.
 *
 *   box SECONDS MIB COMMAND [ARG...]
 *
 * Runs COMMAND, kills it (SIGKILL) once it has run SECONDS of wall time, and reads its
 * peak resident memory from wait4's rusage.  Prints one line on stderr,
 * `box: exit N, T s, M MiB`, and exits with the command's status when it ended on its own
 * within both limits; 124 when it ran out of time, 125 when it used more than MIB.  (The
 * memory limit is checked after the fact, as cmark's pathological tests do with time: a
 * hostile input must be refused cheaply, and the figure says by how much it was.)
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: box SECONDS MIB COMMAND [ARG...]\n");
        return 2;
    }
    double limit_s = atof(argv[1]);
    long limit_mib = atol(argv[2]);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return 3;
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru = {0};
    bool killed = false;
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid)
            break;
        if (w < 0)
            return 3;
        if (!killed && now() - t0 > limit_s) {
            kill(pid, SIGKILL);
            killed = true;
        }
        usleep(2000);
    }
    double t = now() - t0;
    long mib = ru.ru_maxrss / 1024;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "box: exit %d, %.2f s, %ld MiB\n", code, t, mib);
    if (killed)
        return 124;
    if (mib > limit_mib)
        return 125;
    return code;
}
