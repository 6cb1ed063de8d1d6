/* fuzz_nir.c — libFuzzer harness for the NIR reader: any bytes as a .nir file, through
 * leinao_nir_load and, when the graph loads, leinao_nir_prepare (NIR's definitions and the
 * snnTorch preset), three steps over a batch of two and every node's output. Must never crash,
 * hang or trip a sanitizer; every rejection must come with a message. libhdf5 1.10 can crash
 * on a corrupt file (see sonata_read.c): each input is first loaded in a child process, and only
 * inputs that libhdf5 survives are then run in-process (with coverage and the sanitizers), so a
 * failure found is leinao's. Seed corpus: tests/fuzz/corpus/nir (tests/nir/make_nir.py DIR
 * --compact). */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leinao_nir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads and runs the file; returns 0, or aborts on a rejection without a message. */
static int exercise(const char *path)
{
    leinao_nir *g = NULL;
    leinao_status st = leinao_nir_load(&g, path);
    if (st != LEINAO_OK) {
        if (g && !leinao_nir_errmsg(g)[0])
            abort();
        leinao_nir_free(g);
        return 0;
    }
    size_t n = leinao_nir_input_size(g);
    if (n > 100000) {
        leinao_nir_free(g);
        return 0;
    }
    float *x = calloc(2 * n + 1, sizeof *x);
    for (size_t j = 0; x && j < 2 * n; j++)
        x[j] = (float)(j % 3);
    const char *presets[2] = {NULL, "snntorch"};
    for (int p = 0; p < 2 && x; p++) {
        leinao_nir_options o;
        leinao_nir_options_preset(&o, presets[p]);
        if (!o.dt)
            o.dt = 1e-4;
        if (leinao_nir_prepare(g, &o, 2) != LEINAO_OK) {
            if (!leinao_nir_errmsg(g)[0])
                abort();
            continue;
        }
        for (int t = 0; t < 3; t++)
            if (leinao_nir_step(g, x, 2 * n) != LEINAO_OK)
                abort();
        for (int k = 0; k < leinao_nir_node_count(g); k++) {
            const float *out;
            size_t count;
            if (leinao_nir_output(g, k, &out, &count) != LEINAO_OK)
                abort();
        }
    }
    free(x);
    leinao_nir_free(g);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-nir-%d.nir", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    /* A child first: if libhdf5 crashes on this input, it is libhdf5's crash, not leinao's. */
    pid_t child = fork();
    if (child == 0) {
        leinao_nir *g = NULL;
        int ok = leinao_nir_load(&g, path) == LEINAO_OK;
        leinao_nir_free(g);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status))
        return 0; /* libhdf5 died on this input: skipped */
    /* libhdf5 survives this input: now in-process, with coverage and the sanitizers */
    return exercise(path);
}
