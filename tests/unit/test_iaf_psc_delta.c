/* test_iaf_psc_delta.c — iaf_psc_delta against closed forms: the membrane response to a
 * constant current (<= 1e-12 relative, several dt), spike and refractory timing, the PSP jump
 * at spike time + delay, discarded refractory input, and NEST's E_L convention. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static leinao_sim *neuron(double dt, double duration, int *pop)
{
    return harness_neurons("iaf_psc_delta", 1, dt, duration, pop);
}

static double V_of(leinao_sim *sim, int pop)
{
    return sim->net.pops[pop]->state[0][0];
}

static void dc_response_matches_closed_form(void **state)
{
    (void)state;
    const double dts[] = {1.0, 0.1, 0.01}, Ts[] = {5.0, 20.0, 50.0};
    const double E_L = -70.0, C_m = 250.0, tau = 10.0, I = 300.0, V0 = -60.0;
    double worst = 0.0;
    for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
            int pop;
            leinao_sim *sim = neuron(dts[a], Ts[b], &pop);
            leinao_dist v0 = {LEINAO_DIST_CONSTANT, V0, 0, 0, 0};
            assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
            assert_int_equal(leinao_set_param(sim, pop, "I_e", I), LEINAO_OK);
            assert_int_equal(leinao_set_init(sim, pop, "V_m", &v0), LEINAO_OK);
            assert_int_equal(leinao_build(sim), LEINAO_OK);
            assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
            double decay = exp(-Ts[b] / tau);
            double exact = E_L + (V0 - E_L) * decay + I * tau / C_m * (1.0 - decay);
            double rel = fabs(V_of(sim, pop) - exact) / fabs(exact);
            if (rel > worst)
                worst = rel;
            assert_true(rel <= 1e-12);
            leinao_close(sim);
        }
    }
    printf("# largest relative error of V_m against the closed form: %.3g\n", worst);
}

/* Threshold crossing at t* = -tau ln(1 - (V_th - E_L)/(R I)), seen at the end of the step that
 * contains it; after a spike V_m is held at V_reset for t_ref, then rises again. */
static void spike_and_refractory_timing(void **state)
{
    (void)state;
    const double dt = 0.1, E_L = -70.0, C_m = 250.0, tau = 10.0, I = 500.0, V_th = -55.0;
    const double V_reset = -70.0, t_ref = 2.0, R = tau / C_m;
    int pop;
    leinao_sim *sim = neuron(dt, 200.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "I_e", I), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    double t_first = -tau * log(1.0 - (V_th - E_L) / (R * I));
    double t_rise = -tau * log((V_th - E_L - R * I) / (V_reset - E_L - R * I));
    double isi = t_ref + ceil(t_rise / dt - 1e-9) * dt;
    double first = ceil(t_first / dt - 1e-9) * dt;
    const lpopulation *p = sim->net.pops[pop];
    uint32_t n = p->count[0];
    assert_true(n > 5);
    printf("# first spike %.4f ms (closed form %.4f), ISI %.4f ms (closed form %.4f)\n",
           p->last_spike[0] - (n - 1) * (p->isi_sum[0] / p->isi_n[0]), first,
           p->isi_sum[0] / p->isi_n[0], isi);
    assert_true(fabs(p->last_spike[0] - (first + (n - 1) * isi)) < 1e-9);
    assert_true(fabs(p->isi_sq[0] / p->isi_n[0] - isi * isi) < 1e-9); /* every ISI is equal */
    leinao_close(sim);
}

/* A spike sent at t = 1.0 ms with delay 1.0 ms makes V_m jump by w at exactly t = 2.0 ms. */
static void psp_jump_at_spike_time_plus_delay(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = neuron(0.1, 4.0, &pop);
    double t_spike = 1.0;
    harness_spikes(sim, pop, &t_spike, 1, 2.0, 1.0);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    assert_int_equal(tr->n, 40);
    for (int i = 0; i < tr->n; i++) {
        double expected = tr->t[i] < 2.0 - 1e-9 ? -70.0
                                                : -70.0 + 2.0 * exp(-(tr->t[i] - 2.0) / 10.0);
        assert_true(fabs(tr->v[i] - expected) <= 1e-12 * 70.0);
    }
    free(tr);
    leinao_close(sim);
}

