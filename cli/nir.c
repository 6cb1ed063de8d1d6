/* nir.c — the `leinao nir` commands: `info` (what a NIR file holds and which of the
 * discretisation ambiguities matter for it) and `run` (a .npy input through the graph, every
 * node's output over time as .npy, the Output's spike counts and classes, a summary). Uses only
 * the public headers leinao.h and leinao_nir.h. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leinao_nir.h"
#include "npy.h"

#define EXIT_USAGE 64

int cmd_nir(int argc, char **argv);

static const char *const nir_help =
    "usage: leinao nir info FILE.nir\n"
    "       leinao nir run FILE.nir --input X.npy --out DIR [options]\n"
    "\n"
    "Runs NIR graphs (Neuromorphic Intermediate Representation) exported by snnTorch, Norse,\n"
    "Sinabs, Spyx, SpikingJelly, Rockpool or Lava, as the chosen framework discretises them.\n"
    "\n"
    "run options:\n"
    "  --input X.npy      time x (input shape), or batch x time x (input shape); any numeric dtype\n"
    "  --input SPIKES.h5  or a SONATA spike file (one sample): node id j drives input element j,\n"
    "                     a spike at t ms falls into step floor(t / dt), values count spikes\n"
    "  --population NAME  the SONATA population to read (default: the file's only one)\n"
    "  --steps N          steps of a SONATA input (default: up to the last spike)\n"
    "  --out DIR          output folder (created): NODE.npy per node (float32, [batch x] time x\n"
    "                     shape), NODE.v.npy membranes, counts.npy, classes.npy, summary.json\n"
    "  --preset NAME      snntorch, norse, sinabs, spyx, spikingjelly, rockpool, lava\n"
    "                     (default: NIR's own definitions; then --dt is required)\n"
    "  --dt S             time step in seconds (overrides the preset's)\n"
    "  --reset MODE       zero | subtract | value (v_reset from the file, 0 when absent)\n"
    "  --integration M    euler | exact\n"
    "  --gain G           nir | r-ignored | unit  (what r and w_in mean)\n"
    "  --cycle-delay D    traversal (Norse, NIRTorch) | neuron-output (snnTorch)\n"
    "  --input-delay N    steps the input arrives late (Lava: 1)\n"
    "  --multi-spike 0|1  several spikes per step\n"
    "  --record WHAT      all (default) | output | NODE,NODE,...: which outputs to write\n"
    "  --overwrite        write into an existing DIR\n";

static int usage(const char *what)
{
    fprintf(stderr, "leinao nir: %s\n%s", what, nir_help);
    return EXIT_USAGE;
}

static int failed(leinao_nir *g, leinao_status st)
{
    fprintf(stderr, "leinao nir: %s\n", g ? leinao_nir_errmsg(g) : leinao_strerror(st));
    leinao_nir_free(g);
    return (int)st;
}

static void print_shape(FILE *f, const int64_t *dims, int rank)
{
    fputc('[', f);
    for (int r = 0; r < rank; r++)
        fprintf(f, "%s%lld", r ? "," : "", (long long)dims[r]);
    fputc(']', f);
}

static int has_type(const leinao_nir *g, const char *type)
{
    for (int n = 0; n < leinao_nir_node_count(g); n++)
        if (!strcmp(leinao_nir_node_type(g, n), type))
            return 1;
    return 0;
}

static const double *param(const leinao_nir *g, int node, const char *name, size_t *count)
{
    for (int p = 0; p < leinao_nir_param_count(g, node); p++) {
        const double *v;
        const char *pn = leinao_nir_param(g, node, p, &v, count, NULL);
        if (!strcmp(pn, name))
            return v;
    }
    *count = 0;
    return NULL;
}

/* Delayed edges under one cycle rule, as "a -> b, c -> d" ("" when the graph has no cycle). */
static void delayed_edges(leinao_nir *g, int rule, char *buf, size_t len)
{
    leinao_nir_options o;
    leinao_nir_options_preset(&o, NULL);
    o.dt = 1e-4;
    o.cycle_delay = rule;
    buf[0] = 0;
    if (leinao_nir_prepare(g, &o, 1) != LEINAO_OK) {
        snprintf(buf, len, "(unknown: %s)", leinao_nir_errmsg(g));
        return;
    }
    size_t at = 0;
    for (int e = 0; e < leinao_nir_edge_count(g); e++) {
        int s, t;
        if (leinao_nir_edge(g, e, &s, &t) == 1 && at < len)
            at += (size_t)snprintf(buf + at, len - at, "%s%s -> %s", at ? ", " : "",
                                   leinao_nir_node_name(g, s), leinao_nir_node_name(g, t));
    }
}

