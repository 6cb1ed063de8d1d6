/* leinao.c — the `leinao` command: run, check, version, models, doc, nir (cli/nir.c). A client of the public
 * API (include/leinao.h) like any other program. Exit status: 0 on success, the leinao_status
 * number on failure (e.g. 4 for an invalid model file, 8 when interrupted), 64 for bad usage. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leinao.h"
#include "memory.h"
#include "progress.h"
#include "report.h"
#include "suggest.h"

#define EXIT_USAGE 64

int cmd_nir(int argc, char **argv); /* cli/nir.c */
#define MAX_SETS 256

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static const char *const main_help =
    "leinao — spiking neural network simulator (NEST models and units)\n"
    "\n"
    "usage: leinao COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run MODEL      simulate a model file and write results (leinao run --help)\n"
    "  resume DIR     continue a stopped run from DIR/checkpoint.h5 (leinao resume --help)\n"
    "  check MODEL    validate a model file and print its size and memory estimate\n"
    "  check CKPT.h5  say what a checkpoint holds (model, seed, time reached, size)\n"
    "  export MODEL --sonata DIR  write the built network as a SONATA circuit (leinao export --help)\n"
    "  plot RESULTS   draw a spike raster with rates, or state traces (leinao plot --help)\n"
    "  report DIR     one page (PDF and PNG) about a finished run (leinao report --help)\n"
    "  models         list the built-in models\n"
    "  doc MODEL      print a model's documentation (Markdown, from its parameter table)\n"
    "  version        print version and enabled features\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "\n"
    "The model file format is described in docs/model-format.md.\n";

static const char *const run_help =
    "usage: leinao run MODEL [options]\n"
    "\n"
    "Simulates MODEL (YAML or JSON), writes the recordings and summary.json into the output\n"
    "folder, and prints a summary (rates, CV of ISI, wall time, real-time factor).\n"
    "MODEL may be a SONATA simulation config (.json): its output section names the output\n"
    "folder and files, --set changes its keys (e.g. --set run.tstop=200).\n"
    "\n"
    "options:\n"
    "  --out DIR          output folder (default: results); created if missing\n"
    "  --set KEY=VALUE    override a scalar of the model file, e.g. --set simulation.duration=200\n"
    "                     or --set populations.E.size=1000 (repeatable; list items by index:\n"
    "                     projections.0.synapse.weight=0.2)\n"
    "  --seed N           master random seed (same as --set simulation.seed=N)\n"
    "  --threads N        worker threads (same as --set simulation.threads=N; default: all\n"
    "                     cores); results are bitwise identical for any number of threads\n"
    "  --overwrite        replace existing results in DIR (otherwise refused)\n"
    "  --time-limit S     stop after S seconds of wall time (outputs stay valid)\n"
    "  --checkpoint-every MS  write DIR/checkpoint.h5 every MS of model time (at slice ends;\n"
    "                     also simulation.checkpoint_every in the model file); a run stopped by\n"
    "                     Ctrl-C, SIGTERM, --time-limit or a rate guard then writes a final\n"
    "                     one (a guard's stop is final: leinao resume refuses it)\n"
    "  --until T          stop at model time T ms and write DIR/checkpoint.h5 (leinao resume\n"
    "                     continues)\n"
    "  --plot             also draw DIR/raster.png from the first SONATA spike recording\n"
    "  --report           also draw DIR/report.pdf and DIR/report.png (leinao report), with\n"
    "                     the weight distributions of plastic projections (DIR/weights.csv)\n"
    "  --quiet            no progress line and no summary on stdout\n"
    "  --memory-limit SIZE  refuse to build when the estimated memory exceeds SIZE (bytes, or\n"
    "                     e.g. '8 GiB'; default: the memory available on this machine)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Ctrl-C (or SIGTERM) stops at the end of the current slice; files written so far are closed\n"
    "and valid, and summary.json says \"interrupted\".\n";

static const char *const resume_help =
    "usage: leinao resume DIR [options]\n"
    "\n"
    "Continues the run that wrote DIR/checkpoint.h5 (same model file, unchanged, and the same\n"
    "overrides), appending to its outputs: they end byte-identical to those of the run done\n"
    "without a stop (summary.json: but for wall times, memory and threads).\n"
    "\n"
    "options:\n"
    "  --until T          stop again at model time T ms (with a new checkpoint)\n"
    "  --threads N        worker threads (may differ from the first run's)\n"
    "  --time-limit S, --checkpoint-every MS, --quiet   as for leinao run\n"
    "  -h, --help         show this help\n";

static const char *const plot_help =
    "usage: leinao plot RESULTS [options]\n"
    "\n"
    "Draws a spike raster with the population rate histogram under it (colour per population,\n"
    "time in ms, rate in Hz) from RESULTS/spikes.h5, or from RESULTS itself when it is a SONATA\n"
    "spike file; large populations are subsampled (evenly spaced neurons) to stay readable.\n"
    "\n"
    "options:\n"
    "  --out FILE         the picture: .png, .svg or .pdf (default: raster.png beside the data)\n"
    "  --spikes FILE      the spike file inside RESULTS (default: spikes.h5)\n"
    "  --state FILE       draw the state traces of this SONATA frame report instead\n"
    "  --from T0, --to T1 time window in ms (default: all)\n"
    "  --populations A,B  only these populations\n"
    "  --title TEXT       title (default: the model's name)\n"
    "  --size WxH         picture size in pixels (default: 1200x800)\n"
    "  -h, --help         show this help\n";

