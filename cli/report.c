/* report.c — `leinao report DIR`: one page (PDF and PNG) about a finished run, drawn by
 * leinao_plot_report from the folder's files; and what `leinao run --report` adds to them: the
 * weight distributions of plastic projections before and after the run (DIR/weights.csv). */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "report.h"

#define WEIGHT_BINS 40
#define MOST_PROJECTIONS 8
#define MOST_SYNAPSES 50000000u /* per projection: 400 MB of weights at most, twice */

static const char *const report_help =
    "usage: leinao report DIR [options]\n"
    "\n"
    "Draws one page about the finished run in DIR (its output folder): the spike raster with\n"
    "the population rates, the distributions over neurons of rates and CV of ISI, ISI\n"
    "histograms, weight distributions before and after the run of plastic projections (when\n"
    "DIR/weights.csv holds them: leinao run --report writes it), the recorded state traces,\n"
    "and the summary table (rates, CV, spikes, synapses, build and simulation time, real-time\n"
    "factor, memory) from DIR/summary.json. Writes DIR/report.pdf and DIR/report.png.\n"
    "\n"
    "options:\n"
    "  --out FILE         write only FILE (.pdf, .png or .svg)\n"
    "  --populations A,B  only these populations in the raster and distributions\n"
    "  --title TEXT       title of the page (default: model, version and status)\n"
    "  --quiet            print nothing but errors\n"
    "  -h, --help         show this help\n";

static int draw(const char *dir, const char *out, const char *populations, const char *title,
                int quiet)
{
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open(&sim);
    if (st) {
        fprintf(stderr, "leinao: error: %s\n", leinao_strerror(st));
        return (int)st;
    }
    leinao_plot_options po;
    leinao_plot_options_default(&po);
    po.width = 1240; /* A4 at 150 dpi */
    po.height = 1754;
    po.populations = populations;
    po.title = title;
    po.isolated = 1; /* a corrupt file that crashes libhdf5 is an error, not a crash */
    char path[4200];
    static const char *const kinds[2] = {"pdf", "png"};
    for (int k = 0; k < (out ? 1 : 2) && !st; k++) {
        if (out)
            snprintf(path, sizeof path, "%s", out);
        else
            snprintf(path, sizeof path, "%s/report.%s", dir, kinds[k]);
        char what[4400];
        snprintf(what, sizeof what, "report: drawing %s", path);
        int live = !quiet && isatty(STDERR_FILENO);
        double started = cli_now();
        cli_phase_begin(live, what);
        st = leinao_plot_report(sim, dir, path, &po);
        cli_phase_done(live, 0, what, started);
        if (!st && !quiet)
            printf("%s\n", path);
    }
    if (st)
        fprintf(stderr, "leinao: error: %s\n",
                leinao_errmsg(sim)[0] ? leinao_errmsg(sim) : leinao_strerror(st));
    leinao_close(sim);
    return (int)st;
}

int cli_report_draw(const char *dir, int quiet)
{
    return draw(dir, NULL, NULL, NULL, quiet);
}

int cmd_report(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL, *populations = NULL, *title = NULL;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(report_help, stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--populations") || !strcmp(a, "--title")) {
            if (!v) {
                fprintf(stderr, "leinao: %s needs a value\n(see leinao report --help)\n", a);
                return 64;
            }
            *(!strcmp(a, "--out") ? &out : !strcmp(a, "--title") ? &title : &populations) = v;
            i++;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "leinao: unknown option %s\n(see leinao report --help)\n", a);
            return 64;
        } else if (!dir) {
            dir = a;
        } else {
            fprintf(stderr, "leinao: unexpected argument %s\n(see leinao report --help)\n", a);
            return 64;
        }
    }
    if (!dir) {
        fputs("leinao: missing DIR (the output folder of a run)\n(see leinao report --help)\n",
              stderr);
        return 64;
    }
    return draw(dir, out, populations, title, quiet);
}

/* ---- weights of plastic projections, before and after the run ---- */

typedef struct kept {
    int projection;
    size_t n;
    double *before;
} kept;

static kept weights[MOST_PROJECTIONS];
static int n_kept;

static int plastic(const leinao_sim *sim, int j, leinao_projection_stats *ps)
{
    return leinao_get_projection_stats(sim, j, ps) == LEINAO_OK && ps->synapse_model &&
           strcmp(ps->synapse_model, "static_synapse") && ps->synapses > 0 &&
           ps->synapses <= MOST_SYNAPSES;
}

void cli_weights_before(leinao_sim *sim)
{
    if (leinao_mpi_size() > 1)
        return;
    for (int j = 0; j < leinao_projection_count(sim) && n_kept < MOST_PROJECTIONS; j++) {
        leinao_projection_stats ps;
        if (!plastic(sim, j, &ps))
            continue;
        size_t n = (size_t)ps.synapses;
        double *w = malloc(n * sizeof *w);
        if (!w || leinao_get_connections(sim, j, &n, NULL, NULL, w, NULL) != LEINAO_OK) {
            free(w);
            continue;
        }
        weights[n_kept++] = (kept){j, n, w};
    }
}

void cli_weights_after(leinao_sim *sim, const char *dir, int quiet)
{
    if (n_kept == 0)
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/weights.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "leinao: cannot write %s\n", path);
    } else {
        fputs("# leinao: weight distributions of plastic projections before and after the run "
              "(synapses per bin)\nprojection,source,target,synapse_model,bin_low,bin_high,"
              "before,after\n",
              f);
    }
    for (int k = 0; k < n_kept; k++) {
        kept *w = &weights[k];
        leinao_projection_stats ps;
        size_t n = w->n;
        double *now = f ? malloc(n * sizeof *now) : NULL;
        if (!now || leinao_get_projection_stats(sim, w->projection, &ps) ||
            leinao_get_connections(sim, w->projection, &n, NULL, NULL, now, NULL) || n != w->n) {
            free(now);
            free(w->before);
            continue;
        }
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            lo = fmin(lo, fmin(w->before[i], now[i]));
            hi = fmax(hi, fmax(w->before[i], now[i]));
        }
        if (!(hi > lo))
            hi = lo + (lo != 0 ? fabs(lo) * 0.1 : 1.0);
        unsigned long long before[WEIGHT_BINS] = {0}, after[WEIGHT_BINS] = {0};
        for (size_t i = 0; i < n; i++) {
            int a = (int)((w->before[i] - lo) / (hi - lo) * WEIGHT_BINS);
            int b = (int)((now[i] - lo) / (hi - lo) * WEIGHT_BINS);
            before[a < 0 ? 0 : a >= WEIGHT_BINS ? WEIGHT_BINS - 1 : a]++;
            after[b < 0 ? 0 : b >= WEIGHT_BINS ? WEIGHT_BINS - 1 : b]++;
        }
        leinao_population_stats a, b;
        const char *src = leinao_get_population_stats(sim, ps.source, &a) ? "?" : a.name;
        const char *tgt = leinao_get_population_stats(sim, ps.target, &b) ? "?" : b.name;
        for (int j = 0; j < WEIGHT_BINS; j++)
            fprintf(f, "%d,%s,%s,%s,%.10g,%.10g,%llu,%llu\n", w->projection, src, tgt,
                    ps.synapse_model, lo + (hi - lo) * j / WEIGHT_BINS,
                    lo + (hi - lo) * (j + 1) / WEIGHT_BINS, before[j], after[j]);
        free(now);
        free(w->before);
    }
    n_kept = 0;
    if (f && fclose(f) == 0 && !quiet)
        printf("  weight distributions: %s\n", path);
}