static int nir_info(const char *path)
{
    leinao_nir *g = NULL;
    leinao_status st = leinao_nir_load(&g, path);
    if (st)
        return failed(g, st);
    printf("%s: %d nodes, %d edges, input size %zu\n\nnodes (name, type, output shape, parameters):\n",
           path, leinao_nir_node_count(g), leinao_nir_edge_count(g), leinao_nir_input_size(g));
    for (int n = 0; n < leinao_nir_node_count(g); n++) {
        int64_t dims[8];
        int rank = leinao_nir_node_shape(g, n, dims, 8);
        printf("  %-14s %-10s ", leinao_nir_node_name(g, n), leinao_nir_node_type(g, n));
        print_shape(stdout, dims, rank);
        printf("\n");
        for (int p = 0; p < leinao_nir_param_count(g, n); p++) {
            const double *v;
            size_t count;
            const char *type;
            const char *name = leinao_nir_param(g, n, p, &v, &count, &type);
            if (!count) {
                printf("      %-12s %s\n", name, type);
                continue;
            }
            double lo = v[0], hi = v[0];
            for (size_t j = 1; j < count; j++) {
                lo = v[j] < lo ? v[j] : lo;
                hi = v[j] > hi ? v[j] : hi;
            }
            if (lo == hi)
                printf("      %-12s %s x%zu = %.9g\n", name, type, count, lo);
            else
                printf("      %-12s %s x%zu in [%.6g, %.6g]\n", name, type, count, lo, hi);
        }
    }
    printf("\nedges:\n");
    for (int e = 0; e < leinao_nir_edge_count(g); e++) {
        int s, t;
        leinao_nir_edge(g, e, &s, &t);
        printf("  %s -> %s\n", leinao_nir_node_name(g, s), leinao_nir_node_name(g, t));
    }
    char trav[1024], neur[1024];
    delayed_edges(g, LEINAO_NIR_DELAY_TRAVERSAL, trav, sizeof trav);
    delayed_edges(g, LEINAO_NIR_DELAY_NEURON_OUTPUT, neur, sizeof neur);
    printf("\ncycles: %s\n", trav[0] ? "yes" : "none");
    if (trav[0]) {
        printf("  delayed one step, traversal rule (Norse, NIRTorch): %s\n", trav);
        printf("  delayed one step, neuron-output rule (snnTorch):    %s\n", neur);
        if (strcmp(trav, neur))
            printf("  the rules differ: at t = 0 the recurrent path gives 0 (traversal) or its bias "
                   "(neuron-output)\n");
    }
    printf("\nambiguities that matter for this file (NOTES.md §1):\n");
    int leaky = has_type(g, "LIF") || has_type(g, "LI") || has_type(g, "CubaLIF") || has_type(g, "CubaLI");
    int spiking = has_type(g, "LIF") || has_type(g, "IF") || has_type(g, "CubaLIF");
    if (leaky || has_type(g, "IF") || has_type(g, "I") || has_type(g, "Delay"))
        printf("  - dt: not in the file (snnTorch 1e-4, Norse 1e-3, Spyx and Sinabs 1 = tau in steps)\n");
    if (leaky)
        printf("  - integration: Euler (snnTorch, Norse, Spyx, Lava) or exponential (Sinabs, Rockpool)\n");
    int missing_w_in = 0, missing_reset = 0;
    for (int n = 0; n < leinao_nir_node_count(g); n++) {
        const char *type = leinao_nir_node_type(g, n);
        size_t count;
        if (!strcmp(type, "LIF") || !strcmp(type, "IF") || !strcmp(type, "LI") || !strcmp(type, "CubaLIF") ||
            !strcmp(type, "CubaLI") || !strcmp(type, "I")) {
            const double *r = param(g, n, "r", &count);
            const double *tau = param(g, n, !strncmp(type, "Cuba", 4) ? "tau_mem" : "tau", &count);
            if (r && tau)
                printf("  - r of '%s' = %.7g, tau/r = %.4g s: r = tau/dt (snnTorch) at dt = %.4g; Norse "
                       "ignores r for LI/LIF/IF; Sinabs and snnTorch add the input as it is\n",
                       leinao_nir_node_name(g, n), r[0], tau[0] / r[0], tau[0] / r[0]);
            else if (r)
                printf("  - r of '%s' = %.7g: dv = dt r I (NIR; r = 1/dt in SpikingJelly) or dv = I "
                       "(Sinabs, snnTorch)\n", leinao_nir_node_name(g, n), r[0]);
            if (!strncmp(type, "Cuba", 4) && !param(g, n, "w_in", &count))
                missing_w_in = 1;
            if (strcmp(type, "LI") && strcmp(type, "CubaLI") && strcmp(type, "I") && !param(g, n, "v_reset", &count))
                missing_reset = 1;
        }
    }
    if (spiking)
        printf("  - reset: %s; zero (snnTorch importer), v_reset (Norse, NIR >= 1.0.6), subtract (NIR <= "
               "1.0.5, Sinabs, Spyx)\n", missing_reset ? "no v_reset in the file" : "v_reset in the file");
    if (missing_w_in)
        printf("  - CubaLIF without w_in (files before Oct 2023): taken as 1\n");
    if (has_type(g, "IF"))
        printf("  - IF (Sinabs): several spikes per step and a clamp at -v_threshold in Sinabs, neither in "
               "the file\n");
    if (spiking)
        printf("  - spike amplitude: 1 per step (every framework) or a Dirac of area 1 (NIR's maths)\n");
    if (trav[0] && strcmp(trav, neur))
        printf("  - which edge of the cycle is delayed (see cycles)\n");
    int out = leinao_nir_output_node(g);
    if (out < 0)
        printf("  - no Output node\n");
    leinao_nir_free(g);
    return 0;
}

