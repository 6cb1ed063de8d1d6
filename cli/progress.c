/* progress.c — see progress.h. */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <time.h>

#include "progress.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_phase_begin(int live, const char *what)
{
    if (!live)
        return;
    fprintf(stderr, "\r\033[K  %s ...", what);
    fflush(stderr);
}

void cli_phase_done(int live, int lines, const char *what, double started)
{
    if (live) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (lines) {
        printf("  %s (%.2f s)\n", what, cli_now() - started);
        fflush(stdout);
    }
}
