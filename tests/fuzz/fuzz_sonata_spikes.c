/* fuzz_sonata_spikes.c — libFuzzer harness for the HDF5 files `leinao plot` reads: any bytes as
 * a file, drawn as a spike raster and as state traces. Each plot runs in a child process
 * (options.isolated = 1, as the leinao command plots: libhdf5 1.10 can crash on a corrupt file),
 * so this shows that leinao itself never crashes or leaks on such input; the child's coverage is
 * not seen by the fuzzer. Seed corpus:
 * tests/fuzz/corpus/sonata_spikes. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "leinao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64], picture[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-%d.h5", (int)getpid());
        snprintf(picture, sizeof picture, "/tmp/leinao-fuzz-%d.png", (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    leinao_sim *sim = NULL;
    if (leinao_open(&sim) != LEINAO_OK)
        return 0;
    leinao_plot_options o;
    leinao_plot_options_default(&o);
    o.width = 300;
    o.height = 200;
    o.isolated = 1;
    for (int kind = 0; kind < 2; kind++) {
        leinao_status st = kind ? leinao_plot_state(sim, path, picture, &o)
                                : leinao_plot_spikes(sim, path, picture, &o);
        if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
            abort(); /* a rejection without a message is a bug */
    }
    leinao_close(sim);
    return 0;
}