typedef struct run_args {
    const char *file, *input, *out, *preset, *record;
    const char *dt, *reset, *integration, *gain, *cycle, *input_delay, *multi;
    const char *population, *steps;
    int overwrite;
} run_args;

static int pick(const char *value, const char *const *names, int n, int *out)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(value, names[k])) {
            *out = k;
            return 1;
        }
    return 0;
}

static int apply_overrides(const run_args *a, leinao_nir_options *o)
{
    static const char *const resets[] = {"value", "zero", "subtract"};
    static const char *const integ[] = {"euler", "exact"};
    static const char *const gains[] = {"nir", "r-ignored", "unit"};
    static const char *const cycles[] = {"traversal", "neuron-output"};
    char *end;
    if (a->dt) {
        o->dt = strtod(a->dt, &end);
        if (*end || !(o->dt > 0))
            return usage("--dt must be a positive number of seconds");
    }
    if (a->reset && !pick(a->reset, resets, 3, &o->reset))
        return usage("--reset must be zero, subtract or value");
    if (a->integration && !pick(a->integration, integ, 2, &o->integration))
        return usage("--integration must be euler or exact");
    if (a->gain && !pick(a->gain, gains, 3, &o->gain))
        return usage("--gain must be nir, r-ignored or unit");
    if (a->cycle && !pick(a->cycle, cycles, 2, &o->cycle_delay))
        return usage("--cycle-delay must be traversal or neuron-output");
    if (a->input_delay) {
        long v = strtol(a->input_delay, &end, 10);
        if (*end || v < 0 || v > 100000)
            return usage("--input-delay must be a number of steps >= 0");
        o->input_delay = (int)v;
    }
    if (a->multi) {
        if (strcmp(a->multi, "0") && strcmp(a->multi, "1"))
            return usage("--multi-spike must be 0 or 1");
        o->multi_spike = a->multi[0] == '1';
    }
    return 0;
}