static const char *const check_help =
    "usage: leinao check MODEL [--set KEY=VALUE]... [--memory-limit SIZE]\n"
    "\n"
    "Validates MODEL without simulating and prints populations, neurons, expected synapses and\n"
    "an estimate of the memory a run will take; warns when that exceeds the memory available\n"
    "on this machine (or SIZE: bytes, or e.g. '8 GiB'), which leinao run refuses.\n";

typedef struct options {
    const char *model;
    const char *out;
    const char *sets[MAX_SETS];
    size_t n_sets;
    char seed_set[64], threads_set[64];
    int overwrite, quiet, plot, out_given, report;
    double time_limit; /* wall seconds, 0: none */
    int sonata;        /* MODEL is a SONATA config */
    leinao_sonata_info info;
    double checkpoint_every, until; /* model ms, 0: none */
    double memory_limit;            /* bytes, 0: the machine's available memory */
} options;

static int cli_rank;

static int usage_error(const char *fmt, const char *arg)
{
    if (cli_rank)
        return EXIT_USAGE;
    fputs("leinao: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see leinao --help)\n", stderr);
    return EXIT_USAGE;
}

static int is_whole_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Parses run/check options; returns -1 when help was printed, 0 on success, else exit code. */
static int parse_options(int argc, char **argv, options *o, int allow_run_options, const char *help)
{
    memset(o, 0, sizeof *o);
    o->out = "results";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return -1;
        } else if (!strcmp(a, "--set")) {
            if (!value)
                return usage_error("%s needs KEY=VALUE", a);
            if (!strchr(value, '='))
                return usage_error("--set %s: expected KEY=VALUE", value);
            if (o->n_sets == MAX_SETS)
                return usage_error("too many %s options", a);
            o->sets[o->n_sets++] = value;
            i++;
        } else if (allow_run_options && !strcmp(a, "--out")) {
            if (!value)
                return usage_error("%s needs a folder", a);
            o->out = value;
            o->out_given = 1;
            i++;
        } else if (allow_run_options && (!strcmp(a, "--seed") || !strcmp(a, "--threads"))) {
            if (!value || !is_whole_number(value))
                return usage_error("%s needs a whole number", a);
            int seed = !strcmp(a, "--seed");
            char *buf = seed ? o->seed_set : o->threads_set;
            snprintf(buf, 64, "simulation.%s=%s", seed ? "seed" : "threads", value);
            i++;
        } else if (allow_run_options && !strcmp(a, "--time-limit")) {
            char *end = NULL;
            o->time_limit = value ? strtod(value, &end) : 0.0;
            if (!value || *end || !(o->time_limit > 0.0))
                return usage_error("%s needs a positive number of seconds", a);
            i++;
        } else if (allow_run_options && (!strcmp(a, "--checkpoint-every") || !strcmp(a, "--until"))) {
            char *end = NULL;
            double v = value ? strtod(value, &end) : 0.0;
            if (!value || *end || !(v > 0.0) || !isfinite(v))
                return usage_error("%s needs a positive time in ms", a);
            *(!strcmp(a, "--until") ? &o->until : &o->checkpoint_every) = v;
            i++;
        } else if (!strcmp(a, "--memory-limit")) {
            if (!value || cli_parse_bytes(value, &o->memory_limit))
                return usage_error("%s needs a size: bytes, or a number and a unit such as "
                                   "'8 GiB' or 500MB", a);
            i++;
        } else if (allow_run_options && !strcmp(a, "--overwrite")) {
            o->overwrite = 1;
        } else if (allow_run_options && !strcmp(a, "--plot")) {
            o->plot = 1;
        } else if (allow_run_options && !strcmp(a, "--report")) {
            o->report = 1;
        } else if (allow_run_options && !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (!o->model) {
            o->model = a;
        } else {
            return usage_error("unexpected argument %s", a);
        }
    }
    if (!o->model)
        return usage_error("%s", "missing MODEL file");
    /* a SONATA config: its run section holds the seed and the threads */
    o->sonata = leinao_is_sonata_config(o->model);
    for (int k = 0; k < 2 && o->sonata; k++) {
        char *buf = k ? o->threads_set : o->seed_set;
        const char *eq = strchr(buf, '=');
        if (eq) {
            char value[40];
            snprintf(value, sizeof value, "%.39s", eq + 1);
            snprintf(buf, 64, "run.%s=%s", k ? "threads" : "random_seed", value);
        }
    }
    /* --seed and --threads win over --set of the same key: applied last */
    if (o->seed_set[0] && o->n_sets < MAX_SETS)
        o->sets[o->n_sets++] = o->seed_set;
    if (o->threads_set[0] && o->n_sets < MAX_SETS)
        o->sets[o->n_sets++] = o->threads_set;
    return 0;
}

/* cli_rank, under mpirun: this process's rank. Rank 0 prints; the others print nothing on
 * stdout, and on stderr only what they alone can see (ranks agree on errors: rank 0 reports
 * them). */

static int fail(leinao_sim *sim, leinao_status st)
{
    const char *detail = sim ? leinao_errmsg(sim) : "";
    if (cli_rank == 0)
        fprintf(stderr, "leinao: error: %s\n", detail[0] ? detail : leinao_strerror(st));
    return (int)st;
}

static void human_bytes(double bytes, char *out, size_t n)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

/* ---- progress line ---- */

typedef struct progress_state {
    int show, timed_out;
    double time_limit;
    double last_wall, last_t;
    uint64_t last_spikes;
    double rate;
    leinao_sim *sim;
    const char *checkpoint; /* path, or NULL */
    double every, next;     /* model ms */
    int checkpoint_failed;
    char checkpoint_error[512]; /* the failed checkpoint's message (the run's stop replaces it) */
    int lines; /* not on a terminal and not --quiet: a line per checkpoint written */
} progress_state;

