/* memory.c — does the network fit in memory? `leinao check` warns and `leinao run` refuses
 * before building when leinao_estimate_size's peak exceeds the machine's available memory (or
 * --memory-limit): a build that runs out of memory after minutes of connecting, or pushes the
 * machine into swap, is worse than a message naming both numbers. */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "memory.h"

int cli_parse_bytes(const char *text, double *bytes)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || !(v > 0) || !isfinite(v))
        return -1;
    while (*end == ' ')
        end++;
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"", 1},
                 {"B", 1},
                 {"K", 1024.0},
                 {"KiB", 1024.0},
                 {"M", 1048576.0},
                 {"MiB", 1048576.0},
                 {"G", 1073741824.0},
                 {"GiB", 1073741824.0},
                 {"T", 1099511627776.0},
                 {"TiB", 1099511627776.0},
                 {"kB", 1e3},
                 {"KB", 1e3},
                 {"MB", 1e6},
                 {"GB", 1e9},
                 {"TB", 1e12}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) {
            *bytes = v * units[i].factor;
            return *bytes >= 1.0 ? 0 : -1;
        }
    return -1;
}

double cli_available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        unsigned long long kib = 0;
        int found = 0;
        while (!found && fgets(line, sizeof line, f))
            found = sscanf(line, "MemAvailable: %llu kB", &kib) == 1;
        fclose(f);
        if (found)
            return (double)kib * 1024.0;
    }
#ifdef _SC_AVPHYS_PAGES
    long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0)
        return (double)pages * (double)size;
#endif
    return 0.0;
}

static void human(double bytes, char *out, size_t n)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 5) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

int cli_memory_check(leinao_sim *sim, double limit, int refuse, int rank)
{
    leinao_estimate e;
    if (leinao_estimate_size(sim, &e) != LEINAO_OK)
        return 0;
    int given = limit > 0.0;
    if (!given)
        limit = cli_available_memory();
    if (!(limit > 0.0))
        return 0; /* unknown: nothing to compare with */
    int ranks = leinao_mpi_size();
    double need = (double)e.bytes / (ranks > 1 ? ranks : 1);
    if (need <= limit)
        return 0;
    if (rank != 0)
        return refuse ? (int)LEINAO_NOMEM : 0;
    char a[32], b[32];
    human(need, a, sizeof a);
    human(limit, b, sizeof b);
    const char *what = given ? "the memory limit (--memory-limit)"
                             : "the memory available on this machine (MemAvailable)";
    fprintf(stderr,
            "leinao: %s: the estimated peak memory of this network, %s (%.0f bytes%s), exceeds "
            "%s, %s (%.0f bytes)\n",
            refuse ? "error" : "warning", a, need, ranks > 1 ? " per MPI rank" : "", what, b,
            limit);
    fprintf(stderr,
            "  to change: make the network smaller (e.g. --set populations.NAME.size=N, or a "
            "smaller in-degree: leinao check shows the synapses, the bulk of the memory), "
            "record fewer neurons, free memory or run on a larger machine, or spread it over MPI "
            "ranks on several nodes (mpirun -n R leinao run ...)%s\n",
            refuse ? "; --memory-limit BYTES sets the limit to compare with (e.g. "
                     "--memory-limit '64 GiB' when the estimate is known to be pessimistic)"
                   : "; leinao run refuses to build it");
    return refuse ? (int)LEINAO_NOMEM : 0;
}