static int wanted(const run_args *a, const leinao_nir *g, int node)
{
    if (!a->record || !strcmp(a->record, "all"))
        return 1;
    if (!strcmp(a->record, "output"))
        return node == leinao_nir_output_node(g);
    const char *name = leinao_nir_node_name(g, node);
    size_t len = strlen(name);
    for (const char *p = a->record; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && !strncmp(p, name, n))
            return 1;
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

/* File name for a node: '/' and a leading '.' replaced, so that it stays inside DIR. */
static void node_file(char *buf, size_t len, const char *dir, const char *name, const char *suffix)
{
    char safe[256];
    snprintf(safe, sizeof safe, "%s", name);
    for (char *c = safe; *c; c++)
        if (*c == '/' || *c == '\\' || (c == safe && *c == '.'))
            *c = '_';
    snprintf(buf, len, "%s/%s%s.npy", dir, safe, suffix);
}

static const char *const reset_names[] = {"value", "zero", "subtract"};
static const char *const gain_names[] = {"nir", "r-ignored", "unit"};
static const char *const cycle_names[] = {"traversal", "neuron-output"};

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

/* mkdir -p: 0 when DIR is new, EEXIST in errno when it existed, -1 on failure. */
static int make_dirs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *c = path + 1; *c; c++)
        if (*c == '/') {
            *c = 0;
            if (mkdir(path, 0777) && errno != EEXIST)
                return -1;
            *c = '/';
        }
    return mkdir(path, 0777);
}

/* 1 when `path` starts with the HDF5 signature (a SONATA spike file), 0 otherwise (.npy). */
static int is_hdf5(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && !memcmp(head, sig, sizeof sig);
}