static int on_progress(void *user, const leinao_progress *p)
{
    progress_state *s = user;
    if (stop_signal)
        return 1;
    if (s->checkpoint && s->every > 0.0 && p->t >= s->next && p->t < p->duration) {
        while (s->next <= p->t)
            s->next += s->every;
        char what[4400];
        snprintf(what, sizeof what, "checkpoint: writing %s at t = %g ms", s->checkpoint, p->t);
        double started = cli_now();
        cli_phase_begin(s->show, what);
        leinao_status cst = leinao_checkpoint_write(s->sim, s->checkpoint);
        snprintf(what, sizeof what, "checkpoint at t = %g ms written: %s", p->t, s->checkpoint);
        cli_phase_done(s->show, s->lines && cst == LEINAO_OK, what, started);
        if (cst != LEINAO_OK) {
            s->checkpoint_failed = 1;
            snprintf(s->checkpoint_error, sizeof s->checkpoint_error, "%s",
                     leinao_errmsg(s->sim));
            return 1;
        }
    }
    if (s->time_limit > 0.0 && p->wall >= s->time_limit) {
        s->timed_out = 1;
        return 1;
    }
    if (!s->show)
        return 0;
    int done = p->t >= p->duration;
    if (p->wall - s->last_wall < 0.2 && !done)
        return 0;
    double dt_model = (p->t - s->last_t) * 1e-3;
    if (dt_model > 0 && p->neurons)
        s->rate = (double)(p->spikes - s->last_spikes) / (double)p->neurons / dt_model;
    s->last_wall = p->wall;
    s->last_t = p->t;
    s->last_spikes = p->spikes;
    double rtf = p->t > 0 ? p->wall / (p->t * 1e-3) : 0.0;
    double eta = p->t > 0 ? (p->duration - p->t) * 1e-3 * rtf : 0.0;
    fprintf(stderr,
            "\r\033[K  t = %.1f / %.1f ms (%3.0f%%)  rate %.2f Hz  wall %.1f s  ETA %.1f s  "
            "RTF %.3g",
            p->t, p->duration, p->duration > 0 ? 100.0 * p->t / p->duration : 100.0, s->rate,
            p->wall, eta, rtf);
    fflush(stderr);
    return 0;
}

/* ---- build progress: a live line on a terminal, else a line per phase on stdout ---- */

typedef struct build_view {
    int live;            /* stderr is a terminal: one line redrawn in place */
    int lines;           /* otherwise (and not --quiet): a line per phase on stdout */
    double last_draw;    /* elapsed at the last redraw */
    double phase_start;  /* elapsed when the phase began */
    double proj_start;   /* elapsed when build_projections began */
    uint64_t synapses;   /* generated by build_projections, devices' connections included */
} build_view;

static void count_text(double n, char *out, size_t size)
{
    if (n >= 1e9)
        snprintf(out, size, "%.2fG", n / 1e9);
    else if (n >= 1e6)
        snprintf(out, size, "%.2fM", n / 1e6);
    else if (n >= 1e4)
        snprintf(out, size, "%.1fk", n / 1e3);
    else
        snprintf(out, size, "%.0f", n);
}

static int on_build_progress(void *user, const leinao_build_progress *p)
{
    build_view *v = user;
    if (stop_signal)
        return 1;
    int projections = !strcmp(p->phase, "build_projections");
    if (!p->done && p->projection < 0) {
        v->phase_start = p->elapsed;
        if (projections)
            v->proj_start = p->elapsed;
    }
    double done_all = (double)(p->synapses_before + p->synapses);
    double span = p->elapsed - v->proj_start;
    double rate = span > 0 ? done_all / span : 0.0;
    if (v->lines && p->done) {
        double took = p->elapsed - v->phase_start;
        if (projections) {
            char n[32];
            count_text((double)p->synapses_before, n, sizeof n);
            char r[32];
            count_text(took > 0 ? (double)p->synapses_before / took : 0.0, r, sizeof r);
            printf("  build: %s: %d projection%s, %s synapses (devices' included) in %.2f s "
                   "(%s synapses/s)\n",
                   p->phase, p->projections, p->projections == 1 ? "" : "s", n, took, r);
        } else {
            printf("  build: %s: %.2f s\n", p->phase, took);
        }
        fflush(stdout);
    }
    if (projections && p->done)
        v->synapses = p->synapses_before;
    if (!v->live)
        return 0;
    int boundary = p->synapses == 0 || p->done;
    if (p->elapsed - v->last_draw < 0.2 && !boundary)
        return 0;
    v->last_draw = p->elapsed;
    if (p->projection >= 0) {
        char a[32], b[32], c[32];
        count_text((double)p->synapses, a, sizeof a);
        count_text((double)p->expected, b, sizeof b);
        count_text(rate, c, sizeof c);
        double left = (double)p->expected_all - done_all;
        fprintf(stderr,
                "\r\033[K  build: projection %d/%d %s -> %s  %s / %s synapses (%3.0f%%)  "
                "%s synapses/s  wall %.1f s  ETA %.1f s",
                p->projection + 1, p->projections, p->source, p->target, a, b,
                p->expected ? 100.0 * (double)p->synapses / (double)p->expected : 100.0, c,
                p->elapsed, rate > 0 && left > 0 ? left / rate : 0.0);
    } else {
        fprintf(stderr, "\r\033[K  build: %s (%d/%d)  wall %.1f s", p->phase,
                p->phase_index + 1, p->phases, p->elapsed);
    }
    fflush(stderr);
    return 0;
}

