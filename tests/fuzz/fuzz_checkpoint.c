/* fuzz_checkpoint.c — libFuzzer harness for the checkpoint reader: any bytes as a checkpoint,
 * inspected and read into a small declared network (tests/data/small.yaml's shape, built here
 * through the API). A rejection must carry a message; nothing may crash or leak. Seed corpus:
 * tests/fuzz/corpus/checkpoint (a checkpoint of this network, written by the harness itself
 * when run with LEINAO_FUZZ_WRITE_SEED=path). */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "leinao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static leinao_sim *declare(void)
{
    leinao_sim *sim = NULL;
    if (leinao_open(&sim) != LEINAO_OK)
        return NULL;
    int noise, exc;
    leinao_configure(sim, 0.1, 20.0, 7, 1);
    leinao_add_population(sim, "noise", "poisson_generator", 1, &noise);
    leinao_add_population(sim, "E", "iaf_psc_alpha", 20, &exc);
    leinao_set_param(sim, noise, "rate", 8000.0);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 30.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 0.3, 0, 0, 0};
    leinao_connect(sim, noise, exc, &all, &w, &d, NULL);
    leinao_rule p = leinao_rule_default(LEINAO_PAIRWISE_BERNOULLI);
    p.p = 0.3;
    int proj = -1;
    leinao_dist w2 = {LEINAO_DIST_UNIFORM, 1.0, 5.0, 0, 0};
    leinao_connect(sim, exc, exc, &p, &w2, &d, &proj);
    leinao_set_synapse(sim, proj, "stdp_synapse");
    return sim;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-ckpt-%d.h5", (int)getpid());
        const char *seed = getenv("LEINAO_FUZZ_WRITE_SEED");
        leinao_sim *sim = seed ? declare() : NULL;
        if (sim && leinao_build(sim) == LEINAO_OK && leinao_simulate(sim, 7.7, NULL, NULL) == LEINAO_OK)
            leinao_checkpoint_write(sim, seed);
        leinao_close(sim);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    leinao_sim *sim = declare();
    if (!sim)
        return 0;
    leinao_checkpoint_info info;
    leinao_status st = leinao_checkpoint_inspect(sim, path, &info);
    if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
        abort(); /* a rejection without a message is a bug */
    st = leinao_checkpoint_read(sim, path);
    if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
        abort();
    if (st == LEINAO_OK)
        leinao_simulate(sim, 2.0, NULL, NULL);
    leinao_close(sim);
    remove(path);
    return 0;
}
