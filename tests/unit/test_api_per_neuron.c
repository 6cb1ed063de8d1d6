/* test_api_per_neuron.c — per-neuron parameters and initial values: equal values give the
 * spikes of the constant, bit for bit; two halves with different values spike as two separate
 * populations; refused values and broken rules name the neuron. Includes only <leinao.h>. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <leinao.h>

#define OK(call) assert_int_equal((call), LEINAO_OK)
#define N 20

static int add(leinao_sim *sim, const char *name, uint32_t size)
{
    int id;
    OK(leinao_add_population(sim, name, "iaf_psc_alpha", size, &id));
    OK(leinao_record_spikes(sim, id, NULL, "memory"));
    return id;
}

static void spikes(const leinao_sim *sim, int pop, const double **t, const uint32_t **i, size_t *n)
{
    OK(leinao_get_spikes(sim, pop, t, i, n));
}

static void equal_values_match_the_constant(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 200.0, 7, 2));
    int a = add(sim, "a", N), b = add(sim, "b", N);
    double ie[N], vm[N];
    for (int i = 0; i < N; i++) {
        ie[i] = 420.0;
        vm[i] = -70.0 + 0.5 * i;
    }
    OK(leinao_set_param(sim, a, "I_e", 420.0));
    OK(leinao_set_init_values(sim, a, "V_m", vm, N));
    OK(leinao_set_param_values(sim, b, "I_e", ie, N));
    OK(leinao_set_init_values(sim, b, "V_m", vm, N));
    OK(leinao_build(sim));
    OK(leinao_run(sim, NULL, NULL));
    const double *ta, *tb;
    const uint32_t *ia, *ib;
    size_t na, nb;
    spikes(sim, a, &ta, &ia, &na);
    spikes(sim, b, &tb, &ib, &nb);
    printf("# %zu spikes\n", na);
    assert_true(na > 50);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na * sizeof *ta);
    assert_memory_equal(ia, ib, na * sizeof *ia);
    leinao_close(sim);
}

static void two_halves_match_two_populations(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 200.0, 7, 3));
    int whole = add(sim, "whole", N), low = add(sim, "low", N / 2), high = add(sim, "high", N / 2);
    double ie[N], vm[N];
    for (int i = 0; i < N; i++) {
        ie[i] = i < N / 2 ? 400.0 : 650.0;
        vm[i] = -70.0 + 0.25 * i;
    }
    OK(leinao_set_param_values(sim, whole, "I_e", ie, N));
    OK(leinao_set_init_values(sim, whole, "V_m", vm, N));
    OK(leinao_set_param(sim, low, "I_e", 400.0));
    OK(leinao_set_init_values(sim, low, "V_m", vm, N / 2));
    OK(leinao_set_param(sim, high, "I_e", 650.0));
    OK(leinao_set_init_values(sim, high, "V_m", vm + N / 2, N / 2));
    OK(leinao_build(sim));
    OK(leinao_run(sim, NULL, NULL));
    const double *tw, *tl, *th;
    const uint32_t *iw, *il, *ih;
    size_t nw, nl, nh, jl = 0, jh = 0;
    spikes(sim, whole, &tw, &iw, &nw);
    spikes(sim, low, &tl, &il, &nl);
    spikes(sim, high, &th, &ih, &nh);
    printf("# %zu = %zu + %zu spikes\n", nw, nl, nh);
    assert_true(nl > 20 && nh > nl);
    assert_int_equal(nw, nl + nh);
    for (size_t k = 0; k < nw; k++) { /* in time order, ties by neuron: merge the two halves */
        if (iw[k] < N / 2) {
            assert_true(jl < nl);
            assert_memory_equal(&tw[k], &tl[jl], sizeof *tw);
            assert_int_equal(iw[k], il[jl++]);
        } else {
            assert_true(jh < nh);
            assert_memory_equal(&tw[k], &th[jh], sizeof *tw);
            assert_int_equal(iw[k] - N / 2, ih[jh++]);
        }
    }
    leinao_close(sim);
}

static void errors_name_the_neuron(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    int a = add(sim, "a", 4);
    double c_m[4] = {250, 250, -1, 250}, v_reset[4] = {-70, -70, -70, -50};
    leinao_error_info e;
    assert_int_equal(leinao_set_param_values(sim, a, "C_m", c_m, 3), LEINAO_INVALID);
    leinao_error_detail(sim, &e);
    assert_string_equal(e.argument, "n");
    assert_int_equal(leinao_set_param_values(sim, a, "C_m", c_m, 4), LEINAO_INVALID);
    leinao_error_detail(sim, &e);
    printf("# %s\n", leinao_errmsg(sim));
    assert_string_equal(e.argument, "values");
    assert_string_equal(e.parameter, "C_m");
    assert_int_equal(e.index, 2);
    assert_int_equal(leinao_set_param_values(sim, a, "C_x", c_m, 4), LEINAO_NOT_FOUND);
    OK(leinao_set_param_values(sim, a, "V_reset", v_reset, 4)); /* V_th is -55 */
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    printf("# %s\n", leinao_errmsg(sim));
    assert_non_null(strstr(leinao_errmsg(sim), "neuron 3: V_reset must be < V_th"));
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_values_match_the_constant),
        cmocka_unit_test(two_halves_match_two_populations),
        cmocka_unit_test(errors_name_the_neuron),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