static void print_summary(FILE *f, leinao_sim *sim, const char *model, const char *out)
{
    leinao_run_stats r;
    leinao_get_run_stats(sim, &r);
    int devices = 0, shown = 0;
    fprintf(f, "leinao %s: %s%s%s\n", leinao_version(), r.name[0] ? r.name : model,
           r.interrupted ? " (interrupted)" : "", "");
    fprintf(f, "  %llu neurons, %llu synapses, seed %llu, %d thread%s\n", (unsigned long long)r.neurons,
           (unsigned long long)r.synapses, (unsigned long long)r.seed, r.threads,
           r.threads == 1 ? "" : "s");
    fprintf(f, "  build %.2f s; simulation %.2f s for %.1f ms of model time: real-time factor %.3g, "
           "%.3g synaptic events/s\n",
           r.build_wall, r.run_wall, r.t_simulated, r.real_time_factor, r.events_per_second);
    double transient = leinao_get_transient(sim);
    if (transient > 0)
        fprintf(f, "  spikes, rates and CV of ISI count from t = %g ms, after the transient "
                   "(analysis.transient)\n",
                transient);
    fprintf(f, "  %-16s %-18s %10s %12s %10s %8s\n", "population", "model", "size", "spikes",
           "rate (Hz)", "CV ISI");
    for (int i = 0; i < r.populations; i++) {
        leinao_population_stats p;
        leinao_get_population_stats(sim, i, &p);
        if (p.is_device) {
            /* a SONATA network has a generator per virtual node: the first few are shown */
            if (devices++ < 8) {
                fprintf(f, "  %-16s %-18s %10llu %12s %10s %8s\n", p.name, p.model,
                        (unsigned long long)p.size, "-", "-", "-");
                shown++;
            }
            continue;
        }
        fprintf(f, "  %-16s %-18s %10llu %12llu %10.3f %8.3f\n", p.name, p.model,
                (unsigned long long)p.size, (unsigned long long)p.spikes, p.rate, p.cv_isi);
    }
    if (devices > shown)
        fprintf(f, "  ... and %d more device populations\n", devices - shown);
    fprintf(f, "  results in %s/ (summary.json)\n", out);
}

/* Opens a handle and loads the model with its overrides; on failure reports, closes and
 * returns the exit code. */
static int open_model(options *o, leinao_sim **out)
{
    leinao_status st = leinao_open(out);
    if (st)
        return fail(NULL, st);
    if (o->sonata) {
        st = leinao_load_sonata(*out, o->model, o->sets, o->n_sets, &o->info);
        if (!st && !o->out_given)
            o->out = o->info.output_dir;
        o->overwrite |= o->info.overwrite;
    } else {
        st = leinao_load_model(*out, o->model, o->sets, o->n_sets);
    }
    if (st) {
        int rc = fail(*out, st);
        leinao_close(*out);
        return rc;
    }
    return 0;
}

/* FNV-1a of a file's bytes (the model file's content hash in a checkpoint's note); 0 when it
 * cannot be read. */
static uint64_t file_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    int c;
    while ((c = getc(f)) != EOF)
        h = (h ^ (unsigned char)c) * 0x100000001b3ULL;
    fclose(f);
    return h;
}

/* The note a checkpoint keeps for `leinao resume`: the model file (absolute path and content
 * hash), the overrides and the checkpoint interval, one "key=value" a line. */
static char *make_note(const options *o, double every)
{
    char model[4096];
    if (!realpath(o->model, model))
        snprintf(model, sizeof model, "%s", o->model);
    size_t n = strlen(model) + 128;
    for (size_t i = 0; i < o->n_sets; i++)
        n += strlen(o->sets[i]) + 8;
    char *note = malloc(n);
    if (!note)
        return NULL;
    int at = snprintf(note, n, "model=%s\nmodel_hash=%016llx\nevery=%.17g\n", model,
                      (unsigned long long)file_hash(o->model), every);
    for (size_t i = 0; i < o->n_sets; i++)
        if (strncmp(o->sets[i], "simulation.threads=", 19)) /* threads may change on resume */
            at += snprintf(note + at, n - (size_t)at, "set=%s\n", o->sets[i]);
    return note;
}

/* Runs a built (or restored) handle to the end, or to --until, writing checkpoints; finishes,
 * prints, plots. Returns the exit status. */
