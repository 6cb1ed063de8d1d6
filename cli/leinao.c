/* leinao.c — the `leinao` command: run, check, version, models, doc, nir (cli/nir.c). A client of the public
 * API (include/leinao.h) like any other program. Exit status: 0 on success, the leinao_status
 * number on failure (e.g. 4 for an invalid model file, 8 when interrupted), 64 for bad usage. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leinao.h"

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
    "  check MODEL    validate a model file and print its size and memory estimate\n"
    "  plot RESULTS   draw a spike raster with rates, or state traces (leinao plot --help)\n"
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
    "  --plot             also draw DIR/raster.png from the first SONATA spike recording\n"
    "  --quiet            no progress line and no summary on stdout\n"
    "  -h, --help         show this help\n"
    "\n"
    "Ctrl-C (or SIGTERM) stops at the end of the current slice; files written so far are closed\n"
    "and valid, and summary.json says \"interrupted\".\n";

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
    "usage: leinao check MODEL [--set KEY=VALUE]...\n"
    "\n"
    "Validates MODEL without simulating and prints populations, neurons, expected synapses and\n"
    "an estimate of the memory a run will take.\n";

typedef struct options {
    const char *model;
    const char *out;
    const char *sets[MAX_SETS];
    size_t n_sets;
    char seed_set[64], threads_set[64];
    int overwrite, quiet, plot;
    double time_limit; /* wall seconds, 0: none */
} options;

static int usage_error(const char *fmt, const char *arg)
{
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
        } else if (allow_run_options && !strcmp(a, "--overwrite")) {
            o->overwrite = 1;
        } else if (allow_run_options && !strcmp(a, "--plot")) {
            o->plot = 1;
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
    /* --seed and --threads win over --set of the same key: applied last */
    if (o->seed_set[0] && o->n_sets < MAX_SETS)
        o->sets[o->n_sets++] = o->seed_set;
    if (o->threads_set[0] && o->n_sets < MAX_SETS)
        o->sets[o->n_sets++] = o->threads_set;
    return 0;
}

static int fail(leinao_sim *sim, leinao_status st)
{
    const char *detail = sim ? leinao_errmsg(sim) : "";
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
} progress_state;

