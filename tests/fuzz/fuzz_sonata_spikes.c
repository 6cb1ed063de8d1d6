/* fuzz_sonata_spikes.c — libFuzzer harness for the SONATA spike reader behind `leinao plot`:
 * any bytes as a file, through lsonata_read_spikes. Seed corpus: tests/fuzz/corpus/sonata_spikes
 * (small spike files written by leinao). Most of what it exercises is libhdf5's own parser. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/context.h"
#include "io/sonata_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-%d.h5", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);
    lspike_table *table = NULL;
    leinao_status st = lsonata_read_spikes(&ctx, path, &table);
    if (st == LEINAO_OK)
        lsonata_free_spikes(&ctx, table);
    else if (!ctx.errmsg[0])
        abort(); /* a rejection without a message is a bug */
    if (ctx.bytes_in_use != 0)
        abort(); /* everything allocated is freed */
    return 0;
}