static int run_built(leinao_sim *sim, const options *o, double every)
{
    leinao_status st;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char checkpoint[4200];
    snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.h5", o->out);
    int checkpointing = every > 0.0 || o->until > 0.0;
    leinao_run_stats before;
    leinao_get_run_stats(sim, &before);
    progress_state ps = {!o->quiet && isatty(STDERR_FILENO), 0, o->time_limit, 0, 0, 0, 0,
                         sim, checkpointing ? checkpoint : NULL, every, 0.0, 0, "", 0};
    ps.lines = !o->quiet && !ps.show;
    if (every > 0.0)
        ps.next = ((double)(long long)(before.t_simulated / every + 1e-9) + 1.0) * every;
    leinao_status run_st;
    if (o->until > 0.0) {
        double span = o->until - before.t_simulated;
        run_st = span > 0.0 ? leinao_simulate(sim, span, on_progress, &ps) : LEINAO_OK;
    } else {
        run_st = leinao_run(sim, on_progress, &ps);
    }
    if (ps.show)
        fputs("\n", stderr);
    if (run_st && run_st != LEINAO_INTERRUPTED)
        fail(sim, run_st);
    leinao_run_stats after;
    leinao_get_run_stats(sim, &after);
    /* a guard's stop too: the guard is checked after a slice's delivery, so the state is at a
     * slice boundary (the checkpoint records the stop; resume refuses it) */
    int stopped = run_st == LEINAO_INTERRUPTED || run_st == LEINAO_GUARD ||
                  (run_st == LEINAO_OK && o->until > 0.0);
    int ckpt_rc = 0;
    if (ps.checkpoint_failed) {
        ckpt_rc = (int)LEINAO_IO;
        fprintf(stderr, "leinao: error: %s\n", ps.checkpoint_error);
        fprintf(stderr, "leinao: the checkpoint could not be written; the previous one (if any) "
                        "is kept; the run stops here\n");
    } else if (checkpointing && stopped) {
        double started = cli_now();
        cli_phase_begin(ps.show, "checkpoint: writing the final one");
        leinao_status cs = leinao_checkpoint_write(sim, checkpoint);
        cli_phase_done(ps.show, 0, "", started);
        if (cs)
            ckpt_rc = fail(sim, cs);
        else if (!o->quiet && run_st == LEINAO_GUARD)
            printf("  checkpoint at t = %g ms, where the rate guard stopped the run: %s "
                   "(leinao check shows it; it does not resume)\n",
                   after.t_simulated, checkpoint);
        else if (!o->quiet)
            printf("  checkpoint at t = %g ms: %s (leinao resume %s continues)\n",
                   after.t_simulated, checkpoint, o->out);
    }
    st = leinao_finish(sim);
    if (st)
        fail(sim, st);
    if (o->report && !st && cli_rank == 0)
        cli_weights_after(sim, o->out, o->quiet);
    if (cli_rank != 0)
        ; /* rank 0 reports how the run ended */
    else if (run_st == LEINAO_INTERRUPTED && ps.timed_out)
        fprintf(stderr, "leinao: error: the time limit of %g s was reached; results so far are in "
                        "%s/\n",
                o->time_limit, o->out);
    else if (run_st == LEINAO_INTERRUPTED && !ps.checkpoint_failed)
        fprintf(stderr, "leinao: interrupted by signal %d; results so far are in %s/\n",
                (int)stop_signal, o->out);
    if (!o->quiet)
        print_summary(stdout, sim, o->model, o->out);
    if (o->sonata && o->info.log_file[0] && cli_rank == 0) {
        /* the config's log_file: the summary, as printed */
        char log[8300];
        snprintf(log, sizeof log, "%s%s%s", o->info.log_file[0] == '/' ? "" : o->out,
                 o->info.log_file[0] == '/' ? "" : "/", o->info.log_file);
        FILE *f = fopen(log, "w");
        if (f) {
            print_summary(f, sim, o->model, o->out);
            fclose(f);
        } else {
            fprintf(stderr, "leinao: cannot write %s: %s\n", log, strerror(errno));
        }
    }
    char spikes[4200] = "";
    const char *type, *format, *file = NULL;
    for (int i = 0; o->plot && (file = leinao_recording(sim, i, &type, &format)); i++)
        if (!strcmp(type, "spikes") && !strcmp(format, "sonata"))
            break;
    if (file)
        snprintf(spikes, sizeof spikes, "%s%s%s", file[0] == '/' ? "" : o->out,
                 file[0] == '/' ? "" : "/", file);
    leinao_close(sim); /* its threads end here: the plot's reader runs in a child process */
    if (o->plot && !st && cli_rank == 0) {
        if (!spikes[0]) {
            fprintf(stderr, "leinao: --plot: the model records no spikes in SONATA format\n");
        } else if (leinao_open(&sim) == LEINAO_OK) {
            char picture[4200];
            leinao_plot_options po;
            leinao_plot_options_default(&po);
            po.isolated = 1; /* a corrupt file that crashes libhdf5 is an error, not a crash */
            snprintf(picture, sizeof picture, "%s/raster.png", o->out);
            char what[8500];
            snprintf(what, sizeof what, "plot: reading %s and drawing %s", spikes, picture);
            double started = cli_now();
            int live = !o->quiet && isatty(STDERR_FILENO);
            cli_phase_begin(live, what);
            leinao_status ps2 = leinao_plot_spikes(sim, spikes, picture, &po);
            cli_phase_done(live, 0, what, started);
            if (ps2)
                st = (leinao_status)fail(sim, ps2);
            else if (!o->quiet)
                printf("  raster plot: %s\n", picture);
            leinao_close(sim);
        }
    }
    if (o->report && !st && cli_rank == 0) {
        int report_rc = cli_report_draw(o->out, o->quiet);
        if (report_rc)
            st = (leinao_status)report_rc;
    }
    if (ckpt_rc)
        return ckpt_rc;
    return run_st ? (int)run_st : (int)st;
}

static int cmd_run(int argc, char **argv)
{
    options o;
    leinao_sim *sim = NULL;
    int rc = parse_options(argc, argv, &o, 1, run_help);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (cli_rank != 0)
        o.quiet = 1;
    if ((rc = open_model(&o, &sim)))
        return rc;
    double every = o.checkpoint_every > 0.0 ? o.checkpoint_every : leinao_checkpoint_every(sim);

    char *note = every > 0.0 || o.until > 0.0 ? make_note(&o, every) : NULL;
    leinao_status st = note ? leinao_set_checkpoint_note(sim, note) : LEINAO_OK;
    free(note);
    /* Ctrl-C and SIGTERM stop the build (at its next progress call) and the run */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    build_view bv = {0};
    bv.live = !o.quiet && isatty(STDERR_FILENO);
    bv.lines = !o.quiet && !bv.live;
    if (!st && (rc = cli_memory_check(sim, o.memory_limit, 1, cli_rank))) {
        leinao_close(sim);
        return rc;
    }
    if (!st)
        st = leinao_set_build_progress(sim, on_build_progress, &bv);
    if (st || (st = leinao_set_output_dir(sim, o.out, o.overwrite)) || (st = leinao_build(sim))) {
        if (bv.live)
            fputs("\n", stderr);
        if (st == LEINAO_INTERRUPTED && stop_signal)
            fprintf(stderr, "leinao: interrupted by signal %d while building; nothing was "
                            "simulated\n", (int)stop_signal);
        else
            fail(sim, st);
        rc = (int)st;
        leinao_close(sim);
        return rc;
    }
    if (bv.live) {
        leinao_run_stats r;
        leinao_get_run_stats(sim, &r);
        char n[32];
        count_text((double)bv.synapses, n, sizeof n);
        fprintf(stderr, "\r\033[K  build: %s synapses (devices' included) in %.2f s\n", n,
                r.build_wall);
    }
    if (o.report)
        cli_weights_before(sim);
    return run_built(sim, &o, every);
}

