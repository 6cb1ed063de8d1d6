/* params.h — parameter tables: one row per parameter (name, unit, default, rule, doc). The same
 * table drives validation, defaults and the generated documentation. */
#ifndef LEINAO_BASE_PARAMS_H
#define LEINAO_BASE_PARAMS_H

#include <math.h>
#include <stddef.h>

#include "context.h"

typedef enum lparam_rule {
    LP_ANY = 0,       /* any finite number (or +-inf where noted) */
    LP_POSITIVE,      /* > 0 */
    LP_NONNEGATIVE,   /* >= 0 */
    LP_ARRAY,         /* a list of times: sorted, > 0 (e.g. spike_times) */
    LP_ARRAY_ANY      /* a list of any finite numbers (e.g. amplitude_values) */
} lparam_rule;

/* 1 when a parameter of this rule is a list (its own storage in the population, given to the
 * device's prepare_device hook). */
static inline int lparam_is_array(lparam_rule rule)
{
    return rule == LP_ARRAY || rule == LP_ARRAY_ANY;
}

/* Flags of a parameter or state variable. */
enum {
    LP_FOLLOWS_E_L = 1, /* NEST stores it relative to E_L: when E_L is set and this is not, it
                           moves with E_L (iaf models' V_th, V_reset, V_min and V_m) */
    LP_INF_OK = 2,      /* +-inf is allowed (V_min) */
    LP_HIDDEN = 4       /* internal state: not settable, not recordable */
};

typedef struct lparam_def {
    const char *name;
    const char *unit;
    double def;
    lparam_rule rule;
    int flags;
    const char *doc;
} lparam_def;

/* The one rule for times on the grid (delays, durations, spike times, intervals, windows):
 * whether `ms` is finite and a whole number of steps of `dt` (within 1e-9 relative). *steps
 * gets that number, rounded; callers check their own range. */
static inline int lgrid_steps(double ms, double dt, double *steps)
{
    double s = ms / dt, r = nearbyint(s);
    *steps = r;
    return isfinite(s) && fabs(s - r) <= 1e-9 * fmax(1.0, fabs(s));
}

/* Index of `name` in a table of n rows, or -1. */
int lparam_find(const lparam_def *table, int n, const char *name);
/* Checks one value against its row's own rule; on failure writes "C_m must be > 0, got -1" into
 * ctx and returns LEINAO_INVALID. */
leinao_status lparam_check(lctx *ctx, const lparam_def *def, double value);
/* Text of a rule for docs ("> 0"). */
const char *lparam_rule_text(lparam_rule rule);
/* Edit distance, for "did you mean" suggestions. */
int lparam_edit_distance(const char *a, const char *b);

/* "Did you mean": offer each valid name; best() is the nearest one within an edit distance of
 * max(1, strlen(typed) / 3), or NULL when none is that close. */
typedef struct lsuggest {
    const char *typed, *best;
    int best_distance;
} lsuggest;
void lsuggest_init(lsuggest *s, const char *typed);
void lsuggest_offer(lsuggest *s, const char *candidate);
const char *lsuggest_best(const lsuggest *s);
/* " (did you mean 'best'?)" in buf, or "" when no name is close enough; returns buf. */
const char *lsuggest_hint(const lsuggest *s, char *buf, size_t size);

#endif
