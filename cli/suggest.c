/* suggest.c — see suggest.h. */
#include <ctype.h>
#include <string.h>

#include "leinao.h"
#include "suggest.h"

#define LONGEST 64

/* Optimal-string-alignment distance of a and b (both at most LONGEST characters). */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    static size_t d[LONGEST + 1][LONGEST + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *cli_nearest_model(const char *typed)
{
    size_t len = strlen(typed);
    if (len == 0 || len > LONGEST)
        return NULL;
    size_t limit = len / 3 > 2 ? len / 3 : 2, best = limit + 1;
    const char *nearest = NULL;
    for (int i = 0; i < leinao_model_count(); i++) {
        const char *name = leinao_model_name(i);
        if (!name || strlen(name) > LONGEST)
            continue;
        size_t d = distance(typed, name);
        if (d < best) {
            best = d;
            nearest = name;
        }
    }
    return nearest;
}