/* The value of "key=" lines of a checkpoint's note: the first from *at on; NULL at the end. */
static const char *note_value(const char *note, const char *key, const char **at, char *out,
                              size_t n)
{
    size_t k = strlen(key);
    for (const char *line = *at ? *at : note; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *next = end ? end + 1 : line + len;
        if (len > k && !strncmp(line, key, k) && line[k] == '=') {
            snprintf(out, n, "%.*s", (int)(len - k - 1), line + k + 1);
            *at = next;
            return out;
        }
        line = next;
    }
    return NULL;
}

static int cmd_resume(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    const char *dir = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(resume_help, stdout);
            return 0;
        } else if (!strcmp(a, "--until") || !strcmp(a, "--time-limit") ||
                   !strcmp(a, "--checkpoint-every")) {
            double x = v ? strtod(v, &end) : 0.0;
            if (!v || *end || !(x > 0.0) || !isfinite(x))
                return usage_error("%s needs a positive number", a);
            *(!strcmp(a, "--until") ? &o.until
              : !strcmp(a, "--time-limit") ? &o.time_limit
                                           : &o.checkpoint_every) = x;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (!v || !is_whole_number(v))
                return usage_error("%s needs a whole number", a);
            snprintf(o.threads_set, sizeof o.threads_set, "simulation.threads=%s", v);
            i++;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (!dir) {
            dir = a;
        } else {
            return usage_error("unexpected argument %s", a);
        }
    }
    if (!dir)
        return usage_error("%s", "missing DIR (the folder of the run to continue)");
    if (cli_rank != 0)
        o.quiet = 1;
    char checkpoint[4200], model[4096], hash[64], every_text[64];
    snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.h5", dir);
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open(&sim);
    if (st)
        return fail(NULL, st);
    static leinao_checkpoint_info info;
    if ((st = leinao_checkpoint_inspect(sim, checkpoint, &info))) {
        int rc = fail(sim, st);
        leinao_close(sim);
        return rc;
    }
    leinao_close(sim);
    const char *at = NULL;
    if (!note_value(info.note, "model", &at, model, sizeof model)) {
        if (cli_rank == 0)
            fprintf(stderr, "leinao: error: %s was not written by leinao run: it does not say which "
                        "model file to continue\n", checkpoint);
        return (int)LEINAO_INVALID;
    }
    at = NULL;
    note_value(info.note, "model_hash", &at, hash, sizeof hash);
    char now[64];
    snprintf(now, sizeof now, "%016llx", (unsigned long long)file_hash(model));
    if (strcmp(now, hash)) {
        if (cli_rank == 0)
            fprintf(stderr, "leinao: error: %s has changed since the checkpoint was written (its "
                        "content hash was %s, is %s); resuming needs the same model file\n",
                model, hash, now);
        return (int)LEINAO_INVALID;
    }
    if (info.stopped_by_guard[0]) {
        /* a loosened guard is a changed model file (refused above, as any change) */
        fprintf(stderr, "leinao: error: %s: the run was stopped by its rate guard at t = %g ms "
                        "(%s); a guard's stop is final: to run with another guard, change the "
                        "model file and run it anew\n",
                checkpoint, info.t_reached, info.stopped_by_guard);
        return (int)LEINAO_GUARD;
    }
    at = NULL;
    double every = note_value(info.note, "every", &at, every_text, sizeof every_text)
                       ? strtod(every_text, NULL)
                       : 0.0;
    if (o.checkpoint_every > 0.0)
        every = o.checkpoint_every;
    static char sets[MAX_SETS][512];
    at = NULL;
    while (o.n_sets < MAX_SETS - 1 &&
           note_value(info.note, "set", &at, sets[o.n_sets], sizeof sets[0])) {
        o.sets[o.n_sets] = sets[o.n_sets];
        o.n_sets++;
    }
    if (o.threads_set[0])
        o.sets[o.n_sets++] = o.threads_set;
    o.model = model;
    o.out = dir;
    int rc = open_model(&o, &sim);
    if (rc)
        return rc;
    char *note = make_note(&o, every);
    st = note ? leinao_set_checkpoint_note(sim, note) : LEINAO_NOMEM;
    free(note);
    if (st || (st = leinao_set_output_dir(sim, dir, 1)) ||
        (st = leinao_checkpoint_read(sim, checkpoint))) {
        rc = fail(sim, st);
        leinao_close(sim);
        return rc;
    }
    return run_built(sim, &o, every);
}

