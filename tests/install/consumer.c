/* consumer.c — a program outside the library, built against an installed leinao with
 * `pkg-config --cflags --libs leinao`: it uses only <leinao.h>. It simulates 100 iaf_psc_delta
 * neurons driven by a constant current above threshold, records their spikes into OUT_DIR,
 * prints the spike count and draws the raster in the calling process (isolated = 0).
 * usage: consumer OUT_DIR */
#include <leinao.h>
#include <stdio.h>
#include <string.h>

static leinao_sim *sim;

static int check(leinao_status st, const char *what)
{
    if (st != LEINAO_OK) {
        fprintf(stderr, "consumer: %s: %s: %s\n", what, leinao_status_name(st),
                sim ? leinao_errmsg(sim) : "");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer OUT_DIR\n");
        return 64;
    }
    printf("leinao %s (%s)\n", leinao_version(), leinao_features());
    if (strcmp(leinao_version(), LEINAO_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header %s, library %s\n", LEINAO_VERSION_STRING, leinao_version());
        return 1;
    }
    int pop = -1;
    /* I_e = 1000 pA: V_m would settle at E_L + I_e tau_m / C_m = -30 mV, above V_th = -55 mV */
    if (check(leinao_open(&sim), "leinao_open") ||
        check(leinao_configure(sim, 0.1, 200.0, 12345, 2), "leinao_configure") ||
        check(leinao_set_name(sim, "consumer"), "leinao_set_name") ||
        check(leinao_add_population(sim, "E", "iaf_psc_delta", 100, &pop), "leinao_add_population") ||
        check(leinao_set_param(sim, pop, "I_e", 1000.0), "leinao_set_param") ||
        check(leinao_record_spikes(sim, pop, "spikes.h5", "sonata"), "leinao_record_spikes") ||
        check(leinao_set_output_dir(sim, argv[1], 1), "leinao_set_output_dir") ||
        check(leinao_build(sim), "leinao_build") ||
        check(leinao_run(sim, NULL, NULL), "leinao_run") ||
        check(leinao_finish(sim), "leinao_finish"))
        return 1;
    leinao_population_stats ps;
    if (check(leinao_get_population_stats(sim, pop, &ps), "leinao_get_population_stats"))
        return 1;
    printf("spikes %llu rate %.3f\n", (unsigned long long)ps.spikes, ps.rate);
    char in[4096], out[4096];
    snprintf(in, sizeof in, "%s/spikes.h5", argv[1]);
    snprintf(out, sizeof out, "%s/raster.png", argv[1]);
    leinao_plot_options po;
    leinao_plot_options_default(&po);
    if (po.isolated != 0) {
        fprintf(stderr, "consumer: plots are isolated by default\n");
        return 1;
    }
    if (check(leinao_plot_spikes(sim, in, out, &po), "leinao_plot_spikes"))
        return 1;
    printf("plot %s\n", out);
    leinao_close(sim);
    return 0;
}