/* Input arriving while refractory is discarded (and the same input after it is not). */
static double final_V(double arrival)
{
    int pop, gen;
    leinao_sim *sim = neuron(0.1, 12.0, &pop);
    assert_int_equal(leinao_add_population(sim, "g", "spike_generator", 1, &gen), LEINAO_OK);
    leinao_dist v0 = {LEINAO_DIST_CONSTANT, -54.0, 0, 0, 0}; /* spikes in the first step */
    assert_int_equal(leinao_set_init(sim, pop, "V_m", &v0), LEINAO_OK);
    if (arrival > 0) {
        double t = arrival - 1.0;
        assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", &t, 1), LEINAO_OK);
    }
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 5.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 1.0, 0, 0, 0};
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    assert_int_equal(sim->net.pops[pop]->total_spikes, 1);
    double V = V_of(sim, pop);
    leinao_close(sim);
    return V;
}

static void refractory_input_is_discarded(void **state)
{
    (void)state;
    double none = final_V(-1.0);
    /* spike at 0.1 ms, refractory until 2.1 ms: input at 1.5 ms is lost, at 5.0 ms it counts */
    assert_true(final_V(1.5) == none);
    assert_true(final_V(2.1) == none);
    assert_true(fabs(final_V(5.0) - none - 5.0 * exp(-7.0 / 10.0)) < 1e-12);
}

/* NEST keeps V_th, V_reset and V_m relative to E_L: setting E_L alone moves them. */
static void e_l_moves_relative_parameters(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = neuron(0.1, 1.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "E_L", 0.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_reset", 5.0), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    const lpopulation *p = sim->net.pops[pop];
    int th = lparam_find(p->model->params, p->model->n_params, "V_th");
    int reset = lparam_find(p->model->params, p->model->n_params, "V_reset");
    assert_true(p->params[th] == 15.0);   /* -55 + 70 */
    assert_true(p->params[reset] == 5.0); /* given: kept */
    assert_true(p->state[0][0] == 0.0);   /* V_m: -70 + 70 */
    leinao_close(sim);
}

static void invalid_parameters_are_refused(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = neuron(0.1, 1.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "C_m", -1.0), LEINAO_INVALID);
    assert_string_equal(leinao_errmsg(sim), "C_m must be > 0, got -1");
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", 0.0), LEINAO_INVALID);
    assert_int_equal(leinao_set_param(sim, pop, "t_ref", -0.5), LEINAO_INVALID);
    assert_int_equal(leinao_set_param(sim, pop, "C_M", 1.0), LEINAO_NOT_FOUND);
    assert_non_null(strstr(leinao_errmsg(sim), "did you mean 'C_m'"));
    assert_int_equal(leinao_set_param(sim, pop, "V_reset", -50.0), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "V_reset must be < V_th"));
    leinao_close(sim);
}

/* Refractory steps left are state (what a checkpoint holds) but hidden: neither settable nor
 * recordable, in every model that has them; they count down after a spike. */
static void refractory_steps_are_hidden_state(void **state)
{
    (void)state;
    const char *models[] = {"iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha", "iaf_cond_exp",
                            "aeif_cond_exp"};
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        int pop;
        leinao_sim *sim = harness_neurons(models[k], 1, 0.1, 1.0, &pop);
        const lmodel *m = sim->net.pops[pop]->model;
        int r = lparam_find(m->states, m->n_states, "refractory_steps");
        assert_true(r >= 0);
        assert_true(m->states[r].flags & LP_HIDDEN);
        leinao_dist one = harness_const(1.0);
        assert_int_equal(leinao_set_init(sim, pop, "refractory_steps", &one), LEINAO_NOT_FOUND);
        const char *vars[] = {"refractory_steps"};
        assert_int_equal(leinao_record_state(sim, pop, vars, 1, NULL, 0, 0.1, "r.csv", "csv"),
                         LEINAO_NOT_FOUND);
        leinao_close(sim);
    }
    /* t_ref = 2 ms: 20 steps from the spike at 0.1 ms on; at 1.0 ms, 11 are left */
    int pop;
    leinao_sim *sim = neuron(0.1, 1.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "I_e", 1e6), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    const lmodel *m = sim->net.pops[pop]->model;
    int r = lparam_find(m->states, m->n_states, "refractory_steps");
    assert_true(sim->net.pops[pop]->state[r][0] == 11.0);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dc_response_matches_closed_form),
        cmocka_unit_test(spike_and_refractory_timing),
        cmocka_unit_test(psp_jump_at_spike_time_plus_delay),
        cmocka_unit_test(refractory_input_is_discarded),
        cmocka_unit_test(e_l_moves_relative_parameters),
        cmocka_unit_test(invalid_parameters_are_refused),
        cmocka_unit_test(refractory_steps_are_hidden_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