static int cmd_check_checkpoint(const char *path)
{
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open(&sim);
    if (st)
        return fail(NULL, st);
    static leinao_checkpoint_info info;
    if ((st = leinao_checkpoint_inspect(sim, path, &info))) {
        int rc = fail(sim, st);
        leinao_close(sim);
        return rc;
    }
    leinao_close(sim);
    char size[32], model[4096];
    human_bytes((double)info.file_bytes, size, sizeof size);
    const char *at = NULL;
    int has_file = note_value(info.note, "model", &at, model, sizeof model) != NULL;
    printf("%s: leinao checkpoint, format version %d (written by leinao %s)\n", path,
           info.format_version, info.leinao_version);
    printf("  model: %s%s%s\n", info.model[0] ? info.model : "(unnamed)",
           has_file ? ", from " : "", has_file ? model : "");
    printf("  seed: %llu\n", (unsigned long long)info.seed);
    printf("  time reached: %g ms (step %llu, dt = %g ms)\n", info.t_reached,
           (unsigned long long)info.steps, info.dt);
    printf("  network: %d populations, %d projections; written with %d thread%s\n",
           info.populations, info.projections, info.threads, info.threads == 1 ? "" : "s");
    printf("  size: %s (%llu bytes, %llu arrays)\n", size, (unsigned long long)info.file_bytes,
           (unsigned long long)info.arrays);
    if (info.stopped_by_guard[0])
        printf("  stopped by its rate guard (it does not resume): %s\n", info.stopped_by_guard);
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    options o;
    leinao_sim *sim = NULL;
    if (argc == 3) {
        size_t n = strlen(argv[2]);
        if (n > 3 && !strcmp(argv[2] + n - 3, ".h5"))
            return cmd_check_checkpoint(argv[2]);
    }
    int rc = parse_options(argc, argv, &o, 0, check_help);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = open_model(&o, &sim)))
        return rc;
    leinao_estimate e;
    leinao_status st;
    if ((st = leinao_estimate_size(sim, &e))) {
        rc = fail(sim, st);
        leinao_close(sim);
        return rc;
    }
    char mem[32];
    human_bytes((double)e.bytes, mem, sizeof mem);
    printf("%s: valid\n", o.model);
    printf("  populations: %d (%llu neurons, %llu device elements)\n", e.populations,
           (unsigned long long)e.neurons, (unsigned long long)e.devices);
    printf("  projections: %d, synapses: %llu%s\n", e.projections,
           (unsigned long long)e.synapses, " (expected; random rules vary around it)");
    if (e.projections)
        printf("  delays: %g to %g ms\n", e.min_delay, e.max_delay);
    printf("  estimated memory: %s (%llu bytes)\n", mem, (unsigned long long)e.bytes);
    int devices = 0;
    for (int i = 0;; i++) {
        leinao_population_stats p;
        if (leinao_get_population_stats(sim, i, &p))
            break;
        if (p.is_device && devices++ >= 8)
            continue; /* a SONATA network has a generator per virtual node */
        printf("    %-16s %-18s %10llu\n", p.name, p.model, (unsigned long long)p.size);
    }
    if (devices > 8)
        printf("    ... and %d more device populations\n", devices - 8);
    fflush(stdout);
    cli_memory_check(sim, o.memory_limit, 0, 0);
    leinao_close(sim);
    return 0;
}

static int is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int cmd_plot(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *spikes = "spikes.h5", *state = NULL;
    leinao_plot_options po;
    leinao_plot_options_default(&po);
    po.isolated = 1; /* a corrupt file that crashes libhdf5 is an error, not a crash */
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(plot_help, stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--spikes") || !strcmp(a, "--state") ||
                   !strcmp(a, "--populations") || !strcmp(a, "--title")) {
            if (!v)
                return usage_error("%s needs a value", a);
            if (!strcmp(a, "--out"))
                out = v;
            else if (!strcmp(a, "--spikes"))
                spikes = v;
            else if (!strcmp(a, "--state"))
                state = v;
            else if (!strcmp(a, "--populations"))
                po.populations = v;
            else
                po.title = v;
            i++;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            double t = v ? strtod(v, &end) : 0.0;
            if (!v || *end || !isfinite(t))
                return usage_error("%s needs a time in ms", a);
            *(!strcmp(a, "--from") ? &po.t_from : &po.t_to) = t;
            i++;
        } else if (!strcmp(a, "--size")) {
            int w = 0, h = 0;
            if (!v || sscanf(v, "%dx%d", &w, &h) != 2 || w < 200 || h < 200 || w > 20000 ||
                h > 20000)
                return usage_error("%s needs WxH in pixels, e.g. 1200x800 (200 to 20000)", a);
            po.width = w;
            po.height = h;
            i++;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (!path) {
            path = a;
        } else {
            return usage_error("unexpected argument %s", a);
        }
    }
    if (!path)
        return usage_error("%s", "missing RESULTS (a results folder or a spike file)");
    char data[4200], picture[4200], base[256] = "raster";
    int dir = is_directory(path);
    const char *file = state ? state : spikes;
    if (dir && file[0] != '/')
        snprintf(data, sizeof data, "%s/%s", path, file);
    else
        snprintf(data, sizeof data, "%s", dir ? file : path);
    if (state) {
        const char *slash = strrchr(state, '/');
        snprintf(base, sizeof base, "%s", slash ? slash + 1 : state);
        char *dot = strrchr(base, '.');
        if (dot)
            *dot = 0;
    }
    if (out) {
        snprintf(picture, sizeof picture, "%s", out);
    } else if (dir) {
        snprintf(picture, sizeof picture, "%s/%s.png", path, base);
    } else {
        snprintf(picture, sizeof picture, "%s", data);
        char *dot = strrchr(picture, '.');
        snprintf(dot ? dot : picture + strlen(picture), 8, ".png");
    }
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open(&sim);
    if (st)
        return fail(NULL, st);
    char what[8500];
    snprintf(what, sizeof what, "plot: reading %s and drawing %s", data, picture);
    double started = cli_now();
    cli_phase_begin(isatty(STDERR_FILENO), what);
    st = state ? leinao_plot_state(sim, data, picture, &po) : leinao_plot_spikes(sim, data, picture, &po);
    cli_phase_done(isatty(STDERR_FILENO), 0, what, started);
    int rc = st ? fail(sim, st) : 0;
    if (!st)
        printf("%s\n", picture);
    leinao_close(sim);
    return rc;
}

