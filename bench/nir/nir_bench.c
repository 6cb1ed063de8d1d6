/* nir_bench.c — times leinao's NIR runtime through its public API (include/leinao_nir.h), for
 * bench/nir/run.py: load FILE.nir, prepare with a preset and a batch, then REPEATS runs of all
 * the input's steps (leinao_nir_reset, then leinao_nir_step per step; one untimed run first).
 * Only the steps are timed (loading and preparing are not). Prints one JSON object:
 *   {"file": ..., "preset": ..., "batch": B, "steps": T, "runs_s": [...], "median_s": ...,
 *    "per_step_us": median / T, "per_sample_step_us": median / (T B), "output_sum": ...}
 * output_sum (the Output node's values summed over the last run) lets the caller see that the
 * timed run computed what an untimed `leinao nir run` computes.
 *
 * usage: leinao_nir_bench FILE.nir X.npy [--preset NAME] [--dt S] [--batch B] [--repeats R]
 *   X.npy: time x input or samples x time x input (float32 or any numeric dtype); a batch of B
 *   takes the samples in turn (sample b % samples). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../cli/npy.h"
#include "leinao_nir.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, const leinao_nir *g)
{
    fprintf(stderr, "leinao_nir_bench: %s%s%s\n", what, g ? ": " : "", g ? leinao_nir_errmsg(g) : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: leinao_nir_bench FILE.nir X.npy [--preset NAME] [--dt S] [--batch B] "
                        "[--repeats R]\n");
        return 2;
    }
    const char *file = argv[1], *input = argv[2], *preset = NULL;
    double dt = 0.0;
    int batch = 1, repeats = 5;
    for (int k = 3; k + 1 < argc; k += 2) {
        if (!strcmp(argv[k], "--preset"))
            preset = argv[k + 1];
        else if (!strcmp(argv[k], "--dt"))
            dt = atof(argv[k + 1]);
        else if (!strcmp(argv[k], "--batch"))
            batch = atoi(argv[k + 1]);
        else if (!strcmp(argv[k], "--repeats"))
            repeats = atoi(argv[k + 1]);
        else {
            fprintf(stderr, "leinao_nir_bench: unknown option %s\n", argv[k]);
            return 2;
        }
    }
    if (batch < 1 || repeats < 1 || repeats > 1000)
        return fail("--batch and --repeats must be >= 1", NULL);
    npy_array x;
    char err[512];
    if (npy_read(input, &x, err, sizeof err))
        return fail(err, NULL);
    leinao_nir *g = NULL;
    if (leinao_nir_load(&g, file) != LEINAO_OK) {
        int rc = fail("load", g);
        leinao_nir_free(g);
        free(x.data);
        return rc;
    }
    size_t in = leinao_nir_input_size(g);
    int64_t samples = x.rank >= 3 ? x.dims[0] : 1, steps = x.rank >= 3 ? x.dims[1] : x.dims[0];
    if (x.rank < 2 || in == 0 || (size_t)(samples * steps) * in != x.count) {
        leinao_nir_free(g);
        free(x.data);
        return fail("the input is not time x input or samples x time x input", NULL);
    }
    leinao_nir_options o;
    if (leinao_nir_options_preset(&o, preset) != LEINAO_OK) {
        leinao_nir_free(g);
        free(x.data);
        return fail("unknown preset", NULL);
    }
    if (dt > 0)
        o.dt = dt;
    int status = 0;
    float *step_in = malloc((size_t)batch * in * sizeof *step_in);
    double *runs = malloc((size_t)repeats * sizeof *runs);
    double sum = 0.0;
    if (!step_in || !runs || leinao_nir_prepare(g, &o, batch) != LEINAO_OK) {
        status = fail("prepare", g);
        goto done;
    }
    int out_node = leinao_nir_output_node(g);
    for (int r = -1; r < repeats && !status; r++) {
        leinao_nir_reset(g);
        sum = 0.0;
        double t0 = now();
        for (int64_t t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++)
                memcpy(step_in + (size_t)b * in, x.data + ((size_t)(b % samples) * (size_t)steps + (size_t)t) * in,
                       in * sizeof(float));
            if (leinao_nir_step(g, step_in, (size_t)batch * in) != LEINAO_OK) {
                status = fail("step", g);
                break;
            }
            if (out_node >= 0) {
                const float *y;
                size_t count;
                leinao_nir_output(g, out_node, &y, &count);
                for (size_t j = 0; j < count; j++)
                    sum += y[j];
            }
        }
        double elapsed = now() - t0;
        if (r >= 0)
            runs[r] = elapsed;
    }
    if (!status) {
        printf("{\"file\": \"%s\", \"preset\": \"%s\", \"batch\": %d, \"steps\": %lld, \"runs_s\": [", file,
               preset ? preset : "", batch, (long long)steps);
        for (int r = 0; r < repeats; r++)
            printf("%s%.6g", r ? ", " : "", runs[r]);
        qsort(runs, (size_t)repeats, sizeof *runs, cmp_double);
        double median = repeats % 2 ? runs[repeats / 2] : 0.5 * (runs[repeats / 2 - 1] + runs[repeats / 2]);
        printf("], \"median_s\": %.6g, \"per_step_us\": %.6g, \"per_sample_step_us\": %.6g, \"output_sum\": %.9g}\n",
               median, 1e6 * median / (double)steps, 1e6 * median / ((double)steps * batch), sum);
    }
done:
    free(step_in);
    free(runs);
    free(x.data);
    leinao_nir_free(g);
    return status;
}
