/* fuzz_model_file.c — libFuzzer harness for the model-file reader: any bytes, as YAML or JSON,
 * through leinao_load_model and leinao_estimate_size (not built: a fuzzed size could ask for
 * any amount of memory). Must never crash, hang or trip a sanitizer; every rejection must come
 * with a message. Seed corpus: tests/fuzz/corpus/model_file. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leinao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    leinao_sim *sim = NULL;
    if (leinao_open(&sim) != LEINAO_OK)
        return 0;
    const char *sets[] = {"simulation.duration=10"};
    leinao_status st = leinao_load_model(sim, path, size % 2 ? sets : NULL, size % 2);
    if (st == LEINAO_OK) {
        leinao_estimate e;
        leinao_estimate_size(sim, &e);
    } else if (!leinao_errmsg(sim)[0]) {
        abort(); /* a rejection without a message is a bug */
    }
    leinao_close(sim);
    return 0;
}