static const char *const export_help =
    "usage: leinao export MODEL --sonata DIR [--set KEY=VALUE]... [--overwrite]\n"
    "\n"
    "Builds MODEL (a model file or a SONATA config) and writes the network as a SONATA circuit\n"
    "into DIR: network/ (nodes and edges HDF5, node and edge type CSVs), components/ (one\n"
    "dynamics_params JSON per node type), inputs/ (spike_generators' spikes), circuit_config.json\n"
    "and simulation_config.json (run, inputs, output). `leinao run DIR/simulation_config.json`\n"
    "then gives the same spikes as `leinao run MODEL`. Refused, naming the population or\n"
    "projection: devices other than spike_generator (a poisson_generator has no SONATA form),\n"
    "plastic synapses.\n";

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int cmd_export(int argc, char **argv)
{
    const char *model = NULL, *dir = NULL, *sets[MAX_SETS];
    size_t n_sets = 0;
    int overwrite = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(export_help, stdout);
            return 0;
        } else if (!strcmp(a, "--sonata")) {
            if (!value)
                return usage_error("%s needs a folder", a);
            dir = value;
            i++;
        } else if (!strcmp(a, "--set")) {
            if (!value || !strchr(value, '='))
                return usage_error("%s needs KEY=VALUE", a);
            if (n_sets == MAX_SETS)
                return usage_error("too many %s options", a);
            sets[n_sets++] = value;
            i++;
        } else if (!strcmp(a, "--overwrite")) {
            overwrite = 1;
        } else if (a[0] == '-') {
            return usage_error("unknown option %s", a);
        } else if (model) {
            return usage_error("unexpected argument %s", a);
        } else {
            model = a;
        }
    }
    if (!model)
        return usage_error("%s", "missing MODEL file");
    if (!dir)
        return usage_error("%s", "missing --sonata DIR (the folder to write the circuit into)");
    leinao_sim *sim = NULL;
    leinao_status st = leinao_open(&sim);
    if (st)
        return fail(NULL, st);
    st = leinao_is_sonata_config(model) ? leinao_load_sonata(sim, model, sets, n_sets, NULL)
                                        : leinao_load_model(sim, model, sets, n_sets);
    /* the build opens the model's output files: into a scratch folder, removed after */
    char scratch[] = "/tmp/leinao-export-XXXXXX";
    int have_scratch = 0;
    if (!st && !mkdtemp(scratch))
        st = leinao_report_error(sim, LEINAO_IO, "cannot create a scratch folder in /tmp");
    else if (!st)
        have_scratch = 1;
    if (!st)
        st = leinao_set_output_dir(sim, scratch, 1);
    if (!st)
        st = leinao_build(sim);
    if (!st)
        st = leinao_export_sonata(sim, dir, overwrite);
    int rc = st ? fail(sim, st) : 0;
    if (!st) {
        unsigned long long edges = 0;
        for (int j = 0; j < leinao_projection_count(sim); j++) {
            leinao_projection_stats ps;
            if (!leinao_get_projection_stats(sim, j, &ps))
                edges += ps.synapses;
        }
        printf("exported %d populations, %d projections (%llu edges, devices' included) to %s\n"
               "run it: leinao run %s/simulation_config.json\n",
               leinao_population_count(sim), leinao_projection_count(sim), edges, dir, dir);
    }
    leinao_close(sim);
    if (have_scratch)
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

static int cmd_models(void)
{
    for (int i = 0; i < leinao_model_count(); i++)
        printf("%s\n", leinao_model_name(i));
    return 0;
}

static int cmd_doc(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
        fputs("usage: leinao doc MODEL\n", argc < 3 ? stderr : stdout);
        return argc < 3 ? EXIT_USAGE : 0;
    }
    if (leinao_model_doc(argv[2], stdout) != LEINAO_OK) {
        const char *near = cli_nearest_model(argv[2]);
        if (near)
            fprintf(stderr, "leinao: unknown model '%s' (did you mean '%s'? leinao models lists "
                            "them)\n", argv[2], near);
        else
            fprintf(stderr, "leinao: unknown model '%s' (leinao models lists them)\n", argv[2]);
        return (int)LEINAO_NOT_FOUND;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "missing COMMAND");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(main_help, stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("leinao %s\nfeatures: %s\n", leinao_version(), leinao_features());
        return 0;
    }
    if (!strcmp(cmd, "run") || !strcmp(cmd, "resume")) {
        /* under mpirun: one rank of the run (leinao_mpi_init does nothing otherwise) */
        if (leinao_mpi_init(&argc, &argv) < 0) {
            fputs("leinao: error: MPI could not be started\n", stderr);
            return (int)LEINAO_ERROR;
        }
        cli_rank = leinao_mpi_rank();
        int rc = cmd[0] == 'r' && cmd[1] == 'u' ? cmd_run(argc, argv) : cmd_resume(argc, argv);
        fflush(stdout);
        fflush(stderr);
        leinao_mpi_finalize();
        return rc;
    }
    if (!strcmp(cmd, "check"))
        return cmd_check(argc, argv);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc, argv);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc, argv);
    if (!strcmp(cmd, "export"))
        return cmd_export(argc, argv);
    if (!strcmp(cmd, "models"))
        return cmd_models();
    if (!strcmp(cmd, "doc"))
        return cmd_doc(argc, argv);
    if (!strcmp(cmd, "nir"))
        return cmd_nir(argc, argv);
    return usage_error("unknown command '%s'", cmd);
}
