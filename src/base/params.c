/* params.c — checks of single parameter values against their table row, and name suggestions. */
#include "params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int lparam_find(const lparam_def *table, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *lparam_rule_text(lparam_rule rule)
{
    switch (rule) {
    case LP_ANY:
        return "any number";
    case LP_POSITIVE:
        return "> 0";
    case LP_NONNEGATIVE:
        return ">= 0";
    case LP_ARRAY:
        return "list of numbers";
    case LP_ARRAY_ANY:
        return "list of any finite numbers";
    }
    return "?";
}

leinao_status lparam_check(lctx *ctx, const lparam_def *def, double value)
{
    if (isnan(value) || (isinf(value) && !(def->flags & LP_INF_OK)))
        return lc_error(ctx, LEINAO_INVALID, "%s must be a finite number, got %g", def->name, value);
    if (def->rule == LP_POSITIVE && !(value > 0.0))
        return lc_error(ctx, LEINAO_INVALID, "%s must be > 0, got %g", def->name, value);
    if (def->rule == LP_NONNEGATIVE && !(value >= 0.0))
        return lc_error(ctx, LEINAO_INVALID, "%s must be >= 0, got %g", def->name, value);
    return LEINAO_OK;
}

int lparam_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    int row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void lsuggest_init(lsuggest *s, const char *typed)
{
    s->typed = typed;
    s->best = NULL;
    s->best_distance = 1 << 20;
}

void lsuggest_offer(lsuggest *s, const char *candidate)
{
    int d = lparam_edit_distance(s->typed, candidate);
    if (d < s->best_distance) {
        s->best_distance = d;
        s->best = candidate;
    }
}

const char *lsuggest_best(const lsuggest *s)
{
    int limit = (int)strlen(s->typed) / 3;
    return s->best && s->best_distance <= (limit > 1 ? limit : 1) ? s->best : NULL;
}

const char *lsuggest_hint(const lsuggest *s, char *buf, size_t size)
{
    const char *best = lsuggest_best(s);
    if (best)
        snprintf(buf, size, " (did you mean '%s'?)", best);
    else if (size)
        buf[0] = 0;
    return buf;
}