static int nir_run(const run_args *a)
{
    leinao_nir_options o;
    if (leinao_nir_options_preset(&o, a->preset) != LEINAO_OK)
        return usage("unknown --preset (snntorch, norse, sinabs, spyx, spikingjelly, rockpool, lava)");
    int rc = apply_overrides(a, &o);
    if (rc)
        return rc;
    int sonata = is_hdf5(a->input);
    long long want_steps = 0;
    if (!sonata && (a->population || a->steps))
        return usage("--population and --steps apply to a SONATA spike input");
    if (a->steps) {
        char *end;
        want_steps = strtoll(a->steps, &end, 10);
        if (*end || want_steps < 1)
            return usage("--steps must be a whole number >= 1");
    }
    npy_array x = {0};
    char err[512];
    if (!sonata && npy_read(a->input, &x, err, sizeof err)) {
        fprintf(stderr, "leinao nir: %s\n", err);
        return (int)LEINAO_INVALID;
    }
    leinao_nir *g = NULL;
    leinao_status st = leinao_nir_load(&g, a->file);
    if (st) {
        free(x.data);
        return failed(g, st);
    }
    size_t in_size = leinao_nir_input_size(g);
    leinao_nir_spike_input spk = {0};
    if (sonata) { /* binned with the dt of the options: prepared once for it */
        if ((st = leinao_nir_prepare(g, &o, 1)) ||
            (st = leinao_nir_sonata_input(g, a->input, a->population, (int64_t)want_steps, &spk)))
            return failed(g, st);
        x.rank = 2;
        x.dims[0] = spk.steps;
        x.dims[1] = (int64_t)in_size;
        x.count = (size_t)spk.steps * in_size;
        if (!(x.data = malloc(x.count * sizeof *x.data + 1))) {
            leinao_nir_free(g);
            return (int)LEINAO_NOMEM;
        }
        memcpy(x.data, spk.data, x.count * sizeof *x.data);
    }
    /* time x (input shape) or batch x time x (input shape); with several Input nodes, or a
     * flattened shape: time x size or batch x time x size */
    int in_rank = 1, inputs = 0;
    for (int n = 0; n < leinao_nir_node_count(g); n++)
        if (!strcmp(leinao_nir_node_type(g, n), "Input")) {
            int64_t dims[8];
            in_rank = leinao_nir_node_shape(g, n, dims, 8);
            inputs++;
        }
    if (inputs != 1)
        in_rank = 1;
    int lead = -1;
    for (int k = 1; k <= 2 && lead < 0; k++) {
        if (x.rank != k + in_rank && x.rank != k + 1)
            continue;
        size_t prod = 1;
        for (int r = k; r < x.rank; r++)
            prod *= (size_t)x.dims[r];
        if (prod == in_size)
            lead = k;
    }
    if (lead < 1 || in_size == 0) {
        fprintf(stderr, "leinao nir: %s: shape does not end in the graph's input (%zu values per step); "
                "expected time x input or batch x time x input\n", a->input, in_size);
        free(x.data);
        leinao_nir_free(g);
        return (int)LEINAO_INVALID;
    }
    int batched = lead == 2;
    int batch = batched ? (int)x.dims[0] : 1;
    int64_t steps = batched ? x.dims[1] : x.dims[0];
    if (batch < 1 || steps < 1) {
        fprintf(stderr, "leinao nir: %s: empty input\n", a->input);
        free(x.data);
        leinao_nir_free(g);
        return (int)LEINAO_INVALID;
    }
    if ((st = leinao_nir_prepare(g, &o, batch))) {
        free(x.data);
        return failed(g, st);
    }
    o = *leinao_nir_options_used(g);
    if (make_dirs(a->out) && !(errno == EEXIST && a->overwrite)) {
        fprintf(stderr, "leinao nir: %s: %s\n", a->out,
                errno == EEXIST ? "exists (use --overwrite)" : strerror(errno));
        free(x.data);
        leinao_nir_free(g);
        return (int)(errno == EEXIST ? LEINAO_EXISTS : LEINAO_IO);
    }
    int nodes = leinao_nir_node_count(g);
    float **rec = calloc((size_t)nodes * 2, sizeof *rec);
    float *step_in = malloc(sizeof(float) * (size_t)batch * in_size);
    int ok = rec && step_in;
    for (int n = 0; n < nodes && ok; n++) {
        if (!wanted(a, g, n))
            continue;
        int64_t dims[8];
        leinao_nir_node_shape(g, n, dims, 8);
        const float *data;
        size_t count;
        leinao_nir_output(g, n, &data, &count);
        ok = (rec[n] = malloc(sizeof(float) * count * (size_t)steps)) != NULL;
        if (ok && leinao_nir_state(g, n, "v", &data, &count) == LEINAO_OK)
            ok = (rec[nodes + n] = malloc(sizeof(float) * count * (size_t)steps)) != NULL;
    }
    if (!ok) {
        fprintf(stderr, "leinao nir: out of memory for the recordings (try --record output)\n");
        rc = (int)LEINAO_NOMEM;
    }
    for (int64_t t = 0; t < steps && !rc; t++) {
        for (int b = 0; b < batch; b++)
            memcpy(step_in + (size_t)b * in_size, x.data + ((size_t)b * (size_t)steps + (size_t)t) * in_size,
                   in_size * sizeof(float));
        if ((st = leinao_nir_step(g, step_in, (size_t)batch * in_size))) {
            fprintf(stderr, "leinao nir: %s\n", leinao_nir_errmsg(g));
            rc = (int)st;
            break;
        }
        for (int n = 0; n < 2 * nodes; n++) {
            if (!rec[n])
                continue;
            const float *data;
            size_t count;
            if (n < nodes)
                leinao_nir_output(g, n, &data, &count);
            else
                leinao_nir_state(g, n - nodes, "v", &data, &count);
            size_t size = count / (size_t)batch;
            for (int b = 0; b < batch; b++)
                memcpy(rec[n] + ((size_t)b * (size_t)steps + (size_t)t) * size, data + (size_t)b * size,
                       size * sizeof(float));
        }
    }
    int out = leinao_nir_output_node(g);
    int64_t *counts = NULL, *classes = NULL;
    size_t out_size = 0;
    if (!rc && out >= 0) {
        int64_t dims[8];
        int rank = leinao_nir_node_shape(g, out, dims, 8);
        out_size = 1;
        for (int r = 0; r < rank; r++)
            out_size *= (size_t)dims[r];
        counts = calloc((size_t)batch * out_size + 1, sizeof *counts);
        classes = calloc((size_t)batch + 1, sizeof *classes);
        if (!counts || !classes || !rec[out]) {
            if (!rec[out])
                fprintf(stderr, "leinao nir: the Output node must be recorded for counts\n");
            rc = counts && classes ? (int)LEINAO_INVALID : (int)LEINAO_NOMEM;
        }
        for (int b = 0; b < batch && !rc; b++) {
            for (int64_t t = 0; t < steps; t++)
                for (size_t j = 0; j < out_size; j++)
                    counts[(size_t)b * out_size + j] +=
                        (int64_t)nearbyint(rec[out][((size_t)b * (size_t)steps + (size_t)t) * out_size + j]);
            for (size_t j = 1; j < out_size; j++)
                if (counts[(size_t)b * out_size + j] > counts[(size_t)b * out_size + (size_t)classes[b]])
                    classes[b] = (int64_t)j;
        }
    }
    char path[4096];
    for (int n = 0; n < 2 * nodes && !rc; n++) {
        if (!rec[n])
            continue;
        int node = n % nodes;
        int64_t dims[10], shape[8];
        int rank = leinao_nir_node_shape(g, node, shape, 8), at = 0;
        if (batched)
            dims[at++] = batch;
        dims[at++] = steps;
        for (int r = 0; r < rank; r++)
            dims[at++] = shape[r];
        node_file(path, sizeof path, a->out, leinao_nir_node_name(g, node), n < nodes ? "" : ".v");
        if (npy_write_f32(path, rec[n], at, dims)) {
            fprintf(stderr, "leinao nir: cannot write %s\n", path);
            rc = (int)LEINAO_IO;
        }
    }
    if (!rc && counts) {
        int64_t dims[2] = {batch, (int64_t)out_size};
        snprintf(path, sizeof path, "%s/counts.npy", a->out);
        int bad = npy_write_i64(path, counts, 2, dims);
        snprintf(path, sizeof path, "%s/classes.npy", a->out);
        bad |= npy_write_i64(path, classes, 1, dims);
        if (bad) {
            fprintf(stderr, "leinao nir: cannot write %s\n", path);
            rc = (int)LEINAO_IO;
        }
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/summary.json", a->out);
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "leinao nir: cannot write %s\n", path);
            rc = (int)LEINAO_IO;
        } else {
            fprintf(f, "{\n  \"file\": ");
            json_string(f, a->file);
            fprintf(f, ",\n  \"input\": ");
            json_string(f, a->input);
            if (sonata) {
                fprintf(f, ",\n  \"input_spikes\": {\"format\": \"sonata\", \"population\": ");
                json_string(f, spk.population);
                fprintf(f, ", \"spikes\": %zu, \"dropped\": %zu}", spk.spikes, spk.dropped);
            }
            fprintf(f, ",\n  \"preset\": \"%s\",\n", o.preset[0] ? o.preset : "none (NIR specification)");
            fprintf(f, "  \"choices\": {\"dt\": %.17g, \"integration\": \"%s\", \"reset\": \"%s\", \"gain\": \"%s\", "
                       "\"threshold_rescale\": %d, \"spike_at_equal\": %d, \"multi_spike\": %d, "
                       "\"if_min_clamp\": %d, \"spike_from_previous\": %d, \"reset_pre\": %d, "
                       "\"input_delay\": %d, \"cycle_delay\": \"%s\", \"spike_amplitude\": %.17g},\n",
                    o.dt, o.integration ? "exact" : "euler", reset_names[o.reset], gain_names[o.gain],
                    o.threshold_rescale, o.spike_at_equal, o.multi_spike, o.if_min_clamp,
                    o.spike_from_previous, o.reset_pre, o.input_delay, cycle_names[o.cycle_delay],
                    o.spike_amplitude);
            fprintf(f, "  \"batch\": %d,\n  \"steps\": %lld,\n  \"delayed_edges\": [", batch, (long long)steps);
            int first = 1;
            for (int e = 0; e < leinao_nir_edge_count(g); e++) {
                int s, t;
                if (leinao_nir_edge(g, e, &s, &t) == 1) {
                    fprintf(f, "%s[", first ? "" : ", ");
                    json_string(f, leinao_nir_node_name(g, s));
                    fprintf(f, ", ");
                    json_string(f, leinao_nir_node_name(g, t));
                    fprintf(f, "]");
                    first = 0;
                }
            }
            fprintf(f, "],\n  \"order\": [");
            const int *order = leinao_nir_order(g);
            for (int k = 0; k < nodes; k++) {
                fprintf(f, "%s", k ? ", " : "");
                json_string(f, leinao_nir_node_name(g, order[k]));
            }
            fprintf(f, "],\n  \"output\": ");
            if (out >= 0)
                json_string(f, leinao_nir_node_name(g, out));
            else
                fprintf(f, "null");
            fprintf(f, ",\n  \"counts\": [");
            for (int b = 0; counts && b < batch; b++) {
                fprintf(f, "%s[", b ? ", " : "");
                for (size_t j = 0; j < out_size; j++)
                    fprintf(f, "%s%lld", j ? ", " : "", (long long)counts[(size_t)b * out_size + j]);
                fprintf(f, "]");
            }
            fprintf(f, "],\n  \"classes\": [");
            for (int b = 0; classes && b < batch; b++)
                fprintf(f, "%s%lld", b ? ", " : "", (long long)classes[b]);
            fprintf(f, "]\n}\n");
            if (fclose(f))
                rc = (int)LEINAO_IO;
        }
        printf("%s: %d sample(s) x %lld steps, preset %s, dt %g s, %s, reset %s, gain %s, cycles %s\n",
               a->file, batch, (long long)steps, o.preset[0] ? o.preset : "none (NIR specification)", o.dt,
               o.integration ? "exact" : "euler", reset_names[o.reset], gain_names[o.gain],
               cycle_names[o.cycle_delay]);
        if (sonata) {
            printf("input: %zu spikes of population '%s' in %lld steps of %g ms", spk.spikes, spk.population,
                   (long long)steps, o.dt * 1e3);
            if (spk.dropped)
                printf(" (%zu later ones dropped)", spk.dropped);
            printf("\n");
        }
        for (int b = 0; counts && b < batch; b++) {
            printf("sample %d: counts", b);
            for (size_t j = 0; j < out_size; j++)
                printf(" %lld", (long long)counts[(size_t)b * out_size + j]);
            printf("  class %lld\n", (long long)classes[b]);
        }
    }
    for (int n = 0; rec && n < 2 * nodes; n++)
        free(rec[n]);
    free(rec);
    free(step_in);
    free(counts);
    free(classes);
    free(x.data);
    leinao_nir_free(g);
    return rc;
}