static int on_progress(void *user, const leinao_progress *p)
{
    progress_state *s = user;
    if (stop_signal)
        return 1;
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

static void print_summary(leinao_sim *sim, const char *model, const char *out)
{
    leinao_run_stats r;
    leinao_get_run_stats(sim, &r);
    printf("leinao %s: %s%s%s\n", leinao_version(), r.name[0] ? r.name : model,
           r.interrupted ? " (interrupted)" : "", "");
    printf("  %llu neurons, %llu synapses, seed %llu, %d thread%s\n", (unsigned long long)r.neurons,
           (unsigned long long)r.synapses, (unsigned long long)r.seed, r.threads,
           r.threads == 1 ? "" : "s");
    printf("  build %.2f s; simulation %.2f s for %.1f ms of model time: real-time factor %.3g, "
           "%.3g synaptic events/s\n",
           r.build_wall, r.run_wall, r.t_simulated, r.real_time_factor, r.events_per_second);
    printf("  %-16s %-18s %10s %12s %10s %8s\n", "population", "model", "size", "spikes",
           "rate (Hz)", "CV ISI");
    for (int i = 0; i < r.populations; i++) {
        leinao_population_stats p;
        leinao_get_population_stats(sim, i, &p);
        if (p.is_device) {
            printf("  %-16s %-18s %10llu %12s %10s %8s\n", p.name, p.model,
                   (unsigned long long)p.size, "-", "-", "-");
            continue;
        }
        printf("  %-16s %-18s %10llu %12llu %10.3f %8.3f\n", p.name, p.model,
               (unsigned long long)p.size, (unsigned long long)p.spikes, p.rate, p.cv_isi);
    }
    printf("  results in %s/ (summary.json)\n", out);
}

/* Opens a handle and loads the model with its overrides; on failure reports, closes and
 * returns the exit code. */
static int open_model(const options *o, leinao_sim **out)
{
    leinao_status st = leinao_open(out);
    if (st)
        return fail(NULL, st);
    if ((st = leinao_load_model(*out, o->model, o->sets, o->n_sets))) {
        int rc = fail(*out, st);
        leinao_close(*out);
        return rc;
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    options o;
    leinao_sim *sim = NULL;
    int rc = parse_options(argc, argv, &o, 1, run_help);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = open_model(&o, &sim)))
        return rc;
    leinao_status st;
    if ((st = leinao_set_output_dir(sim, o.out, o.overwrite)) || (st = leinao_build(sim))) {
        rc = fail(sim, st);
        leinao_close(sim);
        return rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    progress_state ps = {!o.quiet && isatty(STDERR_FILENO), 0, o.time_limit, 0, 0, 0, 0};
    leinao_status run_st = leinao_run(sim, on_progress, &ps);
    if (ps.show)
        fputs("\n", stderr);
    if (run_st && run_st != LEINAO_INTERRUPTED)
        fail(sim, run_st);
    st = leinao_finish(sim);
    if (st)
        fail(sim, st);
    if (run_st == LEINAO_INTERRUPTED && ps.timed_out)
        fprintf(stderr, "leinao: error: the time limit of %g s was reached; results so far are in "
                        "%s/\n",
                o.time_limit, o.out);
    else if (run_st == LEINAO_INTERRUPTED)
        fprintf(stderr, "leinao: interrupted by signal %d; results so far are in %s/\n",
                (int)stop_signal, o.out);
    if (!o.quiet)
        print_summary(sim, o.model, o.out);
    char spikes[4200] = "";
    const char *type, *format, *file = NULL;
    for (int i = 0; o.plot && (file = leinao_recording(sim, i, &type, &format)); i++)
        if (!strcmp(type, "spikes") && !strcmp(format, "sonata"))
            break;
    if (file)
        snprintf(spikes, sizeof spikes, "%s%s%s", file[0] == '/' ? "" : o.out,
                 file[0] == '/' ? "" : "/", file);
    leinao_close(sim); /* its threads end here: the plot's reader runs in a child process */
    if (o.plot && !st) {
        if (!spikes[0]) {
            fprintf(stderr, "leinao: --plot: the model records no spikes in SONATA format\n");
        } else if (leinao_open(&sim) == LEINAO_OK) {
            char picture[4200];
            leinao_plot_options po;
            leinao_plot_options_default(&po);
            po.isolated = 1; /* a corrupt file that crashes libhdf5 is an error, not a crash */
            snprintf(picture, sizeof picture, "%s/raster.png", o.out);
            leinao_status ps2 = leinao_plot_spikes(sim, spikes, picture, &po);
            if (ps2)
                st = (leinao_status)fail(sim, ps2);
            else if (!o.quiet)
                printf("  raster plot: %s\n", picture);
            leinao_close(sim);
        }
    }
    return run_st ? (int)run_st : (int)st;
}

static int cmd_check(int argc, char **argv)
{
    options o;
    leinao_sim *sim = NULL;
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
    for (int i = 0;; i++) {
        leinao_population_stats p;
        if (leinao_get_population_stats(sim, i, &p))
            break;
        printf("    %-16s %-18s %10llu\n", p.name, p.model, (unsigned long long)p.size);
    }
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
    st = state ? leinao_plot_state(sim, data, picture, &po) : leinao_plot_spikes(sim, data, picture, &po);
    int rc = st ? fail(sim, st) : 0;
    if (!st)
        printf("%s\n", picture);
    leinao_close(sim);
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
    if (!strcmp(cmd, "run"))
        return cmd_run(argc, argv);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc, argv);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc, argv);
    if (!strcmp(cmd, "models"))
        return cmd_models();
    if (!strcmp(cmd, "doc"))
        return cmd_doc(argc, argv);
    if (!strcmp(cmd, "nir"))
        return cmd_nir(argc, argv);
    return usage_error("unknown command '%s'", cmd);
}
