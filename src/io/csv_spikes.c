/* csv_spikes.c — spike output as CSV: a header line "timestamp,population,node_id", then one
 * spike per line, sorted by time within each slice (ms, population-local node ids). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv_resume.h"
#include "io.h"

typedef struct csv_file {
    FILE *out;
    char *path;
} csv_file;

static leinao_status csv_open(lspike_sink *sink, leinao_sim *sim, const char *path)
{
    csv_file *f = lc_calloc(&sim->ctx, 1, sizeof *f);
    if (!f)
        return LEINAO_NOMEM;
    sink->impl = f;
    f->path = lc_strdup(&sim->ctx, path);
    if (!f->path)
        return LEINAO_NOMEM;
    f->out = fopen(path, "w");
    if (!f->out)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot create: %s", path, strerror(errno));
    if (fputs("timestamp,population,node_id\n", f->out) < 0)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write: %s", path, strerror(errno));
    return LEINAO_OK;
}

int lcsv_time_decimals(double dt)
{
    double scale = 1.0;
    for (int d = 0; d <= 9; d++, scale *= 10.0) {
        double x = dt * scale;
        if (fabs(x - nearbyint(x)) <= 1e-9 * fmax(1.0, fabs(x)))
            return d;
    }
    return -1;
}

int lcsv_write_time(FILE *f, double t, int decimals)
{
    if (decimals < 0)
        return fprintf(f, "%.17g", t);
    /* a multiple of dt computed in binary (29.800000000000001) is written as the grid has it */
    return fprintf(f, "%.*f", decimals, t);
}

static leinao_status csv_write(lspike_sink *sink, leinao_sim *sim, int pop, const double *times,
                               const uint64_t *ids, size_t n)
{
    csv_file *f = sink->impl;
    const char *name = sim->net.pops[pop]->name;
    int decimals = lcsv_time_decimals(sim->config.dt);
    for (size_t i = 0; i < n; i++)
        if (lcsv_write_time(f->out, times[i], decimals) < 0 ||
            fprintf(f->out, ",%s,%llu\n", name, (unsigned long long)ids[i]) < 0)
            return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write: %s", f->path,
                            strerror(errno));
    return LEINAO_OK;
}

static leinao_status csv_close(lspike_sink *sink, leinao_sim *sim)
{
    csv_file *f = sink->impl;
    if (!f || !f->out)
        return LEINAO_OK;
    int bad = ferror(f->out);
    bad |= fclose(f->out) != 0;
    f->out = NULL;
    if (bad)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write (disk full?)", f->path);
    return LEINAO_OK;
}

static void csv_destroy(lspike_sink *sink, leinao_sim *sim)
{
    csv_file *f = sink->impl;
    if (!f)
        return;
    csv_close(sink, sim);
    lc_free(&sim->ctx, f->path);
    lc_free(&sim->ctx, f);
    sink->impl = NULL;
}

static leinao_status csv_save(lspike_sink *sink, leinao_sim *sim, lrs_list *list,
                              const char *prefix)
{
    csv_file *f = sink->impl;
    return lcsv_save(sim, f->out, f->path, list, prefix);
}

static leinao_status csv_resume(lspike_sink *sink, leinao_sim *sim, const char *path,
                                const lrs_list *list, const char *prefix, int check)
{
    FILE *out = NULL;
    leinao_status st = lcsv_resume(sim, path, list, prefix, check, &out);
    if (st || check)
        return st;
    csv_file *f = lc_calloc(&sim->ctx, 1, sizeof *f);
    char *copy = lc_strdup(&sim->ctx, path);
    if (!f || !copy) {
        lc_free(&sim->ctx, f);
        lc_free(&sim->ctx, copy);
        fclose(out);
        return LEINAO_NOMEM;
    }
    f->out = out;
    f->path = copy;
    sink->impl = f;
    return LEINAO_OK;
}

const lsink_ops lsink_csv_ops = {csv_open,    csv_write, csv_close,
                                 csv_destroy, csv_save,  csv_resume, NULL};