int cmd_nir(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
        fputs(nir_help, argc < 3 ? stderr : stdout);
        return argc < 3 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[2], "info")) {
        if (argc != 4)
            return usage("nir info takes one FILE.nir");
        return nir_info(argv[3]);
    }
    if (strcmp(argv[2], "run"))
        return usage("unknown nir subcommand (info, run)");
    run_args a = {0};
    struct {
        const char *flag;
        const char **value;
    } flags[] = {{"--input", &a.input}, {"--out", &a.out}, {"--preset", &a.preset}, {"--dt", &a.dt},
                 {"--reset", &a.reset}, {"--integration", &a.integration}, {"--gain", &a.gain},
                 {"--cycle-delay", &a.cycle}, {"--input-delay", &a.input_delay},
                 {"--multi-spike", &a.multi}, {"--record", &a.record}, {"--population", &a.population},
                 {"--steps", &a.steps}};
    for (int k = 3; k < argc; k++) {
        int matched = 0;
        if (!strcmp(argv[k], "--overwrite")) {
            a.overwrite = 1;
            continue;
        }
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
            if (!strcmp(argv[k], flags[f].flag)) {
                if (k + 1 >= argc)
                    return usage("an option lacks its value");
                *flags[f].value = argv[++k];
                matched = 1;
            }
        if (matched)
            continue;
        if (argv[k][0] == '-' || a.file)
            return usage("unknown option or second FILE");
        a.file = argv[k];
    }
    if (!a.file || !a.input || !a.out)
        return usage("nir run needs FILE.nir, --input X.npy (or SPIKES.h5) and --out DIR");
    return nir_run(&a);
}
